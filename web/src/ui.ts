// Shared building blocks of the pages: tables, messages, progress, dialogs, the hex view.
// Everything goes through dom.ts (textContent only).
import { h, svg, replace, Child } from './dom';
import { t, num, bytes } from './i18n';
import { ApiError, Job, api } from './api';
import { formatHexLines, hexToBytes, Range } from './hex';
import { formatDuration, percent } from './format';

export interface Column<T> {
  key: string;             // i18n key of the header
  cell: (row: T) => Child;
  cls?: string;            // "num", "mono", ...
  sort?: string;           // the server's sort name, when sortable
}

export interface SortState {
  sort: string;
  order: 'asc' | 'desc';
}

export function table<T>(cols: Column<T>[], rows: T[], opts: { sort?: SortState; onSort?: (s: SortState) => void; empty?: string; rowClass?: (r: T) => string } = {}): HTMLElement {
  const head = h('tr', null, cols.map((c) => {
    if (!c.sort || !opts.onSort) return h('th', { class: c.cls, scope: 'col' }, t(c.key));
    const active = opts.sort?.sort === c.sort;
    const order = active ? opts.sort!.order : undefined;
    const btn = h('button', {
      type: 'button', class: ['sort', active && 'active'],
      'data-sort': c.sort,
      on: { click: () => opts.onSort!({ sort: c.sort!, order: active && order === 'desc' ? 'asc' : 'desc' }) },
    }, t(c.key), h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (order === 'asc' ? '▲' : '▼') : '↕'));
    return h('th', { class: c.cls, scope: 'col', 'aria-sort': active ? (order === 'asc' ? 'ascending' : 'descending') : 'none' }, btn);
  }));
  const body = h('tbody', null, rows.length === 0
    ? h('tr', null, h('td', { class: 'empty', colspan: String(cols.length) }, opts.empty ?? t('common.none')))
    : rows.map((r) => h('tr', { class: opts.rowClass?.(r) }, cols.map((c) => h('td', { class: c.cls }, c.cell(r))))));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data' }, h('thead', null, head), body));
}

export function section(titleKey: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'panel' }, h('h2', null, t(titleKey)), ...children);
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    const known = `error.${e.code}`;
    const tr = t(known);
    return tr !== known ? `${tr} (${e.message})` : e.message;
  }
  return String(e);
}

export function errorBox(e: unknown): HTMLElement {
  return h('div', { class: 'msg msg-error', role: 'alert' }, errorText(e));
}

export function info(text: string, kind: 'ok' | 'error' | 'info' | 'warn' = 'info'): HTMLElement {
  return h('div', { class: `msg msg-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function loading(): HTMLElement {
  return h('div', { class: 'loading' }, t('common.loading'));
}

export function mono(s: string | null | undefined): HTMLElement {
  return h('span', { class: 'mono' }, s ?? '');
}

export function badge(text: string, kind = ''): HTMLElement {
  return h('span', { class: ['badge', kind && `badge-${kind}`] }, text);
}

// A state word from the server ("complete", "verified") shown translated when we know it.
export function stateBadge(state: string | null | undefined): HTMLElement {
  const s = state || 'unknown';
  const key = `state.${s}`;
  const tr = t(key);
  const cls = /^(complete|verified|ok|acquired|active)$/.test(s) ? 'ok'
    : /^(failed|error|cancelled|interrupted|disabled)$/.test(s) ? 'bad'
    : /^(running|queued)$/.test(s) ? 'run' : '';
  return badge(tr === key ? s : tr, cls);
}

// A custody action ("acquired", "case-created") in the chosen language, else as recorded.
export function actionLabel(action: string): string {
  const key = `action.${action}`;
  const tr = t(key);
  return tr === key ? action : tr;
}

// A form field: label + control.
export function field(labelKey: string, control: HTMLElement, hint?: string): HTMLElement {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, t(labelKey)), control, hint ? h('span', { class: 'hint' }, hint) : null);
}

// A modal dialog (<dialog>); resolves when closed.
export function openDialog(titleKey: string, body: HTMLElement, actions: HTMLElement[]): HTMLDialogElement {
  const dlg = h('dialog', { class: 'dialog' },
    h('h2', null, t(titleKey)), body, h('div', { class: 'actions' }, actions));
  dlg.addEventListener('close', () => dlg.remove());
  document.body.appendChild(dlg);
  dlg.showModal();
  return dlg;
}

// Live progress of a job, polling GET /jobs/{id} until it ends. `done` runs once at the end.
export function jobProgress(initial: Job, done: (j: Job) => void): HTMLElement {
  const bar = h('div', { class: 'bar-fill' });
  const track = h('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100' }, bar);
  const stats = h('div', { class: 'job-stats' });
  const title = h('div', { class: 'job-title' });
  const box = h('div', { class: 'job', 'data-job': String(initial.id) }, title, track, stats);
  let stopped = false;
  const render = (j: Job) => {
    const terminal = j.state === 'complete' || j.state === 'failed' || j.state === 'cancelled';
    const p = j.state === 'complete' ? 100 : percent(j.bytes_done, j.bytes_total);
    bar.style.inlineSize = `${p.toFixed(1)}%`;  // CSSOM, allowed by the CSP
    track.setAttribute('aria-valuenow', p.toFixed(0));
    box.setAttribute('data-state', j.state);
    replace(title, t(`job.${j.kind}`), ' #', String(j.id), ' ', j.evidence ? String(j.evidence) : '', ' ', stateBadge(j.state));
    const parts: Child[] = [
      h('span', null, `${bytes(j.bytes_done)} / ${bytes(j.bytes_total)} (${num(p, 1)} %)`),
    ];
    if (!terminal) {
      if (j.rate > 0) parts.push(h('span', null, t('job.rate', { rate: `${bytes(j.rate)}/s` })));
      if (typeof j.eta_seconds === 'number' && j.rate > 0) parts.push(h('span', null, t('job.eta', { eta: formatDuration(j.eta_seconds) })));
      parts.push(h('button', {
        type: 'button', class: 'btn btn-small',
        on: { click: () => { api.cancelJob(j.id).catch(() => {}); } },
      }, t('job.cancel')));
    }
    if (j.message) parts.push(h('span', { class: 'job-msg' }, j.message));
    replace(stats, parts);
  };
  render(initial);
  const poll = async () => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, 500));
      if (!box.isConnected) return;  // the page was left
      let j: Job;
      try {
        j = await api.job(initial.id);
      } catch (e) {
        replace(stats, errorBox(e));
        return;
      }
      render(j);
      if (j.state === 'complete' || j.state === 'failed' || j.state === 'cancelled') {
        stopped = true;
        done(j);
        return;
      }
    }
  };
  if (!(initial.state === 'complete' || initial.state === 'failed' || initial.state === 'cancelled')) void poll();
  else setTimeout(() => done(initial), 0);
  return box;
}

// Hex + printable ASCII, 16 bytes per line, an offset column, the hit highlighted.
export function hexView(hex: string, base: number, hit?: Range): HTMLElement {
  const lines = formatHexLines(hexToBytes(hex), base, hit);
  const rows = lines.map((line) => {
    const pad = line.cells.length ? line.cells[0].offset - line.offset : 0;
    const hexCells: Child[] = [];
    const ascii: Child[] = [];
    for (let i = 0; i < pad; i++) {
      hexCells.push(h('span', { class: 'hx pad' }, '  '));
      ascii.push(h('span', { class: 'ch pad' }, ' '));
    }
    for (const c of line.cells) {
      hexCells.push(h('span', { class: ['hx', c.hit && 'hit'] }, c.hex));
      ascii.push(h('span', { class: ['ch', c.hit && 'hit'] }, c.ascii));
    }
    return h('div', { class: 'hex-line' },
      h('span', { class: 'hex-off' }, line.offsetText),
      h('span', { class: 'hex-bytes' }, hexCells),
      h('span', { class: 'hex-ascii' }, ascii));
  });
  // Hex is always read left to right, whatever the page direction.
  return h('div', { class: 'hexview', dir: 'ltr', 'data-lines': String(lines.length) }, rows);
}

// A horizontal bar chart (SVG) of counts per label, drawn by our code.
export function barChart(items: { label: string; count: number }[], onClick?: (label: string) => void): SVGSVGElement {
  const rowH = 22;
  const longest = Math.max(4, ...items.map((i) => Array.from(i.label).length));
  const labelW = Math.min(140, 12 + longest * 7);
  const width = 300;
  const barMax = width - labelW - 48;
  const max = Math.max(1, ...items.map((i) => i.count));
  const height = Math.max(rowH, items.length * rowH) + 4;
  const short = (l: string) => (Array.from(l).length > 19 ? Array.from(l).slice(0, 18).join('') + '…' : l);
  const root = svg('svg', {
    class: 'chart', viewBox: `0 0 ${width} ${height}`, width: String(width), height: String(height),
    role: 'img', 'aria-label': t('artifacts.histogram'), direction: 'ltr',
  });
  items.forEach((it, i) => {
    const y = i * rowH + 2;
    const w = Math.max(1, (it.count / max) * barMax);
    const g = svg('g', { class: ['chart-row', onClick && 'clickable'], 'data-kind': it.label },
      svg('text', { x: String(labelW - 6), y: String(y + 14), 'text-anchor': 'end', class: 'chart-label' }, short(it.label)),
      svg('rect', { x: String(labelW), y: String(y + 3), width: w.toFixed(1), height: String(rowH - 6), class: 'chart-bar', rx: '2' }),
      svg('text', { x: (labelW + w + 6).toFixed(1), y: String(y + 14), class: 'chart-value' }, num(it.count)));
    if (onClick) g.addEventListener('click', () => onClick(it.label));
    root.appendChild(g);
  });
  return root;
}

// Copies text to the clipboard (one-time passwords); silently does nothing without permission.
export function copyButton(text: string): HTMLElement {
  return h('button', {
    type: 'button', class: 'btn btn-small',
    on: { click: () => { void navigator.clipboard?.writeText(text).catch(() => {}); } },
  }, t('common.copy'));
}
