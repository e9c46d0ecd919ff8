import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asciiOf, featureByteLength, formatHexLines, hexToBytes, hexWindow, offsetText, printable } from '../.test-build/hex.js';

test('hexToBytes parses, ignores whitespace and bad digits', () => {
  assert.deepEqual([...hexToBytes('00ff 4A6b')], [0, 255, 0x4a, 0x6b]);
  assert.deepEqual([...hexToBytes('zz41')], [0x41]);
  assert.deepEqual([...hexToBytes('')], []);
  assert.deepEqual([...hexToBytes('414')], [0x41], 'an odd trailing digit is dropped');
  assert.equal(hexToBytes(null).length, 0);
});

test('printable ASCII only; everything else is a dot', () => {
  assert.equal(printable(0x41), 'A');
  assert.equal(printable(0x20), ' ');
  assert.equal(printable(0x7e), '~');
  for (const b of [0, 9, 10, 13, 0x1f, 0x7f, 0x80, 0xff]) assert.equal(printable(b), '.');
  assert.equal(asciiOf(hexToBytes('3c7363726970743e00')), '<script>.');
});

test('16 bytes per line with offsets', () => {
  const bytes = new Uint8Array(40).map((_, i) => i + 0x30);
  const lines = formatHexLines(bytes, 0x100);
  assert.equal(lines.length, 3);
  assert.deepEqual(lines.map((l) => l.offsetText), ['00000100', '00000110', '00000120']);
  assert.deepEqual(lines.map((l) => l.cells.length), [16, 16, 8]);
  assert.equal(lines[0].cells[0].hex, '30');
  assert.equal(lines[0].cells[0].ascii, '0');
  assert.equal(lines[2].cells[7].offset, 0x127);
});

test('an unaligned start keeps columns aligned to 16', () => {
  const lines = formatHexLines(new Uint8Array(20), 0x105);
  assert.equal(lines[0].offset, 0x100);
  assert.equal(lines[0].cells.length, 11);
  assert.equal(lines[0].cells[0].offset, 0x105);
  assert.equal(lines[1].offset, 0x110);
  assert.equal(lines[1].cells.length, 9);
});

test('the hit is highlighted, and only the hit', () => {
  const lines = formatHexLines(new Uint8Array(48), 0, { start: 14, length: 5 });
  const hit = lines.flatMap((l) => l.cells).filter((c) => c.hit).map((c) => c.offset);
  assert.deepEqual(hit, [14, 15, 16, 17, 18]);
  assert.equal(formatHexLines(new Uint8Array(4), 0, { start: 0, length: 0 }).flatMap((l) => l.cells).some((c) => c.hit), false);
});

test('the offset column widens past 4 GiB', () => {
  assert.equal(offsetText(0x1_0000_0000), '100000000');
  const lines = formatHexLines(new Uint8Array(1), 0x1_2345_6780);
  assert.equal(lines[0].offsetText, '123456780');
});

test('hexWindow: aligned, around the hit, clipped to the evidence and to 4096', () => {
  assert.deepEqual(hexWindow(1000, 10, 1_000_000), { start: 864, length: 288 });
  assert.equal(hexWindow(5, 4, 100).start, 0);
  assert.equal(hexWindow(90, 4, 100).length, 100);
  const w = hexWindow(0, 100000, null);
  assert.equal(w.length, 4096);
  assert.equal(hexWindow(50, 4, 0).length, 0);
  for (const o of [0, 1, 15, 16, 17, 123457]) assert.equal(hexWindow(o, 3, null).start % 16, 0);
});

test('feature byte length: UTF-8 or UTF-16', () => {
  assert.equal(featureByteLength('a@b.lk', false), 6);
  assert.equal(featureByteLength('é', false), 2);
  assert.equal(featureByteLength('a@b.lk', true), 12);
});
