// Shared pieces of the cooperation pages: the clock badge, a request's state and type.
import { h } from '../dom';
import { t, date } from '../i18n';
import { badge } from '../ui';
import { dueInfo } from '../coop';

// "overdue by 2 days" / "due today" / "due in 5 days" (warn within 7 days) / nothing.
export function dueBadge(due: string | null | undefined, id?: string): HTMLElement | null {
  const d = dueInfo(due, Date.now());
  if (d.kind === 'none') return null;
  const text = d.kind === 'overdue' ? t('due.overdue', { n: d.days })
    : d.kind === 'today' ? t('due.today') : t('due.in_days', { n: d.days });
  const b = badge(text, d.kind === 'overdue' ? 'bad' : d.kind === 'later' ? 'ok' : 'warn');
  b.classList.add('due-badge');
  b.setAttribute('data-due', d.kind);
  b.title = date(due);
  if (id) b.id = id;
  return b;
}

export function dueCell(due: string | null | undefined): HTMLElement {
  return h('span', { class: 'due' }, due ? h('span', { class: 'nowrap' }, date(due)) : '—', ' ', dueBadge(due));
}

export function requestStateBadge(state: string): HTMLElement {
  const key = `rstate.${state}`;
  const tr = t(key);
  const cls = state === 'answered' ? 'ok' : /^(refused|expired|withdrawn)$/.test(state) ? 'bad'
    : state === 'draft' ? '' : state === 'superseded' ? '' : 'run';
  const b = badge(tr === key ? state : tr, cls);
  b.setAttribute('data-state', state);
  return b;
}

export function requestTypeLabel(type: string): string {
  const key = `rtype.${type}`;
  const tr = t(key);
  return tr === key ? type : tr;
}
