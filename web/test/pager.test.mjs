import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAnswer, canNext, canPrev, goNext, goPrev, initialPager, resetPager, rowRange } from '../.test-build/pager.js';

const page = (n, next, prev, total = 120) => ({ rows: new Array(n).fill({}), total, next_cursor: next, prev_cursor: prev });

test('first page: no cursor, prev disabled, next from the answer', () => {
  let s = initialPager(50);
  assert.equal(s.cursor, null);
  s = applyAnswer(s, page(50, 'c2', null));
  assert.equal(canPrev(s), false);
  assert.equal(canNext(s), true);
  assert.deepEqual(rowRange(s), { first: 1, last: 50 });
  assert.equal(s.total, 120);
});

test('next, next, prev, prev walks the cursors and the row range', () => {
  let s = applyAnswer(initialPager(50), page(50, 'c2', null));
  s = goNext(s);
  assert.equal(s.cursor, 'c2');
  assert.equal(s.page, 1);
  assert.equal(canNext(s), false, 'no next until the answer says so');
  s = applyAnswer(s, page(50, 'c3', 'c1'));
  s = goNext(s);
  s = applyAnswer(s, page(20, null, 'c2b'));
  assert.deepEqual(rowRange(s), { first: 101, last: 120 });
  assert.equal(canNext(s), false);
  assert.equal(goNext(s), s, 'next at the end is a no-op');
  s = goPrev(s);
  assert.equal(s.cursor, 'c2b');
  assert.equal(s.page, 1);
  s = applyAnswer(s, page(50, 'c3', 'c1'));
  s = goPrev(s);
  assert.equal(s.cursor, null, 'page 0 always has no cursor');
  assert.equal(s.page, 0);
  assert.equal(goPrev(applyAnswer(s, page(50, 'c2', null))).page, 0);
});

test('prev without a prev cursor falls back to the first page', () => {
  let s = applyAnswer(initialPager(10), page(10, 'a', null));
  s = applyAnswer(goNext(s), page(10, 'b', null));
  s = applyAnswer(goNext(s), page(10, 'c', null));
  s = goPrev(s);
  assert.equal(s.page, 0);
  assert.equal(s.cursor, null);
});

test('a filter change resets to the first page', () => {
  let s = applyAnswer(goNext(applyAnswer(initialPager(25), page(25, 'x', null))), page(25, 'y', 'w'));
  s = resetPager(s);
  assert.equal(s.page, 0);
  assert.equal(s.cursor, null);
  assert.equal(s.limit, 25);
});

test('empty answer: range 0-0; bad answers do not throw', () => {
  const s = applyAnswer(initialPager(), { rows: [], total: 0, next_cursor: null, prev_cursor: null });
  assert.deepEqual(rowRange(s), { first: 0, last: 0 });
  const t = applyAnswer(initialPager(), { rows: null, total: 'x', next_cursor: '', prev_cursor: undefined });
  assert.equal(t.rows, 0);
  assert.equal(t.next, null);
  assert.equal(t.total, null);
});

test('a capped total is a floor until an exact total comes back', () => {
  let s = applyAnswer(initialPager(50), { rows: new Array(50).fill({}), total: 10000, total_exact: false, next_cursor: 'n', prev_cursor: null });
  assert.equal(s.exact, false);
  assert.equal(s.total, 10000);
  s = applyAnswer(goNext(s), { rows: new Array(50).fill({}), next_cursor: 'n2', prev_cursor: 'p' });
  assert.equal(s.exact, false, 'an answer without a total keeps the last one');
  s = applyAnswer(resetPager(s), { rows: [], total: 12, next_cursor: null, prev_cursor: null });
  assert.equal(s.exact, true, 'total_exact absent means exact');
});
