// The heading and tabs shared by the pages of one case.
import { h } from '../dom';
import { Case } from '../api';
import { t } from '../i18n';

export type CaseTab = 'overview' | 'artifacts' | 'correlations' | 'hits' | 'requests' | 'report';

export function caseHeading(c: Case, active: CaseTab, extra?: Node | null): HTMLElement {
  const tab = (key: CaseTab, hash: string) =>
    h('a', { href: hash, class: ['tab', key === active && 'active'], 'aria-current': key === active ? 'page' : undefined, 'data-tab': key }, t(`tabs.${key}`));
  return h('div', { class: 'case-head' },
    h('div', { class: 'page-head' },
      h('h1', null, h('span', { class: 'mono case-number' }, c.number), ' ', h('span', { class: 'case-title' }, c.title)),
      h('div', { class: 'spacer' }), extra ?? null),
    h('nav', { class: 'tabs', 'aria-label': t('tabs.label') },
      tab('overview', `#/cases/${c.id}`),
      tab('artifacts', `#/cases/${c.id}/artifacts`),
      tab('correlations', `#/cases/${c.id}/correlations`),
      tab('hits', `#/cases/${c.id}/hits`),
      tab('requests', `#/cases/${c.id}/requests`),
      tab('report', `#/cases/${c.id}/report`)));
}
