import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatDate, formatDuration, formatNumber, percent } from '../.test-build/format.js';

test('numbers follow the language', () => {
  assert.equal(formatNumber('en', 1234567), '1,234,567');
  assert.match(formatNumber('fr', 1234567), /^1\s234\s567$/u);
  assert.equal(formatNumber('en', NaN), '—');
});

test('sizes', () => {
  assert.equal(formatBytes('en', 512), '512 B');
  assert.equal(formatBytes('en', 1536), '1.5 KiB');
  assert.equal(formatBytes('fr', 1536), '1,5 KiB');
  assert.equal(formatBytes('en', -1), '—');
});

test('dates in UTC, bad ones shown as given', () => {
  assert.match(formatDate('en', '2026-03-01T10:20:30Z'), /10:20:30/);
  assert.match(formatDate('fr', '2026-03-01T10:20:30Z'), /1 mars 2026/);
  assert.match(formatDate('es', '2026-03-01T10:20:30Z'), /1 mar 2026/);
  assert.equal(formatDate('en', 'not a date'), 'not a date');
  assert.equal(formatDate('en', ''), '—');
});

test('durations and percent', () => {
  assert.equal(formatDuration(5), '5 s');
  assert.equal(formatDuration(125), '2 min 05 s');
  assert.equal(formatDuration(3720), '1 h 02 min');
  assert.equal(formatDuration(null), '—');
  assert.equal(percent(5, 0), 0);
  assert.equal(percent(50, 100), 50);
  assert.equal(percent(500, 100), 100);
});
