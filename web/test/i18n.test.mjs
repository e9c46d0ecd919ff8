// Every key of en.json exists in fr.json and es.json and the other way round; no value is empty;
// placeholders ({n}) are the same in every language; French and Spanish are real translations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

const dir = new URL('../src/i18n/', import.meta.url);
const load = (l) => JSON.parse(readFileSync(new URL(`${l}.json`, dir), 'utf8'));
const langs = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
const en = load('en');
const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('the languages are en, fr and es at least', () => {
  for (const l of ['en', 'fr', 'es']) assert.ok(langs.includes(l), l);
});

for (const l of langs.filter((x) => x !== 'en')) {
  const other = load(l);
  test(`${l}.json has every key of en.json`, () => {
    const missing = Object.keys(en).filter((k) => !(k in other));
    assert.deepEqual(missing, []);
  });
  test(`en.json has every key of ${l}.json`, () => {
    const extra = Object.keys(other).filter((k) => !(k in en));
    assert.deepEqual(extra, []);
  });
  test(`${l}.json keeps the placeholders of en.json`, () => {
    for (const k of Object.keys(en)) assert.deepEqual(placeholders(other[k] ?? ''), placeholders(en[k]), k);
  });
  test(`${l}.json is a translation, not a copy`, () => {
    const same = Object.keys(en).filter((k) => other[k] === en[k]);
    assert.ok(same.length < Object.keys(en).length * 0.2, `${same.length} values identical to English`);
  });
}

test('no value is empty', () => {
  for (const l of langs) for (const [k, v] of Object.entries(load(l))) assert.ok(typeof v === 'string' && v.trim() !== '', `${l}: ${k}`);
});

test('every literal key used in src/ exists in en.json', () => {
  const src = new URL('../src/', import.meta.url);
  const used = new Set();
  const walk = (u) => {
    for (const e of readdirSync(u, { withFileTypes: true })) {
      if (e.isDirectory()) walk(new URL(`${e.name}/`, u));
      else if (e.name.endsWith('.ts')) {
        const text = readFileSync(new URL(e.name, u), 'utf8');
        for (const m of text.matchAll(/\bt\('([a-z_.-]+)'/g)) used.add(m[1]);
        for (const m of text.matchAll(/(?:key|field|section)\W+'([a-z_]+\.[a-z_.-]+)'/g)) used.add(m[1]);
      }
    }
  };
  walk(src);
  assert.ok(used.size > 50);
  assert.deepEqual([...used].filter((k) => !(k in en)), []);
});
