// The artifacts of a case: filters (kind, text, evidence), counts per kind with a bar chart,
// a sortable table paged by the server's cursors.
import { h, link, replace, debounce } from '../dom';
import { api, CaseArtifact } from '../api';
import { t, num } from '../i18n';
import { applyAnswer, canNext, canPrev, goNext, goPrev, initialPager, PagerState, resetPager, rowRange } from '../pager';
import { barChart, errorBox, loading, SortState, table } from '../ui';
import { caseHeading } from './casenav';

interface Filters extends SortState {
  kind: string;
  q: string;
  evidence: string;
  pager: PagerState;
}

// Filters survive leaving the table for an artifact and coming back.
const saved = new Map<number, Filters>();

export async function artifactsPage(root: HTMLElement, caseId: number): Promise<void> {
  const detail = await api.caseDetail(caseId);
  const f: Filters = saved.get(caseId) ?? { kind: '', q: '', evidence: '', sort: 'occurrences', order: 'desc', pager: initialPager(50) };
  saved.set(caseId, f);

  const kindSel = h('select', { id: 'f-kind' });
  const text = h('input', { id: 'f-q', type: 'search', value: f.q, placeholder: t('artifacts.search_hint'), spellcheck: 'false' });
  const evSel = h('select', { id: 'f-evidence' },
    h('option', { value: '' }, t('artifacts.all_evidence')),
    detail.evidence.map((e) => h('option', { value: e.name, selected: e.name === f.evidence }, `${e.name} — ${e.label}`)));
  const kindsBox = h('div', { class: 'kinds', id: 'kinds' });
  const tableBox = h('div', { id: 'artifact-table' });
  const pagerBox = h('div', { class: 'pager', id: 'pager' });

  let kinds: { kind: string; count: number }[] = [];
  const renderKindSelect = () => replace(kindSel,
    h('option', { value: '' }, t('artifacts.all_kinds')),
    kinds.map((k) => h('option', { value: k.kind, selected: k.kind === f.kind }, `${k.kind} (${num(k.count)})`)));

  const loadKinds = async () => {
    try {
      kinds = await api.kinds(caseId, f.evidence || undefined);
      kinds.sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
    } catch (e) {
      replace(kindsBox, errorBox(e));
      return;
    }
    renderKindSelect();
    const total = kinds.reduce((s, k) => s + k.count, 0);
    replace(kindsBox,
      h('div', { class: 'kind-list' },
        h('div', { class: 'kind-total' }, t('artifacts.distinct', { n: total })),
        h('ul', null, kinds.map((k) => h('li', { class: k.kind === f.kind ? 'active' : '' },
          h('button', { type: 'button', class: 'linklike', 'data-kind': k.kind, on: { click: () => setKind(k.kind === f.kind ? '' : k.kind) } }, k.kind),
          h('span', { class: 'num' }, num(k.count)))))),
      kinds.length ? barChart(kinds.map((k) => ({ label: k.kind, count: k.count })), (kind) => setKind(kind)) : null);
  };

  let seq = 0;
  const loadRows = async () => {
    const mine = ++seq;
    tableBox.classList.add('busy');
    try {
      const page = await api.artifacts(caseId, {
        kind: f.kind, q: f.q, evidence: f.evidence, sort: f.sort, order: f.order, limit: f.pager.limit, cursor: f.pager.cursor,
      });
      if (mine !== seq) return;
      f.pager = applyAnswer(f.pager, page);
      replace(tableBox, table<CaseArtifact>([
        { key: 'artifacts.value', sort: 'value', cell: (a) => link(`#/cases/${caseId}/artifacts/${a.id}`, h('span', { class: 'value' }, a.value)), cls: 'mono wrap' },
        { key: 'artifacts.kind', sort: 'kind', cell: (a) => h('span', { class: 'kind' }, a.kind) },
        { key: 'artifacts.occurrences_here', sort: 'occurrences', cell: (a) => num(a.occurrences_here), cls: 'num' },
        { key: 'artifacts.evidence_count', cell: (a) => num(a.evidence_count), cls: 'num' },
        { key: 'artifacts.cases', sort: 'cases', cell: (a) => a.cases > 1 ? h('strong', { class: 'shared' }, num(a.cases)) : num(a.cases), cls: 'num' },
      ], page.rows ?? [], {
        sort: f, empty: t('artifacts.empty'),
        onSort: (s) => { f.sort = s.sort; f.order = s.order; f.pager = resetPager(f.pager); void loadRows(); },
      }));
      renderPager();
    } catch (e) {
      if (mine === seq) replace(tableBox, errorBox(e));
    } finally {
      if (mine === seq) tableBox.classList.remove('busy');
    }
  };

  const renderPager = () => {
    const r = rowRange(f.pager);
    replace(pagerBox,
      h('button', { type: 'button', class: 'btn btn-small', id: 'page-prev', disabled: !canPrev(f.pager), on: { click: () => { f.pager = goPrev(f.pager); void loadRows(); } } }, '‹ ', t('pager.prev')),
      h('span', { class: 'pager-info', id: 'pager-info' }, t(f.pager.exact ? 'pager.range' : 'pager.range_more', { first: r.first, last: r.last, total: f.pager.total ?? 0 })),
      h('button', { type: 'button', class: 'btn btn-small', id: 'page-next', disabled: !canNext(f.pager), on: { click: () => { f.pager = goNext(f.pager); void loadRows(); } } }, t('pager.next'), ' ›'));
  };

  const setKind = (kind: string) => {
    f.kind = kind;
    f.pager = resetPager(f.pager);
    renderKindSelect();
    for (const li of kindsBox.querySelectorAll('li')) li.classList.toggle('active', li.querySelector('button')?.getAttribute('data-kind') === kind);
    void loadRows();
  };

  kindSel.addEventListener('change', () => setKind(kindSel.value));
  text.addEventListener('input', debounce(() => {
    f.q = text.value.trim();
    f.pager = resetPager(f.pager);
    void loadRows();
  }, 300));
  evSel.addEventListener('change', () => {
    f.evidence = evSel.value;
    f.pager = resetPager(f.pager);
    void loadKinds();
    void loadRows();
  });

  root.append(caseHeading(detail, 'artifacts'),
    h('div', { class: 'artifacts-layout' },
      h('aside', { class: 'panel side' }, h('h2', null, t('artifacts.per_kind')), kindsBox),
      h('section', { class: 'panel flush main-col' },
        h('form', { class: 'filters', role: 'search', on: { submit: (e: Event) => e.preventDefault() } },
          h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('artifacts.kind')), kindSel),
          h('label', { class: 'field grow' }, h('span', { class: 'field-label' }, t('artifacts.search')), text),
          h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('artifacts.evidence')), evSel)),
        tableBox, pagerBox)));
  replace(kindsBox, loading());
  replace(tableBox, loading());
  await Promise.all([loadKinds(), loadRows()]);
}
