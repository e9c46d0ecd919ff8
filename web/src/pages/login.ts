// Sign in, and the forced password change of a new or reset account.
import { h, replace } from '../dom';
import { api } from '../api';
import { t } from '../i18n';
import { session, setMe, navigate } from '../app';
import { errorText, field, info } from '../ui';

export async function loginPage(root: HTMLElement): Promise<void> {
  if (session.me?.user.must_change_password) {
    root.append(h('div', { class: 'auth' }, h('h1', null, t('password.forced.title')),
      info(t('password.forced.text'), 'warn'),
      passwordForm(async () => {
        if (session.me) session.me.user.must_change_password = false;
        try { setMe(await api.me()); } catch { /* keep what login said */ }
        navigate('#/cases');
      })));
    return;
  }
  if (session.me) {
    navigate('#/cases');
    return;
  }
  const user = h('input', { name: 'user', id: 'login-user', autocomplete: 'username', required: true, autofocus: true, spellcheck: 'false' });
  const pass = h('input', { name: 'password', id: 'login-password', type: 'password', autocomplete: 'current-password', required: true });
  const msg = h('div', { class: 'form-msg' });
  if (session.flash) {
    msg.append(info(session.flash, 'warn'));
    session.flash = '';
  }
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'login-submit' }, t('login.submit'));
  const form = h('form', {
    class: 'form',
    on: { submit: async (e: Event) => {
      e.preventDefault();
      submit.disabled = true;
      try {
        const me = await api.login(user.value.trim(), pass.value);
        setMe(me);
        pass.value = '';
        if (me.user.must_change_password) navigate('#/login');
        else {
          // GET /me may name the unit; login's answer does not have to.
          try { setMe(await api.me()); } catch { /* keep login's answer */ }
          navigate('#/cases');
        }
      } catch (err) {
        replace(msg, info(errorText(err), 'error'));
      } finally {
        submit.disabled = false;
      }
    } },
  }, field('login.user', user), field('login.password', pass), msg, h('div', { class: 'actions' }, submit));
  root.append(h('div', { class: 'auth' },
    h('h1', null, t('login.title')),
    h('p', { class: 'muted' }, t('login.intro')),
    form));
}

// Current password, new one twice (12 characters at least, as the server checks).
export function passwordForm(done: () => void | Promise<void>): HTMLElement {
  const current = h('input', { type: 'password', id: 'pw-current', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', id: 'pw-new', autocomplete: 'new-password', required: true, minlength: '12' });
  const again = h('input', { type: 'password', id: 'pw-again', autocomplete: 'new-password', required: true, minlength: '12' });
  const msg = h('div', { class: 'form-msg' });
  return h('form', {
    class: 'form', id: 'password-form',
    on: { submit: async (e: Event) => {
      e.preventDefault();
      if (next.value.length < 12) return replace(msg, info(t('password.short'), 'error'));
      if (next.value !== again.value) return replace(msg, info(t('password.mismatch'), 'error'));
      try {
        await api.changePassword(current.value, next.value);
        current.value = next.value = again.value = '';
        replace(msg, info(t('password.changed'), 'ok'));
        await done();
      } catch (err) {
        replace(msg, info(errorText(err), 'error'));
      }
    } },
  }, field('password.current', current), field('password.new', next, t('password.rule')), field('password.again', again), msg,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'pw-submit' }, t('password.submit'))));
}
