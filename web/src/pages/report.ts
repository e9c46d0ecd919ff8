// The printable case report: case, evidence with hashes, custody with its verification, scans,
// artifact counts, top artifacts, correlations, hits. @media print hides the application around it.
import { h, Child } from '../dom';
import { api } from '../api';
import { t, num, bytes, date } from '../i18n';
import { actionLabel, mono, info, stateBadge, table } from '../ui';
import { caseHeading } from './casenav';
import { correlationTable } from './correlations';
import { hitsSections } from './hits';

const str = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);

export async function reportPage(root: HTMLElement, caseId: number): Promise<void> {
  const [detail, r] = await Promise.all([api.caseDetail(caseId), api.report(caseId)]);
  const c = r.case ?? detail;
  const unit = typeof r.unit === 'string' ? r.unit : str(r.unit?.name ?? r.unit);
  const printBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'print', on: { click: () => window.print() } }, t('report.print'));
  const kv = (key: string, v: Child) => [h('dt', null, t(key)), h('dd', null, v)];
  const sec = (key: string, ...body: Child[]) => h('section', { class: 'report-section' }, h('h2', null, t(key)), ...body);
  const cv = r.custody_verification ?? {};
  const custody = arr(r.custody?.records ?? r.custody);
  const evName = new Map<string, string>();
  for (const e of [...arr(r.evidence), ...detail.evidence] as any[]) {
    if (e.id !== undefined) evName.set(String(e.id), str(e.name));
    if (e.uuid) evName.set(str(e.uuid), str(e.name));
  }
  // The report's evidence rows may lack the verification state: the case's own rows have it.
  const verification = (e: any) => e.verification ?? detail.evidence.find((x) => x.uuid === e.uuid || x.name === e.name)?.verification;
  root.append(h('div', { class: 'no-print' }, caseHeading(detail, 'report', printBtn)),
    h('article', { class: 'report', id: 'report' },
      h('header', { class: 'report-head' },
        h('div', { class: 'report-unit' }, unit),
        h('h1', null, t('report.title')),
        h('div', { class: 'report-case' }, mono(str(c.number)), ' — ', str(c.title)),
        h('div', { class: 'small muted' }, t('report.generated', { time: date(str(r.generated)), by: str(r.generated_by) }))),
      sec('report.case', h('dl', { class: 'kv' },
        kv('case.number', mono(str(c.number))), kv('case.title', str(c.title)), kv('case.offence', str(c.offence)),
        kv('case.examiner', str(c.examiner)), kv('case.created', date(str(c.created))), kv('case.status', str(c.status)), kv('case.uuid', mono(str(c.uuid))))),
      sec('report.evidence', table<any>([
        { key: 'evidence.name', cell: (e) => h('strong', { class: 'mono' }, str(e.name)) },
        { key: 'evidence.label', cell: (e) => [str(e.label), e.source_description ? h('div', { class: 'small muted' }, str(e.source_description)) : null] },
        { key: 'evidence.size', cell: (e) => bytes(Number(e.size)), cls: 'num nowrap' },
        { key: 'evidence.hashes', cell: (e) => h('div', { class: 'hashes' },
          ['md5', 'sha1', 'sha256'].map((k) => h('div', { class: 'hash' }, h('span', { class: 'hash-name' }, k.toUpperCase().replace('SHA', 'SHA-')), h('span', { class: 'mono hash-value' }, str(e[k]))))) },
        { key: 'evidence.verification', cell: (e) => {
          const v = verification(e);
          return [stateBadge(str(v?.state ?? 'never')), v?.time ? h('div', { class: 'small' }, date(str(v.time))) : null];
        } },
      ], arr(r.evidence))),
      sec('report.custody',
        cv.ok === true ? info(t('custody.verified', { n: custody.length, time: date(str(cv.checked)) }), 'ok')
          : info(t('custody.failed', { problems: arr(cv.problems).map(str).join('; ') || '?' }), 'error'),
        table<any>([
          { key: 'custody.seq', cell: (x) => num(Number(x.seq)), cls: 'num' },
          { key: 'custody.time', cell: (x) => date(str(x.time)), cls: 'nowrap' },
          { key: 'custody.action', cell: (x) => actionLabel(str(x.action)) },
          { key: 'custody.actor', cell: (x) => str(x.actor) },
          { key: 'custody.evidence', cell: (x) => mono(x.evidence ? evName.get(str(x.evidence)) ?? str(x.evidence) : '') },
          { key: 'custody.hash', cell: (x) => mono(str(x.hash).slice(0, 16)), cls: 'small' },
        ], custody.filter((x) => x.action !== 'viewed'))),
      sec('report.scans', table<any>([
        { key: 'scans.id', cell: (s) => num(Number(s.id)), cls: 'num' },
        { key: 'scans.evidence', cell: (s) => mono(str(s.evidence_name ?? evName.get(String(s.evidence)) ?? s.evidence)) },
        { key: 'scans.status', cell: (s) => str(s.status) },
        { key: 'scans.started', cell: (s) => date(str(s.started)), cls: 'nowrap' },
        { key: 'scans.finished', cell: (s) => date(str(s.finished)), cls: 'nowrap' },
        { key: 'scans.artifacts', cell: (s) => num(Number(s.artifacts)), cls: 'num' },
        { key: 'scans.occurrences', cell: (s) => num(Number(s.occurrences)), cls: 'num' },
      ], arr(r.scans))),
      sec('report.kinds', table<any>([
        { key: 'artifacts.kind', cell: (k) => str(k.kind) },
        { key: 'report.count', cell: (k) => num(Number(k.count)), cls: 'num' },
      ], arr(r.artifact_kinds))),
      sec('report.top', table<any>([
        { key: 'artifacts.value', cell: (a) => mono(str(a.value)), cls: 'wrap' },
        { key: 'artifacts.kind', cell: (a) => str(a.kind) },
        { key: 'artifacts.occurrences_here', cell: (a) => num(Number(a.occurrences_here ?? a.occurrences)), cls: 'num' },
        { key: 'artifacts.cases', cell: (a) => num(Number(a.cases)), cls: 'num' },
      ], arr(r.top_artifacts))),
      sec('report.correlations', correlationTable(caseId, arr(r.correlations))),
      sec('report.hits', ...hitsSections(caseId, r.hits ?? {})),
      h('footer', { class: 'report-foot small muted' }, t('report.footer', { uuid: str(c.uuid) }))));
}
