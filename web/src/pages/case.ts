// One case: evidence with hashes and verification, jobs with live progress, acquisition, scans,
// the chain of custody and the members.
import { h, replace, Child } from '../dom';
import { api, CaseDetail, Custody, CustodyRecord, Evidence, Job, Scan, User } from '../api';
import { t, num, bytes, date } from '../i18n';
import { canAcquire, canScan, isAdmin, role, session } from '../app';
import { actionLabel, badge, errorBox, errorText, field, info, jobProgress, loading, mono, section, stateBadge, table } from '../ui';
import { caseHeading } from './casenav';

const kCustodyShown = 200;

export async function casePage(root: HTMLElement, caseId: number): Promise<void> {
  const detail = await api.caseDetail(caseId);
  const jobsBox = h('div', { class: 'jobs', id: 'jobs' });
  const dataBox = h('div');
  const jobsPanel = h('section', { class: 'panel', id: 'jobs-panel', hidden: true }, h('h2', null, t('jobs.title')), jobsBox);

  const refresh = async () => {
    try {
      const [d, custody] = await Promise.all([api.caseDetail(caseId), api.custody(caseId).catch((e) => e as Error)]);
      replace(dataBox, renderData(d, custody, startJob, refresh));
    } catch (e) {
      replace(dataBox, errorBox(e));
    }
  };
  const startJob = (j: Job) => {
    jobsPanel.hidden = false;
    jobsBox.prepend(jobProgress(j, () => void refresh()));
  };

  root.append(caseHeading(detail, 'overview'), jobsPanel, dataBox);
  replace(dataBox, loading());
  // Jobs still running for this case (started earlier, or by a colleague) are followed too.
  try {
    const jobs = await api.jobs(caseId);
    for (const j of jobs.filter((x) => x.state === 'queued' || x.state === 'running').reverse()) startJob(j);
  } catch {
    // the list of jobs is a convenience
  }
  await refresh();
}

function renderData(d: CaseDetail, custody: Custody | Error, startJob: (j: Job) => void, refresh: () => Promise<void>): Child[] {
  const evName = new Map<string, string>();
  for (const e of d.evidence) {
    evName.set(String(e.id), e.name);
    evName.set(e.name, e.name);
    evName.set(e.uuid, e.name);
  }
  return [
    h('div', { class: 'grid-2' }, summary(d), membersPanel(d, refresh)),
    evidencePanel(d, startJob),
    canAcquire() ? acquirePanel(d.id, startJob) : null,
    scansPanel(d.scans, evName),
    custodyPanel(custody, evName),
  ];
}

function summary(d: CaseDetail): HTMLElement {
  const kv = (key: string, v: Child) => [h('dt', null, t(key)), h('dd', null, v)];
  return section('case.summary', h('dl', { class: 'kv' },
    kv('case.number', mono(d.number)), kv('case.title', d.title), kv('case.offence', d.offence),
    kv('case.examiner', d.examiner), kv('case.status', stateBadge(d.status)), kv('case.created', date(d.created)),
    kv('case.uuid', mono(d.uuid)), kv('custody.records', num(d.custody?.records))));
}

function hashes(e: Evidence): HTMLElement {
  const line = (name: string, v: string) => h('div', { class: 'hash' }, h('span', { class: 'hash-name' }, name), h('span', { class: 'mono hash-value' }, v || '—'));
  return h('div', { class: 'hashes' }, line('MD5', e.md5), line('SHA-1', e.sha1), line('SHA-256', e.sha256));
}

function evidencePanel(d: CaseDetail, startJob: (j: Job) => void): HTMLElement {
  const verifyButton = (e: Evidence) => h('button', {
    type: 'button', class: 'btn btn-small', 'data-verify': e.name,
    on: { click: async (ev: Event) => {
      const btn = ev.currentTarget as HTMLButtonElement;
      btn.disabled = true;
      try { startJob(await api.verify(d.id, e.name)); } catch (err) { btn.after(errorBox(err)); }
      finally { btn.disabled = false; }
    } },
  }, t('evidence.verify'));
  const scanButton = (e: Evidence) => h('button', {
    type: 'button', class: 'btn btn-small', 'data-scan': e.name,
    on: { click: async (ev: Event) => {
      const btn = ev.currentTarget as HTMLButtonElement;
      btn.disabled = true;
      try { startJob(await api.startScan(d.id, [e.name])); } catch (err) { btn.after(errorBox(err)); }
      finally { btn.disabled = false; }
    } },
  }, t('scan.start'));
  const scanAll = canScan() && d.evidence.length > 0
    ? h('button', { type: 'button', class: 'btn btn-primary', id: 'start-scan', on: { click: async (ev: Event) => {
      const btn = ev.currentTarget as HTMLButtonElement;
      btn.disabled = true;
      try { startJob(await api.startScan(d.id, [])); } catch (err) { btn.after(errorBox(err)); }
      finally { btn.disabled = false; }
    } } }, t('scan.start_all'))
    : null;
  return h('section', { class: 'panel flush', id: 'evidence' },
    h('div', { class: 'panel-head' }, h('h2', null, t('evidence.title'), ' ', h('span', { class: 'count' }, num(d.evidence.length))), scanAll),
    table<Evidence>([
      { key: 'evidence.name', cell: (e) => h('strong', { class: 'mono' }, e.name), cls: 'nowrap' },
      { key: 'evidence.label', cell: (e) => [h('div', null, e.label), e.source_description ? h('div', { class: 'muted small' }, e.source_description) : null] },
      { key: 'evidence.mode', cell: (e) => t(`mode.${e.mode}`) },
      { key: 'evidence.size', cell: (e) => h('span', { title: `${num(e.size)} B` }, bytes(e.size)), cls: 'num nowrap' },
      { key: 'evidence.hashes', cell: hashes },
      { key: 'evidence.state', cell: (e) => stateBadge(e.state) },
      { key: 'evidence.verification', cell: (e) => [stateBadge(e.verification?.state ?? 'never'), e.verification?.time ? h('div', { class: 'muted small' }, date(e.verification.time)) : null] },
      { key: 'common.actions', cell: (e) => h('div', { class: 'row-actions' }, canAcquire() ? verifyButton(e) : null, canScan() ? scanButton(e) : null) },
    ], d.evidence, { empty: t('evidence.empty') }));
}

function acquirePanel(caseId: number, startJob: (j: Job) => void): HTMLElement {
  const source = h('input', { id: 'acq-source', required: true, placeholder: '/mnt/evidence/disk.img', spellcheck: 'false', class: 'mono' });
  const label = h('input', { id: 'acq-label', required: true, placeholder: t('acquire.label_hint') });
  const mode = h('select', { id: 'acq-mode' }, ['copy', 'reference', 'e01'].map((m) => h('option', { value: m }, t(`mode.${m}`))));
  const scan = h('input', { type: 'checkbox', id: 'acq-scan' });
  const msg = h('div', { class: 'form-msg' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'acq-submit' }, t('acquire.submit'));
  const form = h('form', {
    class: 'form form-inline', id: 'acquire-form',
    on: { submit: async (e: Event) => {
      e.preventDefault();
      submit.disabled = true;
      replace(msg);
      try {
        startJob(await api.acquire(caseId, { source: source.value.trim(), label: label.value.trim(), mode: mode.value, scan: scan.checked }));
        source.value = label.value = '';
      } catch (err) {
        replace(msg, info(errorText(err), 'error'));
      } finally {
        submit.disabled = false;
      }
    } },
  }, field('acquire.source', source), field('acquire.label', label), field('acquire.mode', mode),
  h('label', { class: 'check' }, scan, h('span', null, t('acquire.scan'))), submit, msg);
  return section('acquire.title', h('p', { class: 'muted small' }, t('acquire.intro')), form);
}

function scansPanel(scans: Scan[], evName: Map<string, string>): HTMLElement {
  return h('section', { class: 'panel flush', id: 'scans' }, h('h2', null, t('scans.title')), table<Scan>([
    { key: 'scans.id', cell: (s) => num(s.id), cls: 'num' },
    { key: 'scans.evidence', cell: (s) => mono(evName.get(String(s.evidence)) ?? String(s.evidence)) },
    { key: 'scans.status', cell: (s) => stateBadge(s.status) },
    { key: 'scans.started', cell: (s) => date(s.started), cls: 'nowrap' },
    { key: 'scans.finished', cell: (s) => date(s.finished), cls: 'nowrap' },
    { key: 'scans.bytes', cell: (s) => `${bytes(s.bytes_done)} / ${bytes(s.bytes_total)}`, cls: 'num nowrap' },
    { key: 'scans.artifacts', cell: (s) => num(s.artifacts), cls: 'num' },
    { key: 'scans.occurrences', cell: (s) => num(s.occurrences), cls: 'num' },
    { key: 'scans.error', cell: (s) => s.error ? h('span', { class: 'text-bad' }, s.error) : '' },
  ], scans, { empty: t('scans.empty') }));
}

function detailsText(d: unknown): string {
  if (d === null || d === undefined || d === '') return '';
  if (typeof d === 'string') return d;
  if (typeof d === 'object' && Object.keys(d as object).length === 0) return '';
  try { return JSON.stringify(d); } catch { return String(d); }
}

// Records newest first; reads ("viewed", one per request that read evidence data) are hidden
// until asked for, so the changes stand out.
function custodyPanel(c: Custody | Error, evName: Map<string, string>): HTMLElement {
  if (c instanceof Error) return section('custody.title', errorBox(c));
  const v = c.verification;
  const banner = v?.ok
    ? info(t('custody.verified', { n: c.records.length, time: date(v.checked) }), 'ok')
    : info(t('custody.failed', { problems: (v?.problems ?? []).join('; ') || '?' }), 'error');
  banner.id = 'custody-banner';
  const records = [...c.records].sort((a, b) => b.seq - a.seq);
  const reads = records.filter((r) => r.action === 'viewed').length;
  const list = h('ol', { class: 'timeline', id: 'custody' });
  const render = (withReads: boolean) => {
    const shown = records.filter((r) => withReads || r.action !== 'viewed');
    replace(list, shown.slice(0, kCustodyShown).map((r) => custodyItem(r, evName)));
    if (shown.length > kCustodyShown) list.append(h('li', { class: 'tl-item muted small' }, t('custody.more', { n: shown.length - kCustodyShown })));
  };
  const toggle = h('input', { type: 'checkbox', id: 'custody-reads', on: { change: (e: Event) => render((e.target as HTMLInputElement).checked) } });
  render(false);
  return section('custody.title', banner,
    reads > 0 ? h('label', { class: 'check small' }, toggle, h('span', null, t('custody.show_reads', { n: reads }))) : null, list);
}

function custodyItem(r: CustodyRecord, evName: Map<string, string>): HTMLElement {
  const ev = r.evidence ? evName.get(String(r.evidence)) ?? String(r.evidence) : '';
  const details = detailsText(r.details);
  const det = details ? h('div', { class: 'tl-details mono small', title: t('custody.expand') }, details) : null;
  det?.addEventListener('click', () => det.classList.toggle('open'));
  return h('li', { class: 'tl-item', 'data-action': r.action },
    h('div', { class: 'tl-head' },
      h('span', { class: 'tl-seq mono' }, '#', String(r.seq)),
      h('span', { class: 'tl-time' }, date(r.time)),
      badge(actionLabel(r.action), r.action === 'viewed' ? '' : /fail/.test(r.action) ? 'bad' : 'action'),
      ev ? h('span', { class: 'mono', title: String(r.evidence) }, ev) : null,
      h('span', { class: 'tl-actor' }, r.actor)),
    det,
    h('div', { class: 'tl-chain small muted' },
      h('span', null, t('custody.signer'), ': ', r.signer || '—'), ' · ',
      h('span', null, t('custody.hash'), ': '), h('span', { class: 'mono', title: r.hash }, (r.hash || '').slice(0, 16) + '…'), ' ← ',
      h('span', { class: 'mono', title: r.prev_hash }, (r.prev_hash || '').slice(0, 16) + '…')));
}

function membersPanel(d: CaseDetail, refresh: () => Promise<void>): HTMLElement {
  const me = session.me!.user;
  const mayManage = isAdmin() || (role() === 'examiner' && d.members.some((m) => m.name === me.name));
  const msg = h('div', { class: 'form-msg' });
  const remove = (u: User) => h('button', {
    type: 'button', class: 'btn btn-small btn-danger', 'data-remove': u.name,
    on: { click: async () => {
      if (!confirm(t('members.confirm_remove', { name: u.name }))) return;
      try { await api.removeMember(d.id, u.name); await refresh(); } catch (e) { replace(msg, info(errorText(e), 'error')); }
    } },
  }, t('members.remove'));
  const name = h('input', { id: 'member-name', placeholder: t('members.user_hint'), required: true, spellcheck: 'false' });
  const add = h('form', {
    class: 'form form-inline', id: 'member-form',
    on: { submit: async (e: Event) => {
      e.preventDefault();
      try { await api.addMember(d.id, name.value.trim()); await refresh(); } catch (err) { replace(msg, info(errorText(err), 'error')); }
    } },
  }, field('members.user', name), h('button', { type: 'submit', class: 'btn' }, t('members.add')));
  return h('section', { class: 'panel', id: 'members' }, h('h2', null, t('members.title')),
    h('ul', { class: 'members' }, d.members.map((u) => h('li', null,
      h('span', null, u.display_name || u.name), ' ', h('span', { class: 'mono muted small' }, u.name), ' ',
      h('span', { class: 'role' }, t(`role.${u.role}`)), mayManage ? remove(u) : null))),
    mayManage ? add : null, msg);
}
