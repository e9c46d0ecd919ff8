// Accounts (admin): list, add, disable / enable, reset a password. One-time passwords are shown
// once, in a dialog.
import { h, replace } from '../dom';
import { api, User } from '../api';
import { t, date } from '../i18n';
import { errorText, field, info, mono, openDialog, stateBadge, table, copyButton } from '../ui';

const kRoles = ['admin', 'examiner', 'investigator', 'prosecutor', 'viewer'];

export async function usersPage(root: HTMLElement): Promise<void> {
  const listBox = h('div', { id: 'users' });
  const msg = h('div', { class: 'form-msg' });
  const reload = async () => {
    try {
      const users = await api.users();
      replace(listBox, table<User>([
        { key: 'users.name', cell: (u) => mono(u.name) },
        { key: 'users.display_name', cell: (u) => u.display_name },
        { key: 'users.role', cell: (u) => t(`role.${u.role}`) },
        { key: 'users.state', cell: (u) => [u.disabled ? stateBadge('disabled') : stateBadge('active'), u.must_change_password ? h('span', { class: 'badge' }, t('users.must_change')) : null] },
        { key: 'users.created', cell: (u) => date(u.created), cls: 'nowrap' },
        { key: 'common.actions', cell: (u) => h('div', { class: 'row-actions' },
          h('button', { type: 'button', class: 'btn btn-small', on: { click: () => act(() => (u.disabled ? api.enableUser(u.name) : api.disableUser(u.name))) } },
            t(u.disabled ? 'users.enable' : 'users.disable')),
          h('button', { type: 'button', class: 'btn btn-small', on: { click: async () => {
            if (!confirm(t('users.confirm_reset', { name: u.name }))) return;
            try { showPassword(u.name, (await api.resetPassword(u.name)).password); await reload(); } catch (e) { replace(msg, info(errorText(e), 'error')); }
          } } }, t('users.reset'))) },
      ], users));
    } catch (e) {
      replace(listBox, info(errorText(e), 'error'));
    }
  };
  const act = async (fn: () => Promise<unknown>) => {
    try { await fn(); replace(msg); await reload(); } catch (e) { replace(msg, info(errorText(e), 'error')); }
  };
  const name = h('input', { id: 'u-name', required: true, pattern: '[a-z0-9._\\-]{1,64}', spellcheck: 'false' });
  const display = h('input', { id: 'u-display', required: true });
  const roleSel = h('select', { id: 'u-role' }, kRoles.map((r) => h('option', { value: r, selected: r === 'investigator' }, t(`role.${r}`))));
  const form = h('form', {
    class: 'form form-inline', id: 'user-form',
    on: { submit: async (e: Event) => {
      e.preventDefault();
      try {
        const res = await api.addUser({ name: name.value.trim(), display_name: display.value.trim(), role: roleSel.value });
        name.value = display.value = '';
        showPassword(res.user.name, res.password);
        replace(msg);
        await reload();
      } catch (err) {
        replace(msg, info(errorText(err), 'error'));
      }
    } },
  }, field('users.name', name), field('users.display_name', display), field('users.role', roleSel),
  h('button', { type: 'submit', class: 'btn btn-primary' }, t('users.add')));
  root.append(h('div', { class: 'page-head' }, h('h1', null, t('users.title'))),
    h('section', { class: 'panel' }, h('h2', null, t('users.new')), form, msg),
    h('section', { class: 'panel flush' }, listBox));
  await reload();
}

function showPassword(user: string, password: string): void {
  const close = h('button', { type: 'button', class: 'btn btn-primary' }, t('common.close'));
  const dlg = openDialog('users.one_time', h('div', null,
    h('p', null, t('users.one_time_text', { name: user })),
    h('div', { class: 'secret mono', id: 'one-time-password' }, password), copyButton(password)), [close]);
  close.addEventListener('click', () => dlg.close());
}
