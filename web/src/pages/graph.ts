// Cases as nodes, linked by the artifacts they share (GET /graph), laid out by force.ts and
// drawn as SVG. Edge width grows with the shared count; a click on a node opens the case.
import { h, svg } from '../dom';
import { api, Graph } from '../api';
import { t } from '../i18n';
import { navigate } from '../app';
import { forceLayout } from '../force';
import { info } from '../ui';

const kWidth = 960;
const kHeight = 600;

export async function graphPage(root: HTMLElement): Promise<void> {
  const g: Graph = await api.graph();
  root.append(h('div', { class: 'page-head' }, h('h1', null, t('graph.title')),
    h('span', { class: 'count' }, t('graph.summary', { nodes: g.nodes.length, edges: g.edges.length }))));
  if (g.nodes.length === 0) {
    root.append(info(t('graph.empty')));
    return;
  }
  const pos = new Map(forceLayout(g.nodes.map((n) => n.id), g.edges.map((e) => ({ a: e.a, b: e.b, weight: e.shared })),
    { width: kWidth, height: kHeight, iterations: 400, margin: 60 }).map((p) => [p.id, p]));
  const maxShared = Math.max(1, ...g.edges.map((e) => e.shared));
  const maxArtifacts = Math.max(1, ...g.nodes.map((n) => n.artifacts));
  const caseNumber = new Map(g.nodes.map((n) => [n.id, n.number]));
  const detail = h('div', { class: 'graph-detail', id: 'graph-detail' }, h('p', { class: 'muted small' }, t('graph.hint')));

  const edges = g.edges.filter((e) => pos.has(e.a) && pos.has(e.b)).map((e) => {
    const a = pos.get(e.a)!;
    const b = pos.get(e.b)!;
    const w = 1 + 7 * (Math.log1p(e.shared) / Math.log1p(maxShared));
    const line = svg('line', { x1: a.x.toFixed(1), y1: a.y.toFixed(1), x2: b.x.toFixed(1), y2: b.y.toFixed(1), 'stroke-width': w.toFixed(1), class: 'edge' },
      svg('title', null, t('graph.edge', { a: caseNumber.get(e.a) ?? '', b: caseNumber.get(e.b) ?? '', n: e.shared })));
    line.addEventListener('click', () => {
      detail.replaceChildren(
        h('h3', null, t('graph.edge', { a: caseNumber.get(e.a) ?? '', b: caseNumber.get(e.b) ?? '', n: e.shared })),
        h('ul', { class: 'examples' }, (e.examples ?? []).map((x) => h('li', null, h('span', { class: 'kind' }, x.kind), ' ', h('span', { class: 'mono' }, x.value)))));
    });
    return line;
  });
  const nodes = g.nodes.map((n) => {
    const p = pos.get(n.id)!;
    const r = 8 + 14 * Math.sqrt(n.artifacts / maxArtifacts);
    const open = () => navigate(`#/cases/${n.id}`);
    const node = svg('g', { class: 'node', transform: `translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})`, tabindex: '0', role: 'link', 'data-case': String(n.id), 'aria-label': `${n.number} ${n.title}` },
      svg('title', null, `${n.number} — ${n.title} (${t('graph.artifacts', { n: n.artifacts })})`),
      svg('circle', { r: r.toFixed(1) }),
      svg('text', { y: (r + 14).toFixed(1), 'text-anchor': 'middle', class: 'node-label' }, n.number),
      svg('text', { y: (r + 27).toFixed(1), 'text-anchor': 'middle', class: 'node-sub' }, shorten(n.title, 28)));
    node.addEventListener('click', open);
    node.addEventListener('keydown', (e: KeyboardEvent) => { if (e.key === 'Enter' || e.key === ' ') open(); });
    return node;
  });
  root.append(h('div', { class: 'graph-layout' },
    h('section', { class: 'panel flush graph-panel' },
      svg('svg', { class: 'graph', id: 'graph', viewBox: `0 0 ${kWidth} ${kHeight}`, role: 'img', 'aria-label': t('graph.title'), direction: 'ltr' },
        svg('g', { class: 'edges' }, edges), svg('g', { class: 'nodes' }, nodes))),
    h('aside', { class: 'panel side' }, h('h2', null, t('graph.links')), detail,
      h('ol', { class: 'edge-list' }, [...g.edges].sort((x, y) => y.shared - x.shared).slice(0, 30).map((e) =>
        h('li', null, h('span', { class: 'mono' }, caseNumber.get(e.a) ?? String(e.a)), ' ↔ ', h('span', { class: 'mono' }, caseNumber.get(e.b) ?? String(e.b)), ' ', h('span', { class: 'muted' }, t('graph.shared', { n: e.shared }))))))));
}

function shorten(s: string, n: number): string {
  const chars = Array.from(s || '');
  return chars.length > n ? chars.slice(0, n - 1).join('') + '…' : chars.join('');
}
