// The escaping rule: evidence values reach the page only as text. No source file under src/ may
// parse strings as markup or code; the stylesheet uses logical properties only (right-to-left).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

function files(dirUrl, ext) {
  const out = [];
  for (const e of readdirSync(dirUrl, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...files(new URL(`${e.name}/`, dirUrl), ext));
    else if (ext.some((x) => e.name.endsWith(x))) out.push(new URL(e.name, dirUrl));
  }
  return out;
}

const src = new URL('../src/', import.meta.url);
const kForbidden = [
  /innerHTML/, /outerHTML/, /insertAdjacentHTML/, /document\.write/, /\beval\s*\(/, /new\s+Function\s*\(/,
  /createContextualFragment/, /DOMParser/, /srcdoc/, /setTimeout\(\s*['"`]/, /javascript:/i,
];

test('no markup or code is ever built from strings in src/', () => {
  const found = [];
  for (const f of files(src, ['.ts', '.js', '.mjs'])) {
    readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
      for (const re of kForbidden) if (re.test(line)) found.push(`${f.pathname}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, []);
});

test('index.html has no inline script or style', () => {
  const html = readFileSync(new URL('../index.html', import.meta.url), 'utf8');
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
  assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i);
  assert.doesNotMatch(html, /https?:\/\//, 'no external resource (offline)');
});

test('the stylesheet uses logical properties only and loads nothing from outside', () => {
  for (const f of files(src, ['.css'])) {
    const css = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    assert.doesNotMatch(css, /\b(margin|padding|border)-(left|right)\b/, f.pathname);
    assert.doesNotMatch(css, /(^|[\s;{])(left|right)\s*:/m, f.pathname);
    assert.doesNotMatch(css, /text-align\s*:\s*(left|right)/, f.pathname);
    assert.doesNotMatch(css, /float\s*:\s*(left|right)/, f.pathname);
    // four-value margin/padding shorthands are physical (top right bottom left)
    assert.doesNotMatch(css, /(margin|padding)\s*:\s*[^;{}\s]+\s+[^;{}\s]+\s+[^;{}\s]+\s+[^;{}\s]+\s*[;}]/, f.pathname);
    assert.doesNotMatch(css, /@import|url\(\s*['"]?https?:/, f.pathname);
  }
});
