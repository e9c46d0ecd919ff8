// Artifacts of this case also found in other cases, strongest links first.
import { h, link } from '../dom';
import { api, Correlation } from '../api';
import { t, num } from '../i18n';
import { mono, table } from '../ui';
import { caseHeading } from './casenav';

export async function correlationsPage(root: HTMLElement, caseId: number): Promise<void> {
  const [detail, rows] = await Promise.all([api.caseDetail(caseId), api.correlations(caseId, 100)]);
  root.append(caseHeading(detail, 'correlations'),
    h('section', { class: 'panel flush', id: 'correlations' }, h('h2', null, t('corr.title'), ' ', h('span', { class: 'count' }, num(rows.length))),
      h('p', { class: 'muted small pad' }, t('corr.intro')),
      correlationTable(caseId, rows)));
}

export function correlationTable(caseId: number, rows: Correlation[]): HTMLElement {
  return table<Correlation>([
    { key: 'artifacts.value', cell: (c) => link(`#/cases/${caseId}/artifacts/${c.artifact.id}`, h('span', { class: 'value' }, c.artifact.value)), cls: 'mono wrap' },
    { key: 'artifacts.kind', cell: (c) => h('span', { class: 'kind' }, c.artifact.kind) },
    { key: 'corr.here', cell: (c) => num(c.occurrences_here), cls: 'num' },
    { key: 'corr.score', cell: (c) => num(c.score, 2), cls: 'num' },
    { key: 'corr.elsewhere', cell: (c) => h('div', { class: 'elsewhere' },
      (c.elsewhere ?? []).map((s) => h('span', { class: 'chip' }, link(`#/cases/${s.case}`, mono(s.case_number)), ' ', s.evidence_name, ' ×', num(s.occurrences))),
      c.other_cases_hidden > 0 ? h('span', { class: 'chip chip-hidden' }, t('sightings.hidden', { n: c.other_cases_hidden })) : null) },
  ], rows, { empty: t('corr.empty') });
}
