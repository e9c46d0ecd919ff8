// One artifact of a case: its value, where else it was seen, and every occurrence with its
// path, context bytes and a hex view of the evidence around it.
import { h, link, replace, Child } from '../dom';
import { api, Evidence, Occurrence, Sighting } from '../api';
import { t, num } from '../i18n';
import { canReadBytes } from '../app';
import { featureByteLength, hexToBytes, hexWindow } from '../hex';
import { errorBox, hexView, info, loading, mono, table } from '../ui';
import { caseHeading } from './casenav';

export async function artifactPage(root: HTMLElement, caseId: number, artifactId: number): Promise<void> {
  const [detail, a] = await Promise.all([api.caseDetail(caseId), api.artifact(caseId, artifactId)]);
  const art = a.artifact;
  const sizes = new Map<string, number>();
  for (const e of detail.evidence as Evidence[]) {
    sizes.set(e.name, e.size);
    sizes.set(String(e.id), e.size);
  }
  const kv = (key: string, v: Child) => [h('dt', null, t(key)), h('dd', null, v)];
  root.append(caseHeading(detail, 'artifacts', link(`#/cases/${caseId}/artifacts`, '← ', t('artifact.back'))),
    h('section', { class: 'panel' },
      h('h2', null, t('artifact.title')),
      h('div', { class: 'artifact-value mono', id: 'artifact-value' }, art.value),
      h('dl', { class: 'kv' },
        kv('artifacts.kind', h('span', { class: 'kind' }, art.kind)),
        kv('artifacts.occurrences_here', num(art.occurrences_here)),
        kv('artifact.occurrences_all', num(art.occurrences)),
        kv('artifacts.evidence_count', num(art.evidence_count)),
        kv('artifacts.cases', num(art.cases)))),
    sightingsPanel(caseId, a.sightings, a.other_cases_hidden));
  const occBox = h('div', { id: 'occurrences' }, loading());
  root.append(h('section', { class: 'panel' }, h('h2', null, t('occ.title')), occBox));
  let occ: Occurrence[];
  try {
    occ = await api.occurrences(caseId, artifactId, 100);
  } catch (e) {
    replace(occBox, errorBox(e));
    return;
  }
  replace(occBox, occ.length === 0 ? info(t('occ.empty')) : occ.map((o, i) => occurrenceCard(caseId, o, i, sizes)));
}

function sightingsPanel(caseId: number, sightings: Sighting[], hidden: number): HTMLElement {
  const others = sightings.filter((s) => s.case !== caseId);
  return h('section', { class: 'panel flush', id: 'sightings' }, h('h2', null, t('sightings.title')),
    table<Sighting>([
      { key: 'sightings.case', cell: (s) => s.case === caseId ? h('span', null, mono(s.case_number), ' ', h('span', { class: 'muted' }, t('sightings.this_case'))) : link(`#/cases/${s.case}`, mono(s.case_number)) },
      { key: 'sightings.evidence', cell: (s) => [mono(s.evidence_name), ' ', s.evidence_label] },
      { key: 'sightings.occurrences', cell: (s) => num(s.occurrences), cls: 'num' },
    ], sightings, { empty: t('common.none'), rowClass: (s) => s.case === caseId ? 'here' : 'elsewhere' }),
    h('p', { class: 'note small' },
      others.length ? t('sightings.others', { n: new Set(others.map((s) => s.case)).size }) : t('sightings.no_others'),
      hidden > 0 ? [' ', h('strong', { id: 'hidden-cases' }, t('sightings.hidden', { n: hidden }))] : null));
}

function occurrenceCard(caseId: number, o: Occurrence, index: number, sizes: Map<string, number>): HTMLElement {
  const ctx = hexToBytes(o.context_hex || '');
  // Highlight the feature inside the context when its bytes are found there.
  const feat = o.utf16 ? utf16le(o.feature) : new TextEncoder().encode(o.feature || '');
  const at = findBytes(ctx, feat);
  const hexBox = h('div', { class: 'hex-box' });
  const canHex = canReadBytes() && o.offset !== null && o.offset !== undefined;
  const showHex = async (btn: HTMLButtonElement) => {
    btn.disabled = true;
    replace(hexBox, loading());
    const hitLen = featureByteLength(o.feature || '', !!o.utf16);
    const size = sizes.get(String(o.evidence_name)) ?? sizes.get(String(o.evidence)) ?? null;
    const win = hexWindow(o.offset!, hitLen, size);
    try {
      const b = await api.bytes(caseId, o.evidence_name || String(o.evidence), win.start, win.length);
      replace(hexBox,
        h('div', { class: 'hex-caption small muted' }, t('hex.caption', { start: hex(b.offset), end: hex(b.offset + b.length), hit: hex(o.offset!), size: num(b.size) })),
        hexView(b.hex, b.offset, { start: o.offset!, length: hitLen }));
    } catch (e) {
      replace(hexBox, errorBox(e));
    } finally {
      btn.disabled = false;
    }
  };
  return h('article', { class: 'occ', 'data-index': String(index) },
    h('div', { class: 'occ-head' },
      mono(o.evidence_name), ' ',
      h('span', { class: 'small muted' }, t('occ.path')), ' ',
      h('span', { class: 'path mono' }, o.path || '—'),
      h('span', { class: 'spacer' }),
      h('span', { class: 'small muted' }, t('occ.offset'), ' ', o.offset === null || o.offset === undefined ? t('occ.decoded') : h('span', { class: 'mono' }, `${num(o.offset)} (0x${hex(o.offset)})`)),
      o.utf16 ? h('span', { class: 'badge' }, 'UTF-16') : null),
    h('div', { class: 'occ-feature' }, h('span', { class: 'small muted' }, t('occ.feature'), ': '), h('span', { class: 'mono' }, o.feature)),
    ctx.length ? h('div', { class: 'occ-context' }, h('div', { class: 'small muted' }, t('occ.context')),
      contextView(o, at, feat.length)) : null,
    canHex ? h('div', { class: 'occ-actions' }, h('button', {
      type: 'button', class: 'btn btn-small show-hex',
      on: { click: (e: Event) => void showHex(e.currentTarget as HTMLButtonElement) },
    }, t('occ.hex'))) : null,
    hexBox);
}

// Context bytes at their place in the evidence when the hit's offset is known.
function contextView(o: Occurrence, at: number, featLen: number): HTMLElement {
  const known = o.offset !== null && o.offset !== undefined && at >= 0 && o.offset - at >= 0;
  const base = known ? o.offset! - at : 0;
  return hexView(o.context_hex, base, at >= 0 ? { start: base + at, length: featLen } : undefined);
}

function hex(n: number): string {
  return Math.max(0, n).toString(16);
}

function utf16le(s: string): Uint8Array {
  const out = new Uint8Array((s || '').length * 2);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[2 * i] = c & 0xff;
    out[2 * i + 1] = c >> 8;
  }
  return out;
}

function findBytes(hay: Uint8Array, needle: Uint8Array): number {
  if (needle.length === 0 || needle.length > hay.length) return -1;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
