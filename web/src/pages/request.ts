// One cooperation request: its document as a form in sections, saved as JSON merge patches
// while the user types; the server's problems (by field path) are shown at their fields and
// counted ("live validation"). Finalize (signs), mark sent / answered / ..., extend, follow-up,
// the documents (PDF / DOCX in a chosen language, optionally bilingual) and the history.
// A request that is no longer a draft is shown read-only with its signature.
import { h, replace, link, debounce, Child } from '../dom';
import { api, ApiError, CoopRequest, RequestProblem } from '../api';
import { t, date, lang as uiLang } from '../i18n';
import { canDraftRequest, navigate } from '../app';
import { badge, errorText, field, info, mono, openDialog, table } from '../ui';
import { clone, documentUrl, getPath, groupProblems, intOrText, kCategories, kDocLanguages, kLegalBases, kMarkStates, mergePatch, setPath, splitList } from '../coop';
import { caseHeading } from './casenav';
import { dueBadge, requestStateBadge, requestTypeLabel } from './coopui';

type Kind = 'text' | 'area' | 'select' | 'tri' | 'bool' | 'int' | 'list' | 'checks';
interface FieldSpec {
  path: string;
  kind?: Kind;
  options?: string[];
  optKey?: string;      // i18n prefix of the options' labels
  readonly?: boolean;
  placeholder?: string;
}

const kDate = 'YYYY-MM-DD';
const kSections: { id: string; fields: FieldSpec[] }[] = [
  { id: 'header', fields: [
    { path: 'reference' }, { path: 'date', placeholder: kDate },
    { path: 'status', kind: 'select', options: ['new', 'extension', 'followup_mla', 'followup_preservation'], optKey: 'rstatus' },
    { path: 'earlier_reference' },
    { path: 'language', kind: 'select', options: kDocLanguages, optKey: 'doclang' },
    { path: 'target_language', kind: 'select', options: kDocLanguages, optKey: 'doclang' },
    { path: 'urgency' }, { path: 'deadline', placeholder: kDate }] },
  { id: 'addressee', fields: [
    { path: 'addressee/key', readonly: true }, { path: 'addressee/country', placeholder: 'FR' },
    { path: 'addressee/authority' }, { path: 'addressee/unit' }, { path: 'addressee/email' },
    { path: 'addressee/phones', kind: 'list' }, { path: 'addressee/time_zone', placeholder: 'Europe/Paris' },
    { path: 'addressee/kind', kind: 'select', options: ['247', 'central_authority', 'provider'], optKey: 'akind' }] },
  { id: 'requesting', fields: [
    { path: 'requesting/organisation' }, { path: 'requesting/country' }, { path: 'requesting/officer' },
    { path: 'requesting/address' }, { path: 'requesting/phone' }, { path: 'requesting/email' },
    { path: 'requesting/hours' }, { path: 'requesting/time_zone', placeholder: 'Asia/Colombo' },
    { path: 'requesting/reply_channel' }, { path: 'confirmation_contact' }, { path: 'operational_authority' }] },
  { id: 'case', fields: [
    { path: 'case/number' }, { path: 'case/title' }, { path: 'case/court' },
    { path: 'case/case_numbers', kind: 'list' }, { path: 'case/related_decisions', kind: 'area' }] },
  { id: 'legal', fields: [
    { path: 'legal_basis', kind: 'checks', options: kLegalBases, optKey: 'basis' },
    { path: 'domestic_grounds', kind: 'area' }, { path: 'validated_by' }] },
  { id: 'offences', fields: [] },
  { id: 'facts', fields: [{ path: 'summary', kind: 'area' }, { path: 'relationship', kind: 'area' }] },
  { id: 'identifiers', fields: [] },
  { id: 'provider', fields: [{ path: 'provider/name' }, { path: 'provider/address' }, { path: 'provider/reason', kind: 'area' }] },
  { id: 'necessity', fields: [{ path: 'necessity', kind: 'area' }, { path: 'retention' }, { path: 'period_days', kind: 'int' }] },
  { id: 'followup', fields: [
    { path: 'mla_follows', kind: 'tri' }, { path: 'mla_planned_date', placeholder: kDate },
    { path: 'earlier_preservation/reference' }, { path: 'earlier_preservation/date', placeholder: kDate },
    { path: 'earlier_preservation/authority' }, { path: 'earlier_preservation/channel' },
    { path: 'earlier_mla/reference' }, { path: 'earlier_mla/date', placeholder: kDate },
    { path: 'earlier_mla/authority' }, { path: 'earlier_mla/channel' }] },
  { id: 'confidentiality', fields: [
    { path: 'no_notification', kind: 'tri' }, { path: 'traffic_path', kind: 'bool' }, { path: 'confidentiality', kind: 'area' }] },
  { id: 'delivery', fields: [
    { path: 'delivery_form' }, { path: 'authenticity' }, { path: 'chain_of_custody' }, { path: 'other_means', kind: 'area' }] },
  { id: 'emergency', fields: [{ path: 'emergency/facts', kind: 'area' }, { path: 'emergency/link', kind: 'area' }] },
];
const kIdentifierCols: FieldSpec[] = [
  { path: 'kind' }, { path: 'value' },
  { path: 'category', kind: 'select', options: ['', ...kCategories], optKey: 'category' },
  { path: 'observed', placeholder: 'YYYY-MM-DDTHH:MM:SS' }, { path: 'time_zone', placeholder: 'Europe/Paris' },
  { path: 'port', kind: 'int' }, { path: 'from', placeholder: kDate }, { path: 'to', placeholder: kDate },
];
const kOffenceCols: FieldSpec[] = [{ path: 'description' }, { path: 'provisions' }, { path: 'penalty' }];

const labelKey = (path: string) => `reqf.${path.replace(/\//g, '.')}`;

interface Slot {
  el: HTMLElement;       // gets the error class
  errs: HTMLElement;     // gets the messages
  control?: HTMLElement; // focused from the summary
}

export async function requestPage(root: HTMLElement, caseId: number, requestId: number): Promise<void> {
  const [detail, r] = await Promise.all([api.caseDetail(caseId), api.coopRequest(caseId, requestId)]);
  root.append(caseHeading(detail, 'requests'));
  const body = h('div', { id: 'request-page' });
  root.append(body);
  new RequestView(body, caseId, r).render();
}

class RequestView {
  private doc: Record<string, any>;
  private saved: Record<string, any>;
  private problems: RequestProblem[];
  private slots = new Map<string, Slot>();
  private saving = false;
  private again = false;
  private editable: boolean;
  private saveState = h('span', { class: 'save-state muted small', id: 'save-state', 'aria-live': 'polite' });
  private countBox = h('div', { class: 'problem-count', id: 'problem-count' });
  private problemList = h('ul', { class: 'problem-list', id: 'problem-list' });
  private formBox = h('div', { class: 'request-form', id: 'request-form' });
  private msg = h('div', { class: 'form-msg', id: 'request-msg' });
  private finalizeBtn: HTMLButtonElement | null = null;
  // The preview: the document's pages as images, drawn by the server as the PDF is.
  private previewBox = h('div', { class: 'preview-pages', id: 'request-preview' });
  private previewQuery: { lang: string; second: string } | null = null;  // null: closed
  private previewUrls: string[] = [];
  private previewRun = 0;
  private scheduleSave = debounce(() => void this.save(), 600);

  constructor(private root: HTMLElement, private caseId: number, private r: CoopRequest) {
    this.doc = clone(r.document ?? {});
    this.saved = clone(r.document ?? {});
    this.problems = r.problems ?? [];
    this.editable = r.state === 'draft' && canDraftRequest();
  }

  render(): void {
    const r = this.r;
    replace(this.root,
      this.headPanel(),
      this.actionsPanel(),
      r.state === 'draft' ? h('section', { class: 'panel problems-panel', id: 'problems' },
        h('div', { class: 'panel-head' }, h('h2', null, t('request.check')), this.saveState), this.countBox, this.problemList) : null,
      this.msg,
      this.previewPanel(),
      this.formBox,
      this.historyPanel());
    this.renderForm();
  }

  // ---- heading, actions, documents, history ----

  private headPanel(): HTMLElement {
    const r = this.r;
    const kv = (key: string, v: Child) => [h('dt', null, t(key)), h('dd', null, v)];
    return h('section', { class: 'panel', id: 'request-head' },
      h('div', { class: 'panel-head' },
        h('h2', null, h('span', { class: 'mono', id: 'request-reference' }, r.reference), ' ',
          h('span', { class: 'muted' }, t('request.version', { n: r.version })), ' ', requestStateBadge(r.state)),
        h('div', { class: 'spacer' }), dueBadge(r.due, 'request-due')),
      h('dl', { class: 'kv' },
        kv('requests.type', requestTypeLabel(r.type)),
        kv('requests.to', [mono(String(r.document?.addressee?.key ?? '')), ' ', String(r.document?.addressee?.authority ?? '')]),
        kv('requests.due', r.due ? h('span', { id: 'request-due-date' }, date(r.due)) : '—'),
        kv('requests.created', date(r.created)), kv('requests.updated', date(r.updated)),
        r.supersedes ? kv('request.supersedes', link(`#/cases/${this.caseId}/requests/${r.supersedes}`, `#${r.supersedes}`)) : null,
        r.follows ? kv('request.follows', link(`#/cases/${this.caseId}/requests/${r.follows}`, `#${r.follows}`)) : null,
        r.signature ? kv('request.signature', h('span', { class: 'mono signature', id: 'request-signature' }, r.signature)) : null),
      r.state !== 'draft' ? info(r.signature ? t('request.readonly_signed') : t('request.readonly'), 'info') : null);
  }

  private actionsPanel(): HTMLElement {
    const r = this.r;
    const next = r.next_states ?? [];
    const buttons: HTMLElement[] = [];
    if (canDraftRequest()) {
      if (next.includes('finalized')) {
        this.finalizeBtn = h('button', { type: 'button', class: 'btn btn-primary', id: 'finalize', on: { click: () => void this.finalize() } }, t('request.finalize'));
        buttons.push(this.finalizeBtn);
      }
      for (const s of next.filter((x) => kMarkStates.includes(x)))
        buttons.push(h('button', { type: 'button', class: 'btn', id: `mark-${s}`, on: { click: () => this.markDialog(s) } }, t(`request.mark.${s}`)));
      if ((r.type === 'preservation' || r.type === 'epoc-pr') && (r.state === 'sent' || r.state === 'acknowledged'))
        buttons.push(h('button', { type: 'button', class: 'btn', id: 'extend', on: { click: () => void this.derive('extend') } }, t('request.extend')));
      if ((r.type === 'preservation' || r.type === 'emergency') && r.state !== 'draft' && r.state !== 'superseded')
        buttons.push(h('button', { type: 'button', class: 'btn', id: 'follow-up', on: { click: () => void this.derive('follow-up') } }, t('request.follow_up')));
    }
    const target = String(r.document?.target_language || 'en');
    const lang = h('select', { id: 'doc-language' }, kDocLanguages.map((l) => h('option', { value: l, selected: l === target }, t(`doclang.${l}`))));
    const second = h('select', { id: 'doc-bilingual' }, h('option', { value: '' }, t('request.monolingual')),
      kDocLanguages.map((l) => h('option', { value: l }, t(`doclang.${l}`))));
    const pdf = h('a', { class: 'btn', id: 'download-pdf', download: '' }, t('request.download_pdf'));
    const docx = h('a', { class: 'btn', id: 'download-docx', download: '' }, t('request.download_docx'));
    // The preview shows the pages in this page, as images the server draws with the PDF's layout
    // (no PDF viewer, no frame: the CSP allows none).
    const preview = h('button', { type: 'button', class: 'btn', id: 'preview', on: { click: () => {
      this.previewQuery = { lang: lang.value, second: second.value };
      void this.loadPreview();
    } } }, t('request.preview'));
    const update = () => {
      pdf.href = documentUrl(this.caseId, r.id, 'pdf', lang.value, second.value);
      docx.href = documentUrl(this.caseId, r.id, 'docx', lang.value, second.value);
      if (this.previewQuery) {
        this.previewQuery = { lang: lang.value, second: second.value };
        void this.loadPreview();
      }
    };
    lang.addEventListener('change', update);
    second.addEventListener('change', update);
    update();
    return h('section', { class: 'panel', id: 'request-actions' },
      buttons.length ? h('div', { class: 'row-actions actions-start' }, buttons) : null,
      h('div', { class: 'form-inline documents' },
        field('request.doc_language', lang), field('request.doc_bilingual', second), preview, pdf, docx),
      r.state === 'draft' ? h('p', { class: 'muted small' }, t('request.draft_mark')) : null);
  }

  private previewPanel(): HTMLElement {
    if (this.previewQuery) void this.loadPreview();
    return this.previewBox;
  }

  // Fetches every page of the preview (page 1 says how many there are) and shows them; a newer
  // call (another language, a saved change) wins over one still running.
  private async loadPreview(): Promise<void> {
    const q = this.previewQuery;
    if (!q) return;
    const run = ++this.previewRun;
    const base = documentUrl(this.caseId, this.r.id, 'png', q.lang, q.second);
    const fetchPage = async (n: number): Promise<{ url: string; pages: number }> => {
      const res = await fetch(`${base}&page=${n}&dpi=96`, { credentials: 'same-origin', headers: { 'Accept-Language': uiLang() } });
      if (!res.ok) {
        let message = res.statusText;
        try { message = (await res.json()).message ?? message; } catch { /* not JSON */ }
        throw new Error(message);
      }
      return { url: URL.createObjectURL(await res.blob()), pages: Number(res.headers.get('X-Pages') ?? '1') };
    };
    if (!this.previewBox.firstChild) replace(this.previewBox, info(t('request.preview_loading'), 'info'));
    try {
      const first = await fetchPage(1);
      const urls = [first.url];
      for (let n = 2; n <= first.pages && n <= 50; ++n) urls.push((await fetchPage(n)).url);
      if (run !== this.previewRun) { urls.forEach((u) => URL.revokeObjectURL(u)); return; }
      this.previewUrls.forEach((u) => URL.revokeObjectURL(u));
      this.previewUrls = urls;
      replace(this.previewBox, h('section', { class: 'panel preview-panel' },
        h('div', { class: 'panel-head' }, h('h2', null, t('request.preview_title', { n: urls.length })), h('div', { class: 'spacer' }),
          h('button', { type: 'button', class: 'btn btn-small', id: 'preview-close', on: { click: () => this.closePreview() } }, t('request.preview_close'))),
        h('div', { class: 'preview-sheets', dir: 'ltr' }, urls.map((u, i) =>
          h('img', { class: 'preview-sheet', src: u, alt: t('request.preview_page', { n: i + 1, m: urls.length }), 'data-page': String(i + 1) })))));
    } catch (e) {
      if (run === this.previewRun) replace(this.previewBox, info(errorText(e), 'error'));
    }
  }

  private closePreview(): void {
    this.previewQuery = null;
    ++this.previewRun;
    this.previewUrls.forEach((u) => URL.revokeObjectURL(u));
    this.previewUrls = [];
    replace(this.previewBox);
  }

  private historyPanel(): HTMLElement {
    const hist = [...(this.r.history ?? [])].sort((a, b) => b.seq - a.seq);
    return h('section', { class: 'panel flush', id: 'request-history' }, h('h2', null, t('request.history')),
      table([
        { key: 'request.h_time', cell: (e: any) => date(e.time), cls: 'nowrap' },
        { key: 'request.h_actor', cell: (e: any) => e.actor },
        { key: 'request.h_state', cell: (e: any) => requestStateBadge(e.state) },
        { key: 'request.h_note', cell: (e: any) => e.note },
      ], hist));
  }

  private markDialog(state: string): void {
    const note = h('textarea', { id: 'mark-note', rows: '3', placeholder: t('request.note_hint') });
    const err = h('div', { class: 'form-msg' });
    const ok = h('button', { type: 'button', class: 'btn btn-primary', id: 'mark-confirm' }, t(`request.mark.${state}`));
    const cancel = h('button', { type: 'button', class: 'btn' }, t('common.cancel'));
    const dlg = openDialog('request.mark_title', h('div', { class: 'form' },
      h('p', null, t('request.mark_text', { reference: this.r.reference, state: t(`rstate.${state}`) })),
      field('request.note', note), err), [cancel, ok]);
    cancel.addEventListener('click', () => dlg.close());
    ok.addEventListener('click', async () => {
      ok.disabled = true;
      try {
        this.r = await api.markRequest(this.caseId, this.r.id, state, note.value.trim());
        dlg.close();
        this.reset(this.r);
      } catch (e) {
        replace(err, info(errorText(e), 'error'));
        ok.disabled = false;
      }
    });
  }

  private async finalize(): Promise<void> {
    if (!this.finalizeBtn) return;
    this.finalizeBtn.disabled = true;
    replace(this.msg);
    try {
      await this.save();
      if (this.problems.length > 0) return;
      this.reset(await api.finalizeRequest(this.caseId, this.r.id));
    } catch (e) {
      replace(this.msg, info(errorText(e), 'error'));
    } finally {
      this.updateFinalize();
    }
  }

  private async derive(what: 'extend' | 'follow-up'): Promise<void> {
    replace(this.msg);
    try {
      const n = what === 'extend' ? await api.extendRequest(this.caseId, this.r.id) : await api.followUpRequest(this.caseId, this.r.id);
      navigate(`#/cases/${this.caseId}/requests/${n.id}`);
    } catch (e) {
      replace(this.msg, info(errorText(e), 'error'));
    }
  }

  // A new state from the server: everything shown again (with the history, read again).
  private reset(r: CoopRequest): void {
    this.r = r;
    void api.coopRequest(this.caseId, r.id).then((full) => {
      this.r = full;
      this.doc = clone(full.document ?? {});
      this.saved = clone(full.document ?? {});
      this.problems = full.problems ?? [];
      this.editable = full.state === 'draft' && canDraftRequest();
      this.render();
    }).catch((e) => replace(this.msg, info(errorText(e), 'error')));
  }

  // ---- saving ----

  private changed(): void {
    this.saveState.textContent = t('request.unsaved');
    this.updateFinalize();
    this.scheduleSave();
  }

  private async save(): Promise<void> {
    if (!this.editable) return;
    if (this.saving) { this.again = true; return; }
    const patch = mergePatch(this.saved, this.doc);
    if (Object.keys(patch).length === 0) { this.saveState.textContent = t('request.saved'); this.updateFinalize(); return; }
    this.saving = true;
    this.saveState.textContent = t('request.saving');
    const sent = clone(this.doc);
    try {
      const answer = await api.patchRequest(this.caseId, this.r.id, patch);
      if (answer.id !== this.r.id) { navigate(`#/cases/${this.caseId}/requests/${answer.id}`); return; }
      this.saved = sent;
      this.r = { ...this.r, ...answer, history: this.r.history };
      this.problems = answer.problems ?? [];
      replace(this.msg);
      this.saveState.textContent = t('request.saved');
      this.showProblems();
      if (this.previewQuery) void this.loadPreview();
    } catch (e) {
      // A value the server refuses ("identifiers/0/port: must be a whole number") is shown at
      // its field too; the draft keeps the last accepted values.
      const m = e instanceof ApiError ? /^([a-z_]+(?:\/[a-z0-9_]+)*): (.*)$/.exec(e.message) : null;
      this.saveState.textContent = t('request.not_saved');
      replace(this.msg, info(errorText(e), 'error'));
      if (m) this.showProblems([{ field: m[1], message: m[2] }]);
    } finally {
      this.saving = false;
      this.updateFinalize();
    }
    if (this.again) { this.again = false; await this.save(); }
  }

  private dirty(): boolean {
    return Object.keys(mergePatch(this.saved, this.doc)).length > 0;
  }

  private updateFinalize(): void {
    if (this.finalizeBtn) {
      this.finalizeBtn.disabled = this.problems.length > 0 || this.saving || this.dirty();
      this.finalizeBtn.title = this.problems.length > 0 ? t('request.finalize_blocked') : '';
    }
  }

  // ---- problems ----

  private showProblems(extra: RequestProblem[] = []): void {
    for (const s of this.slots.values()) {
      s.el.classList.remove('has-error');
      replace(s.errs);
    }
    const all = [...this.problems, ...extra];
    const groups = groupProblems(all, (p) => this.slots.has(p));
    for (const [target, list] of groups) {
      const slot = this.slots.get(target);
      if (!slot) continue;
      slot.el.classList.add('has-error');
      replace(slot.errs, list.map((p) => h('div', { class: 'field-error', 'data-problem': p.field }, p.message)));
    }
    // Per section: how many problems it shows.
    for (const sec of this.formBox.querySelectorAll<HTMLElement>('section[data-section]')) {
      const n = sec.querySelectorAll('.field-error').length;
      const mark = sec.querySelector('.section-problems');
      if (mark) replace(mark, n ? badge(String(n), 'bad') : null);
    }
    const n = this.problems.length;
    this.countBox.setAttribute('data-count', String(n));
    replace(this.countBox, n === 0
      ? info(t('request.no_problems'), 'ok')
      : info(t('request.problems', { n }), 'warn'));
    replace(this.problemList, this.problems.map((p) => {
      const target = groups.size ? [...groups.entries()].find(([, l]) => l.includes(p))?.[0] ?? '' : '';
      const slot = this.slots.get(target);
      return h('li', null, h('button', {
        type: 'button', class: 'linklike', 'data-field': p.field,
        on: { click: () => { const c = slot?.control ?? slot?.el; c?.scrollIntoView({ block: 'center' }); (c as HTMLElement | undefined)?.focus?.(); } },
      }, h('span', { class: 'mono small' }, p.field), ' — ', p.message));
    }));
    this.updateFinalize();
  }

  // ---- the form ----

  private renderForm(): void {
    this.slots.clear();
    replace(this.formBox, kSections.map((s) => this.sectionEl(s.id, s.fields)));
    this.showProblems();
  }

  private sectionEl(id: string, fields: FieldSpec[]): HTMLElement {
    const errs = h('div', { class: 'field-errors' });
    const sec = h('section', { class: 'panel req-section', id: `sec-${id}`, 'data-section': id },
      h('div', { class: 'panel-head' }, h('h2', null, t(`reqsec.${id}`)), h('span', { class: 'section-problems' })));
    if (id === 'offences') {
      sec.append(this.rowsTable('offences', kOffenceCols, () => ({ description: '', provisions: '', penalty: '' })), errs);
      this.slots.set('offences', { el: sec, errs });
    } else if (id === 'identifiers') {
      sec.append(this.rowsTable('identifiers', kIdentifierCols, () => ({ artifact: 0, kind: '', value: '', category: '', observed: '', time_zone: '', port: 0, from: '', to: '' })), errs);
      this.slots.set('identifiers', { el: sec, errs });
    } else {
      sec.append(h('div', { class: 'req-grid' }, fields.map((f) => this.fieldEl(f))));
    }
    return sec;
  }

  private fieldEl(f: FieldSpec): HTMLElement {
    const control = this.control(f.path, f);
    const errs = h('div', { class: 'field-errors' });
    const wrap = h(f.kind === 'checks' ? 'div' : 'label', { class: ['field', f.kind === 'area' || f.kind === 'checks' ? 'wide' : ''], 'data-field': f.path },
      h('span', { class: 'field-label' }, t(labelKey(f.path))), control, errs);
    this.slots.set(f.path, { el: wrap, errs, control });
    return wrap;
  }

  // An input bound to doc[path].
  private control(path: string, f: FieldSpec): HTMLElement {
    const value = getPath(this.doc, path);
    const ro = !this.editable || !!f.readonly;
    const common = { 'data-path': path, disabled: ro, 'aria-label': t(labelKey(f.path)) };
    const bind = (el: HTMLElement, ev: string, read: () => unknown) =>
      el.addEventListener(ev, () => { setPath(this.doc, path, read()); this.changed(); });
    switch (f.kind ?? 'text') {
      case 'area': {
        const el = h('textarea', { ...common, rows: '3', value: String(value ?? '') });
        bind(el, 'input', () => el.value);
        return el;
      }
      case 'select': {
        const cur = String(value ?? '');
        const opts = f.options ?? [];
        const el = h('select', common,
          !opts.includes(cur) ? h('option', { value: cur, selected: true }, cur || '—') : null,
          opts.map((o) => h('option', { value: o, selected: o === cur }, o === '' ? '—' : t(`${f.optKey}.${o}`))));
        bind(el, 'change', () => el.value);
        return el;
      }
      case 'tri': {
        const cur = value === true ? 'yes' : value === false ? 'no' : '';
        const el = h('select', common, ['', 'yes', 'no'].map((o) => h('option', { value: o, selected: o === cur }, o === '' ? t('request.unanswered') : t(`common.${o}`))));
        bind(el, 'change', () => (el.value === 'yes' ? true : el.value === 'no' ? false : null));
        return el;
      }
      case 'bool': {
        const el = h('input', { ...common, type: 'checkbox', checked: value === true });
        bind(el, 'change', () => el.checked);
        return el;
      }
      case 'int': {
        const el = h('input', { ...common, inputmode: 'numeric', class: 'mono', value: value === 0 || value === undefined || value === null ? '' : String(value) });
        bind(el, 'input', () => intOrText(el.value));
        return el;
      }
      case 'list': {
        const el = h('input', { ...common, value: Array.isArray(value) ? value.join(', ') : '', placeholder: t('request.list_hint') });
        bind(el, 'input', () => splitList(el.value));
        return el;
      }
      case 'checks': {
        const cur = Array.isArray(value) ? value.map(String) : [];
        const box = h('div', { class: 'checks', 'data-path': path });
        const boxes = (f.options ?? []).map((o) => h('input', { type: 'checkbox', value: o, checked: cur.includes(o), disabled: ro, 'data-value': o }));
        const read = () => {
          const known = boxes.filter((b) => b.checked).map((b) => b.value);
          return [...known, ...cur.filter((c) => !(f.options ?? []).includes(c))];
        };
        for (const b of boxes) {
          b.addEventListener('change', () => { setPath(this.doc, path, read()); this.changed(); });
          box.append(h('label', { class: 'check' }, b, h('span', null, t(`${f.optKey}.${b.value}`))));
        }
        return box;
      }
      default: {
        const el = h('input', { ...common, value: String(value ?? ''), placeholder: f.placeholder, spellcheck: 'false' });
        bind(el, 'input', () => el.value);
        return el;
      }
    }
  }

  // Offences / identifiers: a table with a row per element, add and remove.
  private rowsTable(name: 'offences' | 'identifiers', cols: FieldSpec[], blank: () => Record<string, unknown>): HTMLElement {
    const rows: unknown[] = Array.isArray(this.doc[name]) ? this.doc[name] : [];
    const head = h('tr', null, cols.map((c) => h('th', { scope: 'col' }, t(`reqf.${name}.${c.path}`))), this.editable ? h('th', null, '') : null);
    const body = h('tbody', null, rows.length === 0
      ? h('tr', null, h('td', { class: 'empty', colspan: String(cols.length + 1) }, t(`request.no_${name}`)))
      : rows.map((_, i) => {
        const tr = h('tr', { 'data-row': `${name}/${i}` });
        const rowErrs = h('div', { class: 'field-errors' });
        for (const c of cols) {
          const path = `${name}/${i}/${c.path}`;
          const control = this.control(path, { ...c, path: `${name}/${c.path}` });
          control.setAttribute('data-path', path);
          control.setAttribute('aria-label', `${t(`reqf.${name}.${c.path}`)} ${i + 1}`);
          const errs = h('div', { class: 'field-errors' });
          const td = h('td', { 'data-field': path }, control, errs);
          this.slots.set(path, { el: td, errs, control });
          tr.append(td);
        }
        if (this.editable) tr.append(h('td', null, h('button', {
          type: 'button', class: 'btn btn-small btn-danger', 'data-remove-row': `${name}/${i}`,
          on: { click: () => { (this.doc[name] as unknown[]).splice(i, 1); this.renderForm(); this.changed(); } },
        }, t('request.remove_row')), rowErrs));
        else tr.lastElementChild?.append(rowErrs);
        this.slots.set(`${name}/${i}`, { el: tr, errs: rowErrs });
        return tr;
      }));
    const add = this.editable ? h('button', {
      type: 'button', class: 'btn btn-small', id: `add-${name}`,
      on: { click: () => {
        if (!Array.isArray(this.doc[name])) this.doc[name] = [];
        (this.doc[name] as unknown[]).push(blank());
        this.renderForm();
        this.changed();
      } },
    }, t(`request.add_${name}`)) : null;
    return h('div', null, h('div', { class: 'table-wrap' }, h('table', { class: ['data', 'rows-table', name === 'identifiers' && 'identifiers-table'] }, h('thead', null, head), body)), add);
  }
}
