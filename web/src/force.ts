// A small force-directed layout for the case graph: nodes repel (inverse square), edges pull
// (springs, stronger for more shared artifacts), a weak pull to the centre keeps components
// together. Deterministic (nodes start on a circle), bounded to the box, and finite whatever the
// input (coincident nodes, self edges, edges to unknown ids, zero or one node).

export interface LayoutNode {
  id: number;
  x: number;
  y: number;
}

export interface LayoutEdge {
  a: number;
  b: number;
  weight: number;  // shared artifacts
}

export interface LayoutOptions {
  width: number;
  height: number;
  iterations?: number;
  margin?: number;
}

export function forceLayout(ids: number[], edges: LayoutEdge[], opt: LayoutOptions): LayoutNode[] {
  const width = finiteOr(opt.width, 800);
  const height = finiteOr(opt.height, 600);
  const margin = Math.min(finiteOr(opt.margin ?? 40, 40), width / 4, height / 4);
  const iterations = Math.max(0, Math.min(2000, Math.floor(finiteOr(opt.iterations ?? 300, 300))));
  const n = ids.length;
  const cx = width / 2;
  const cy = height / 2;
  const index = new Map<number, number>();
  ids.forEach((id, i) => index.set(id, i));
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const r0 = Math.min(width, height) / 3;
  for (let i = 0; i < n; i++) {
    const angle = (2 * Math.PI * i) / Math.max(1, n);
    xs[i] = cx + (n > 1 ? r0 * Math.cos(angle) : 0);
    ys[i] = cy + (n > 1 ? r0 * Math.sin(angle) : 0);
  }
  const springs: { i: number; j: number; w: number }[] = [];
  let maxW = 1;
  for (const e of edges) {
    const i = index.get(e.a);
    const j = index.get(e.b);
    if (i === undefined || j === undefined || i === j) continue;
    const w = Math.max(0, finiteOr(e.weight, 1));
    maxW = Math.max(maxW, w);
    springs.push({ i, j, w });
  }
  const area = Math.max(1, (width - 2 * margin) * (height - 2 * margin));
  const k = Math.sqrt(area / Math.max(1, n)) * 0.8;  // ideal edge length
  let temperature = Math.min(width, height) / 8;
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);
  for (let it = 0; it < iterations; it++) {
    dx.fill(0);
    dy.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let ddx = xs[i] - xs[j];
        let ddy = ys[i] - ys[j];
        let d2 = ddx * ddx + ddy * ddy;
        if (d2 < 1e-6) {  // coincident: push apart along a fixed, index-dependent direction
          const a = (i * 7 + j * 13) % 360 * (Math.PI / 180);
          ddx = Math.cos(a) * 0.01;
          ddy = Math.sin(a) * 0.01;
          d2 = 1e-4;
        }
        const d = Math.sqrt(d2);
        const f = (k * k) / d;
        dx[i] += (ddx / d) * f;
        dy[i] += (ddy / d) * f;
        dx[j] -= (ddx / d) * f;
        dy[j] -= (ddy / d) * f;
      }
    }
    for (const s of springs) {
      const ddx = xs[s.i] - xs[s.j];
      const ddy = ys[s.i] - ys[s.j];
      const d = Math.max(0.01, Math.sqrt(ddx * ddx + ddy * ddy));
      const strength = 0.5 + Math.log1p(s.w) / Math.log1p(maxW);
      const f = ((d * d) / k) * strength;
      dx[s.i] -= (ddx / d) * f;
      dy[s.i] -= (ddy / d) * f;
      dx[s.j] += (ddx / d) * f;
      dy[s.j] += (ddy / d) * f;
    }
    for (let i = 0; i < n; i++) {
      dx[i] += (cx - xs[i]) * 0.05 * k / 10;
      dy[i] += (cy - ys[i]) * 0.05 * k / 10;
      const len = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]);
      if (!(len > 0) || !Number.isFinite(len)) continue;
      const step = Math.min(len, temperature);
      xs[i] = clamp(xs[i] + (dx[i] / len) * step, margin, width - margin);
      ys[i] = clamp(ys[i] + (dy[i] / len) * step, margin, height - margin);
    }
    temperature = Math.max(0.5, temperature * 0.98);
  }
  return ids.map((id, i) => ({
    id,
    x: finiteOr(xs[i], cx),
    y: finiteOr(ys[i], cy),
  }));
}

function finiteOr(v: number, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function clamp(v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v)) return (lo + hi) / 2;
  return v < lo ? lo : v > hi ? hi : v;
}
