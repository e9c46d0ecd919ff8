// What deserves attention first: files in alert hash sets, YARA matches, watchlist indicators.
import { h, link, Child } from '../dom';
import { api } from '../api';
import { t, num, date } from '../i18n';
import { mono, table } from '../ui';
import { caseHeading } from './casenav';

export async function hitsPage(root: HTMLElement, caseId: number): Promise<void> {
  const [detail, hits] = await Promise.all([api.caseDetail(caseId), api.hits(caseId)]);
  root.append(caseHeading(detail, 'hits'), ...hitsSections(caseId, hits));
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function alertWhat(a: any): Child {
  switch (a?.kind) {
    case 'hashset': return [h('strong', null, str(a.set?.set)), ' ', h('span', { class: 'muted' }, str(a.set?.label))];
    case 'yara': {
      const ns = str(a.yara?.namespace ?? a.yara?.ns);
      return [h('span', { class: 'mono' }, ns ? `${ns}:` : '', str(a.yara?.rule))];
    }
    case 'watchlist': return [h('strong', null, str(a.watchlist)), ' ', mono(str(a.indicator?.value))];
    default: return str(a?.kind);
  }
}

export function hitsSections(caseId: number, hits: { file_alerts?: any[]; watchlist_hits?: any[] }): HTMLElement[] {
  const alerts = hits.file_alerts ?? [];
  const watch = hits.watchlist_hits ?? [];
  return [
    h('section', { class: 'panel flush', id: 'file-alerts' }, h('h2', null, t('hits.file_alerts'), ' ', h('span', { class: 'count' }, num(alerts.length))),
      table<any>([
        { key: 'hits.kind', cell: (a) => h('span', { class: 'badge badge-bad' }, t(`hits.kind.${str(a.kind)}`) === `hits.kind.${str(a.kind)}` ? str(a.kind) : t(`hits.kind.${str(a.kind)}`)) },
        { key: 'hits.evidence', cell: (a) => [mono(str(a.evidence_name)), ' ', str(a.evidence_label)] },
        { key: 'hits.file', cell: (a) => a.file ? mono(str(a.file.path)) : h('span', { class: 'muted' }, t('hits.unallocated', { offset: num(Number(a.offset) || 0) })), cls: 'wrap' },
        { key: 'hits.what', cell: alertWhat },
        { key: 'hits.sha256', cell: (a) => mono(str(a.file?.sha256)), cls: 'small wrap' },
      ], alerts, { empty: t('hits.no_alerts') })),
    h('section', { class: 'panel flush', id: 'watch-hits' }, h('h2', null, t('hits.watchlist'), ' ', h('span', { class: 'count' }, num(watch.length))),
      table<any>([
        { key: 'hits.watchlist_name', cell: (w) => str(w.watchlist ?? w.watchlist_name) },
        { key: 'hits.indicator', cell: (w) => [h('span', { class: 'kind' }, str(w.indicator?.kind)), ' ', mono(str(w.indicator?.original || w.indicator?.value))], cls: 'wrap' },
        { key: 'hits.comment', cell: (w) => str(w.indicator?.comment) },
        { key: 'hits.artifact', cell: (w) => w.artifact?.id ? link(`#/cases/${caseId}/artifacts/${Number(w.artifact.id)}`, mono(str(w.artifact.value))) : '', cls: 'wrap' },
        { key: 'hits.found', cell: (w) => date(str(w.found)), cls: 'nowrap' },
      ], watch, { empty: t('hits.no_watch') })),
  ];
}
