// The cooperation pages' helpers: merge patches of the request document, where a problem's
// field path is shown, clock badges, list fields and document URLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePatch, getPath, setPath, problemTarget, groupProblems, dueInfo, sortByDue, splitList, intOrText, documentUrl } from '../.test-build/coop.js';

test('mergePatch sends only what changed', () => {
  const before = { summary: '', provider: { name: '', address: 'x' }, offences: [{ d: 'a' }], no_notification: null, type: 'preservation' };
  const after = { summary: 'facts', provider: { name: 'Mail SAS', address: 'x' }, offences: [{ d: 'a' }, { d: 'b' }], no_notification: true, type: 'preservation' };
  assert.deepEqual(mergePatch(before, after), { summary: 'facts', provider: { name: 'Mail SAS' }, offences: [{ d: 'a' }, { d: 'b' }], no_notification: true });
  assert.deepEqual(mergePatch(after, after), {});
  // back to "not answered": null; a removed key: null
  assert.deepEqual(mergePatch({ a: true, b: 1 }, { a: null }), { a: null, b: null });
  // arrays are replaced whole, even when an element inside changes
  assert.deepEqual(mergePatch({ ids: [{ port: 0 }] }, { ids: [{ port: 443 }] }), { ids: [{ port: 443 }] });
  // the patch is a copy: later edits of the document do not change it
  const doc = { ids: [{ port: 1 }] };
  const p = mergePatch({}, doc);
  doc.ids[0].port = 2;
  assert.equal(p.ids[0].port, 1);
});

test('getPath and setPath follow "a/b/0/c"', () => {
  const doc = { requesting: { officer: 'A' }, identifiers: [{ port: 0 }, { port: 5 }] };
  assert.equal(getPath(doc, 'requesting/officer'), 'A');
  assert.equal(getPath(doc, 'identifiers/1/port'), 5);
  assert.equal(getPath(doc, 'identifiers/7/port'), undefined);
  assert.equal(getPath(doc, 'nope/x'), undefined);
  setPath(doc, 'identifiers/0/port', 443);
  setPath(doc, 'provider/name', 'P');
  assert.equal(doc.identifiers[0].port, 443);
  assert.deepEqual(doc.provider, { name: 'P' });
});

test('a problem is shown at its field, else at the nearest enclosing one', () => {
  const known = new Set(['summary', 'identifiers', 'identifiers/0', 'identifiers/0/port', 'legal_basis', 'offences']);
  assert.equal(problemTarget('identifiers/0/port', known), 'identifiers/0/port');
  assert.equal(problemTarget('identifiers/0/artifact', known), 'identifiers/0');
  assert.equal(problemTarget('identifiers', known), 'identifiers');
  assert.equal(problemTarget('legal_basis/2', known), 'legal_basis');
  assert.equal(problemTarget('offences/0/provisions', known), 'offences');
  assert.equal(problemTarget('status', known), '');
  assert.equal(problemTarget('summary', (p) => p === 'summary'), 'summary');
  const g = groupProblems([
    { field: 'summary', message: 'm1' }, { field: 'identifiers/0/port', message: 'm2' },
    { field: 'identifiers/0/port', message: 'm3' }, { field: 'status', message: 'm4' },
  ], known);
  assert.deepEqual([...g.keys()], ['summary', 'identifiers/0/port', '']);
  assert.deepEqual(g.get('identifiers/0/port').map((p) => p.message), ['m2', 'm3']);
});

test('due badges', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');
  assert.deepEqual(dueInfo('', now), { kind: 'none', days: 0 });
  assert.deepEqual(dueInfo('not a date', now), { kind: 'none', days: 0 });
  assert.deepEqual(dueInfo('2026-12-03T11:00:00Z', now), { kind: 'overdue', days: 1 });
  assert.deepEqual(dueInfo('2026-11-30T12:00:00Z', now), { kind: 'overdue', days: 3 });
  assert.deepEqual(dueInfo('2026-12-03T20:00:00Z', now), { kind: 'today', days: 0 });
  assert.deepEqual(dueInfo('2026-12-05T13:00:00Z', now), { kind: 'soon', days: 2 });
  assert.deepEqual(dueInfo('2026-12-04T11:00:00Z', now), { kind: 'today', days: 0 });
  assert.deepEqual(dueInfo('2027-02-01T11:59:00Z', now), { kind: 'later', days: 60 });
  assert.deepEqual(dueInfo('2026-12-10T12:00:00Z', now), { kind: 'soon', days: 7 });
  assert.deepEqual(dueInfo('2027-02-01T12:00:00Z', now), { kind: 'later', days: 60 });
});

test('overdue first, then soonest, no clock last', () => {
  const rows = [
    { id: 1, due: '2026-12-09T00:00:00Z', overdue: false },
    { id: 2, due: '', overdue: false },
    { id: 3, due: '2026-12-01T00:00:00Z', overdue: true },
    { id: 4, due: '2026-12-04T00:00:00Z', overdue: false },
  ];
  assert.deepEqual(sortByDue(rows).map((r) => r.id), [3, 4, 1, 2]);
});

test('list and number fields', () => {
  assert.deepEqual(splitList(' a, b;c\n, '), ['a', 'b', 'c']);
  assert.deepEqual(splitList(''), []);
  assert.equal(intOrText(''), 0);
  assert.equal(intOrText(' 4444 '), 4444);
  assert.equal(intOrText('44x'), '44x');
});

test('document URLs', () => {
  assert.equal(documentUrl(3, 9, 'pdf', 'fr', ''), '/api/v1/cases/3/requests/9/document?format=pdf&language=fr');
  assert.equal(documentUrl(3, 9, 'docx', 'en', 'ar'), '/api/v1/cases/3/requests/9/document?format=docx&language=en&bilingual=ar');
  assert.equal(documentUrl(3, 9, 'pdf', 'en', 'en'), '/api/v1/cases/3/requests/9/document?format=pdf&language=en');
});
