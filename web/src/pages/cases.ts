// The list of the user's cases, and the dialog that creates one.
import { h, link, replace } from '../dom';
import { api, Case, CoopRequest } from '../api';
import { t, num, date } from '../i18n';
import { canCreateCase, navigate } from '../app';
import { errorText, field, info, mono, openDialog, stateBadge, table } from '../ui';
import { sortByDue } from '../coop';
import { dueCell, requestStateBadge, requestTypeLabel } from './coopui';

export async function casesPage(root: HTMLElement): Promise<void> {
  const [cases, due] = await Promise.all([api.cases(), api.due('7d').catch(() => null)]);
  root.append(h('div', { class: 'page-head' },
    h('h1', null, t('cases.title')),
    h('span', { class: 'count' }, t('cases.count', { n: cases.length })),
    h('div', { class: 'spacer' }),
    canCreateCase() ? h('button', { type: 'button', class: 'btn btn-primary', id: 'new-case', on: { click: createCaseDialog } }, t('cases.new')) : null));
  root.append(h('section', { class: 'panel flush', id: 'cases-list' }, table<Case>([
    { key: 'case.number', cell: (c) => link(`#/cases/${c.id}`, c.number), cls: 'mono nowrap' },
    { key: 'case.title', cell: (c) => link(`#/cases/${c.id}`, c.title) },
    { key: 'case.offence', cell: (c) => c.offence },
    { key: 'case.examiner', cell: (c) => c.examiner },
    { key: 'case.evidence_count', cell: (c) => num(c.evidence_count), cls: 'num' },
    { key: 'case.status', cell: (c) => stateBadge(c.status) },
    { key: 'case.created', cell: (c) => date(c.created), cls: 'nowrap' },
  ], cases, { empty: t('cases.empty') })));
  if (due) root.append(duePanel(due, cases));
}

// Cooperation requests whose clock ends within 7 days, overdue first.
function duePanel(due: CoopRequest[], cases: Case[]): HTMLElement {
  const number = new Map(cases.map((c) => [c.id, c.number]));
  return h('section', { class: 'panel flush', id: 'due' },
    h('h2', null, t('due.title'), ' ', h('span', { class: 'count' }, num(due.length))),
    table<CoopRequest>([
      { key: 'requests.reference', cell: (r) => link(`#/cases/${r.case_id}/requests/${r.id}`, h('span', { class: 'mono' }, r.reference)), cls: 'nowrap' },
      { key: 'case.number', cell: (r) => link(`#/cases/${r.case_id}/requests`, mono(number.get(r.case_id) ?? `#${r.case_id}`)), cls: 'nowrap' },
      { key: 'requests.type', cell: (r) => requestTypeLabel(r.type) },
      { key: 'requests.to', cell: (r) => String(r.document?.addressee?.authority ?? '') },
      { key: 'requests.state', cell: (r) => requestStateBadge(r.state) },
      { key: 'requests.due', cell: (r) => dueCell(r.due) },
    ], sortByDue(due), { empty: t('due.empty'), rowClass: (r) => (r.overdue ? 'overdue' : '') }));
}

function createCaseDialog(): void {
  const number = h('input', { id: 'case-number', required: true, maxlength: '100', placeholder: 'CCD/2026/0142' });
  const title = h('input', { id: 'case-title', required: true, maxlength: '300' });
  const offence = h('input', { id: 'case-offence', maxlength: '300' });
  const examiner = h('input', { id: 'case-examiner', maxlength: '200', placeholder: t('cases.examiner_default') });
  const msg = h('div', { class: 'form-msg' });
  const form = h('form', { class: 'form', id: 'case-form', method: 'dialog' },
    field('case.number', number), field('case.title', title), field('case.offence', offence), field('case.examiner', examiner), msg);
  const create = h('button', { type: 'button', class: 'btn btn-primary', id: 'case-create' }, t('cases.create'));
  const cancel = h('button', { type: 'button', class: 'btn' }, t('common.cancel'));
  const dlg = openDialog('cases.new', form, [cancel, create]);
  cancel.addEventListener('click', () => dlg.close());
  const submit = async () => {
    if (!form.reportValidity()) return;
    create.disabled = true;
    try {
      const c = await api.createCase({
        number: number.value.trim(), title: title.value.trim(), offence: offence.value.trim(),
        ...(examiner.value.trim() ? { examiner: examiner.value.trim() } : {}),
      });
      dlg.close();
      navigate(`#/cases/${c.id}`);
    } catch (e) {
      replace(msg, info(errorText(e), 'error'));
    } finally {
      create.disabled = false;
    }
  };
  create.addEventListener('click', () => void submit());
  form.addEventListener('submit', (e) => { e.preventDefault(); void submit(); });
}
