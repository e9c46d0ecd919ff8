import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forceLayout } from '../.test-build/force.js';

const box = { width: 800, height: 600, margin: 40 };
function assertInBox(nodes, o = box) {
  for (const n of nodes) {
    assert.ok(Number.isFinite(n.x) && Number.isFinite(n.y), JSON.stringify(n));
    assert.ok(n.x >= 0 && n.x <= o.width && n.y >= 0 && n.y <= o.height, JSON.stringify(n));
  }
}

// A small deterministic generator (mulberry32), so a failure is reproducible.
function rng(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('zero, one and two nodes', () => {
  assert.deepEqual(forceLayout([], [], box), []);
  const one = forceLayout([7], [], box);
  assert.equal(one.length, 1);
  assertInBox(one);
  const two = forceLayout([1, 2], [{ a: 1, b: 2, weight: 3 }], box);
  assertInBox(two);
  assert.ok(Math.hypot(two[0].x - two[1].x, two[0].y - two[1].y) > 1, 'two nodes are apart');
});

test('hostile edges: self loops, unknown ids, NaN and huge weights', () => {
  const nodes = forceLayout([1, 2, 3], [
    { a: 1, b: 1, weight: 5 }, { a: 1, b: 99, weight: 1 }, { a: 2, b: 3, weight: NaN },
    { a: 1, b: 2, weight: 1e300 }, { a: 1, b: 2, weight: -4 }, { a: 3, b: 1, weight: Infinity },
  ], box);
  assertInBox(nodes);
});

test('bad options stay finite', () => {
  assertInBox(forceLayout([1, 2, 3], [], { width: NaN, height: 600 }), { width: 800, height: 600 });
  assertInBox(forceLayout([1, 2], [], { width: 10, height: 10, iterations: 1e9 }), { width: 10, height: 10 });
});

test('random graphs stay finite and inside the box', () => {
  const r = rng(42);
  for (let g = 0; g < 20; g++) {
    const n = 1 + Math.floor(r() * 40);
    const ids = Array.from({ length: n }, (_, i) => i + 1);
    const edges = Array.from({ length: Math.floor(r() * n * 2) }, () => ({
      a: 1 + Math.floor(r() * n), b: 1 + Math.floor(r() * n), weight: Math.floor(r() * 1000),
    }));
    const out = forceLayout(ids, edges, { ...box, iterations: 150 });
    assert.equal(out.length, n);
    assertInBox(out);
  }
});

test('deterministic', () => {
  const e = [{ a: 1, b: 2, weight: 2 }, { a: 2, b: 3, weight: 1 }];
  assert.deepEqual(forceLayout([1, 2, 3, 4], e, box), forceLayout([1, 2, 3, 4], e, box));
});

test('linked nodes end closer than unlinked ones', () => {
  const out = forceLayout([1, 2, 3, 4], [{ a: 1, b: 2, weight: 50 }, { a: 3, b: 4, weight: 50 }], box);
  const d = (i, j) => Math.hypot(out[i].x - out[j].x, out[i].y - out[j].y);
  assert.ok(d(0, 1) < d(0, 2) && d(2, 3) < d(1, 3));
});
