// A case's cooperation requests: the list with their clocks, and the form that writes a new
// draft (type, addressee from the 24/7 directory, identifiers from the case's artifacts).
import { h, replace, link } from '../dom';
import { api, CaseArtifact, CoopRequest, DirectoryEntry } from '../api';
import { t, num, date } from '../i18n';
import { canDraftRequest, navigate } from '../app';
import { errorText, field, info, mono, section, table } from '../ui';
import { kCategories, kDocLanguages, kRequestTypes, splitList } from '../coop';
import { caseHeading } from './casenav';
import { dueCell, requestStateBadge, requestTypeLabel } from './coopui';

export async function requestsPage(root: HTMLElement, caseId: number): Promise<void> {
  const [detail, requests] = await Promise.all([api.caseDetail(caseId), api.requests(caseId)]);
  root.append(caseHeading(detail, 'requests'));
  root.append(h('section', { class: 'panel flush', id: 'requests' },
    h('h2', null, t('requests.title'), ' ', h('span', { class: 'count' }, num(requests.length))),
    table<CoopRequest>([
      { key: 'requests.reference', cell: (r) => link(`#/cases/${caseId}/requests/${r.id}`, h('span', { class: 'mono' }, r.reference)), cls: 'nowrap' },
      { key: 'requests.version', cell: (r) => num(r.version), cls: 'num' },
      { key: 'requests.type', cell: (r) => requestTypeLabel(r.type) },
      { key: 'requests.to', cell: (r) => [mono(String(r.document?.addressee?.key ?? '')), h('div', { class: 'muted small' }, String(r.document?.addressee?.authority ?? ''))] },
      { key: 'requests.state', cell: (r) => requestStateBadge(r.state) },
      { key: 'requests.due', cell: (r) => dueCell(r.due) },
      { key: 'requests.updated', cell: (r) => date(r.updated), cls: 'nowrap' },
    ], [...requests].sort((a, b) => b.id - a.id), { empty: t('requests.empty') })));
  if (canDraftRequest()) root.append(await newRequestForm(caseId));
}

async function newRequestForm(caseId: number): Promise<HTMLElement> {
  let entries: DirectoryEntry[] = [];
  let artifacts: CaseArtifact[] = [];
  const msg = h('div', { class: 'form-msg', id: 'nr-msg' });
  try {
    [entries, artifacts] = await Promise.all([
      api.directory({}),
      api.artifacts(caseId, { limit: 50, sort: 'occurrences', order: 'desc' }).then((p) => p.rows).catch(() => [] as CaseArtifact[]),
    ]);
  } catch (e) {
    replace(msg, info(errorText(e), 'error'));
  }
  const partners = entries.filter((e) => !e.own);
  const type = h('select', { id: 'nr-type' }, kRequestTypes.map((ty) => h('option', { value: ty }, requestTypeLabel(ty))));
  const to = h('select', { id: 'nr-to', required: true },
    h('option', { value: '' }, t('requests.pick_addressee')),
    partners.map((e) => h('option', { value: e.key }, `${e.key} — ${e.country} — ${e.authority}`)));
  const ids = h('select', { id: 'nr-identifiers', multiple: true, size: String(Math.min(8, Math.max(3, artifacts.length))) },
    artifacts.map((a) => h('option', { value: String(a.id) }, `${a.kind}: ${a.value}`)));
  const extra = h('input', { id: 'nr-values', spellcheck: 'false', class: 'mono', placeholder: t('requests.values_hint') });
  const category = h('select', { id: 'nr-category' }, h('option', { value: '' }, '—'),
    kCategories.map((c) => h('option', { value: c }, t(`category.${c}`))));
  const language = h('select', { id: 'nr-language' }, kDocLanguages.map((l) => h('option', { value: l, selected: l === 'en' }, t(`doclang.${l}`))));
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'nr-submit' }, t('requests.create'));
  const form = h('form', { class: 'form', id: 'new-request-form' },
    h('div', { class: 'form-inline' }, field('requests.type', type), h('div', { class: 'field grow' }, field('requests.to', to)),
      field('requests.category', category), field('requests.language', language)),
    h('div', { class: 'form-inline' },
      h('div', { class: 'field grow' }, field('requests.identifiers', ids, artifacts.length ? t('requests.identifiers_hint') : t('requests.no_artifacts'))),
      h('div', { class: 'field grow' }, field('requests.values', extra))),
    partners.length === 0 ? info(t('requests.no_directory'), 'warn') : null,
    h('div', { class: 'actions' }, submit), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!to.value) { replace(msg, info(t('requests.pick_addressee'), 'error')); return; }
    submit.disabled = true;
    replace(msg);
    // Artifact ids as digit strings: the server takes a list of strings (ids, "kind:value" or values).
    const identifiers: string[] = [...ids.selectedOptions].map((o) => o.value);
    identifiers.push(...splitList(extra.value));
    try {
      const r = await api.newRequest(caseId, {
        type: type.value, to: to.value, identifiers, language: language.value,
        ...(category.value ? { category: category.value } : {}),
      });
      navigate(`#/cases/${caseId}/requests/${r.id}`);
    } catch (err) {
      replace(msg, info(errorText(err), 'error'));
    } finally {
      submit.disabled = false;
    }
  });
  return section('requests.new', h('p', { class: 'muted small' }, t('requests.new_intro')), form);
}
