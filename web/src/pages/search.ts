// Search every case the user sees for an artifact value (GET /search): where it was found, and
// how many other cases hold it without naming them.
import { h, link, replace } from '../dom';
import { api, Artifact, Sighting } from '../api';
import { t, num } from '../i18n';
import { errorBox, info, loading, mono, table } from '../ui';

interface Found {
  artifact: Artifact;
  sightings: Sighting[];
  other_cases_hidden: number;
}

let lastQuery = '';

export async function searchPage(root: HTMLElement): Promise<void> {
  const q = h('input', { id: 'search-q', type: 'search', value: lastQuery, required: true, spellcheck: 'false', placeholder: t('search.hint'), class: 'mono' });
  const results = h('div', { id: 'search-results' });
  const run = async () => {
    lastQuery = q.value.trim();
    if (!lastQuery) return;
    replace(results, loading());
    try {
      const rows = await api.search(lastQuery);
      replace(results, rows.length === 0 ? info(t('search.none')) : table<Found>([
        { key: 'artifacts.value', cell: (r) => mono(r.artifact.value), cls: 'wrap' },
        { key: 'artifacts.kind', cell: (r) => h('span', { class: 'kind' }, r.artifact.kind) },
        { key: 'search.found_in', cell: (r) => h('div', { class: 'elsewhere' },
          r.sightings.map((s) => h('span', { class: 'chip' },
            link(`#/cases/${s.case}/artifacts/${r.artifact.id}`, mono(s.case_number)), ' ', s.evidence_name, ' ×', num(s.occurrences))),
          r.other_cases_hidden > 0 ? h('span', { class: 'chip chip-hidden' }, t('sightings.hidden', { n: r.other_cases_hidden })) : null) },
        { key: 'artifacts.cases', cell: (r) => num(r.artifact.cases), cls: 'num' },
      ], rows));
    } catch (e) {
      replace(results, errorBox(e));
    }
  };
  root.append(h('div', { class: 'page-head' }, h('h1', null, t('search.title'))),
    h('section', { class: 'panel' },
      h('form', { class: 'form form-inline', role: 'search', on: { submit: (e: Event) => { e.preventDefault(); void run(); } } },
        h('label', { class: 'field grow' }, h('span', { class: 'field-label' }, t('search.label')), q),
        h('button', { type: 'submit', class: 'btn btn-primary', id: 'search-submit' }, t('search.submit'))),
      h('p', { class: 'muted small' }, t('search.intro'))),
    h('section', { class: 'panel flush' }, results));
  if (lastQuery) await run();
}
