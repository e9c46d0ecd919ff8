// The signed-in user's own account: who they are, and a password change.
import { h } from '../dom';
import { t, date } from '../i18n';
import { session } from '../app';
import { passwordForm } from './login';
import { section } from '../ui';

export async function accountPage(root: HTMLElement): Promise<void> {
  const u = session.me!.user;
  root.append(h('h1', null, t('account.title')),
    section('account.who', h('dl', { class: 'kv' },
      h('dt', null, t('users.name')), h('dd', { class: 'mono' }, u.name),
      h('dt', null, t('users.display_name')), h('dd', null, u.display_name),
      h('dt', null, t('users.role')), h('dd', null, t(`role.${u.role}`)),
      h('dt', null, t('users.created')), h('dd', null, date(u.created)))),
    section('account.password', passwordForm(() => {})));
}
