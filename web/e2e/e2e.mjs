#!/usr/bin/env node
// End-to-end test of the web UI against a real `evidex serve`, in Debian's Chromium (headless),
// driven by playwright-core. Prints each step; screenshots go to --out. Exit 0 passed, 1 failed,
// 77 skipped (no Chromium).
//   node e2e/e2e.mjs --evidex build/src/cli/evidex --web-root build/web-ui --out build/web-e2e-output
//   node e2e/e2e.mjs --mock --web-root dist --out e2e-output     (dev/mock-server.mjs instead)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : def; };
const flag = (name) => argv.includes(`--${name}`);
const kChromium = process.env.EVIDEX_CHROMIUM || '/usr/bin/chromium';
const mock = flag('mock');
const evidex = resolve(opt('evidex', join(here, '../../build/src/cli/evidex')));
const webRoot = resolve(opt('web-root', join(here, '../../build/web-ui')));
const out = resolve(opt('out', join(here, '../e2e-output')));
const keep = flag('keep');

let stepNo = 0;
const t0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s]`, ...a);
const step = (s) => log(`step ${++stepNo}: ${s}`);
function fail(msg) { throw new Error(msg); }

if (!existsSync(kChromium)) {
  console.log(`SKIP: no Chromium at ${kChromium} (apt-get install chromium, or set EVIDEX_CHROMIUM)`);
  process.exit(77);
}
if (!mock && !existsSync(evidex)) { console.error(`FAIL: no evidex binary at ${evidex} (build the evidex target)`); process.exit(1); }
if (!existsSync(join(webRoot, 'index.html'))) { console.error(`FAIL: no built web UI at ${webRoot} (build the web target)`); process.exit(1); }

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.error(`FAIL: playwright-core is not installed in web/node_modules (npm ci): ${e.message}`);
  process.exit(1);
}

mkdirSync(out, { recursive: true });
// Screenshots of an earlier run would mix with this one's (step numbers move).
for (const f of readdirSync(out)) if (/\.(png|pdf)$/.test(f)) rmSync(join(out, f));
const work = mkdtempSync(join(tmpdir(), 'evidex-e2e-'));
const data = join(work, 'ws');
const passphrase = 'e2e passphrase, not secret';
const env = { ...process.env, EVIDEX_PASSPHRASE: passphrase };
let server = null;
let context = null;
const cleanups = [];

// ---- evidence with known content ----
const shared = 'kasun.perera@example.lk';
const ev1 = join(work, 'phone-dump.bin');
const ev2 = join(work, 'usb-stick.bin');
function evidenceBytes(parts) {
  const chunks = [];
  let seed = 7;
  const noise = (n) => Buffer.from(Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff));
  for (const p of parts) chunks.push(noise(300), Buffer.from(p, 'utf8'));
  chunks.push(noise(300));
  return Buffer.concat(chunks);
}
writeFileSync(ev1, evidenceBytes([
  `From: ${shared}\r\nTo: nimali.silva@mail.example.com\r\n`,
  'Visit https://phish.example.net/login.php?id=42 now',
  'connected from 203.0.113.77 port 4444',
  'cc: ravi.fernando@example.org',
  `reply to ${shared} again`,
  // Enough distinct addresses for a second page of the artifact table (50 rows a page).
  Array.from({ length: 60 }, (_, i) => `bulk${String(i).padStart(2, '0')}@list.example.com`).join(' ; '),
]));
const ev3 = join(work, 'reference.bin');
writeFileSync(ev3, Buffer.alloc(4096, 0x41));
writeFileSync(ev2, evidenceBytes([`contact ${shared} for the parcel`, 'other: dilan.w@example.com']));

function run(args) {
  const r = spawnSync(evidex, ['--data', data, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) fail(`evidex ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function startServer() {
  const cmd = mock ? process.execPath : evidex;
  const args = mock ? [join(here, '../dev/mock-server.mjs'), '--web-root', webRoot]
    : ['--data', data, 'serve', '--listen', '127.0.0.1:0', '--web-root', webRoot, '--evidence-root', work];
  log(`$ ${cmd} ${args.join(' ')}`);
  const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  server = p;
  let text = '';
  let errText = '';
  p.stderr.on('data', (d) => { errText += d; process.stderr.write(`  [serve] ${d}`); });
  return await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`serve did not print its address in 30 s: ${text} ${errText}`)), 30000);
    p.on('exit', (code) => { clearTimeout(timer); rej(new Error(`serve exited ${code}: ${text} ${errText}`)); });
    p.stdout.on('data', (d) => {
      text += d;
      const url = /(https?:\/\/[0-9.]+:\d+)\//.exec(text);
      const pw = /one-time password\s*\n\s*\n?\s*(\S+)\s*\n/.exec(text);
      if (url && pw) {
        clearTimeout(timer);
        p.removeAllListeners('exit');
        p.on('exit', (code) => log(`serve exited ${code}`));
        res({ base: url[1], password: pw[1] });
      }
    });
  });
}

// A second client through the API (the node side), for the second case.
class ApiClient {
  constructor(base) { this.base = base; this.cookie = ''; this.csrf = ''; }
  async call(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.cookie) headers.Cookie = this.cookie;
    if (method !== 'GET' && this.csrf) headers['X-CSRF-Token'] = this.csrf;
    const r = await fetch(`${this.base}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const setCookie = r.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    const text = await r.text();
    const json = text ? JSON.parse(text) : null;
    if (!r.ok) fail(`${method} ${path} -> ${r.status} ${text}`);
    return json;
  }
  async login(user, password) { const a = await this.call('POST', '/login', { user, password }); this.csrf = a.csrf; return a; }
  async waitJob(job) {
    for (let i = 0; i < 600; i++) {
      const j = await this.call('GET', `/jobs/${job.id}`);
      if (j.state === 'complete') return j;
      if (j.state === 'failed' || j.state === 'cancelled') fail(`job ${j.id} (${j.kind}) ${j.state}: ${j.message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    fail(`job ${job.id} did not finish`);
  }
}

async function main() {
  step(`workspace in ${work}`);
  if (!mock) run(['init', '--unit', 'Test Unit', '--country', 'LK']);
  const { base, password } = await startServer();
  log(`server at ${base}, admin one-time password captured (${password.length} characters)`);

  // Checks the server's security headers on the UI itself.
  const index = await fetch(`${base}/`);
  const csp = index.headers.get('content-security-policy') || '';
  log(`GET / -> ${index.status}, CSP: ${csp}`);
  if (index.status !== 200) fail(`GET / answered ${index.status}`);
  if (!/script-src 'self'/.test(csp)) fail('no CSP with script-src \'self\' on the UI');

  const userData = mkdtempSync(join(tmpdir(), 'evidex-e2e-chromium-'));
  cleanups.push(() => rmSync(userData, { recursive: true, force: true }));
  context = await chromium.launchPersistentContext(userData, {
    executablePath: kChromium,
    headless: false,  // --headless=new below: the browser's own headless mode
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
    locale: 'en-GB',
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(20000);
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') {
      const text = m.text();
      // 4xx answers the test provokes on purpose are logged by the browser; CSP is never fine.
      if (/Content Security Policy|Refused to/.test(text) || !/status of 4\d\d/.test(text)) problems.push(`console: ${text}`);
    }
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const external = [];
  // blob: URLs of this origin are the preview's pages, fetched from the server by the page itself.
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith(`blob:${base}/`)) external.push(r.url()); });
  const shot = async (name, full = true) => {
    const file = join(out, `${String(stepNo).padStart(2, '0')}-${name}.png`);
    if (full) await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: file, fullPage: full });
    log(`  screenshot ${file}`);
  };
  const expectText = async (selector, re) => {
    await page.waitForFunction(([s, src]) => { const el = document.querySelector(s); return !!el && new RegExp(src).test(el.textContent || ''); }, [selector, re.source], { timeout: 20000 })
      .catch(async () => fail(`${selector} never matched ${re}: "${await page.textContent(selector).catch(() => '(absent)')}"`));
  };

  // Signs in from the login page; `then` is the selector of the page expected next.
  const signIn = async (user, pw, then = '#new-case') => {
    await page.waitForSelector('#login-user');
    await page.fill('#login-user', user);
    await page.fill('#login-password', pw);
    await page.click('#login-submit');
    await page.waitForSelector(then);
  };
  const changePassword = async (current, next) => {
    await page.fill('#pw-current', current);
    await page.fill('#pw-new', next);
    await page.fill('#pw-again', next);
    await page.click('#pw-submit');
    await page.waitForSelector('#new-case');
  };

  step('login page');
  await page.goto(`${base}/`);
  await page.waitForSelector('#login-user');
  await shot('login');
  await signIn('admin', 'wrong password!', '.msg-error');
  log('  a wrong password is refused');
  await signIn('admin', password, '#password-form');

  step('forced password change');
  const newPassword = 'correct horse battery staple 42';
  await shot('password-change');
  await changePassword(password, newPassword);
  await shot('cases-empty');

  step('create a case in the dialog (the title is hostile markup)');
  const hostileTitle = '<img src=x onerror="window.__xss=1">Phishing ring';
  await page.click('#new-case');
  await page.fill('#case-number', 'CCD/2026/0142');
  await page.fill('#case-title', hostileTitle);
  await page.fill('#case-offence', 'Computer fraud');
  await shot('case-dialog', false);
  await page.click('#case-create');
  await page.waitForSelector('#acquire-form');
  await expectText('.case-title', /<img src=x/);
  const caseHash = new URL(page.url()).hash;
  const caseId = Number(/#\/cases\/(\d+)/.exec(caseHash)?.[1]);
  if (!caseId) fail(`not on a case page: ${page.url()}`);
  log(`  case ${caseId}, its title shown as text`);

  step('acquire the evidence file (server path) and watch the job');
  await page.fill('#acq-source', ev1);
  await page.fill('#acq-label', 'Phone dump <b>A</b>');
  await page.selectOption('#acq-mode', 'copy');
  await page.click('#acq-submit');
  await page.waitForSelector('.job');
  await page.waitForSelector('.job[data-state="complete"]', { timeout: 120000 })
    .catch(async () => fail(`acquisition did not complete: ${await page.textContent('#jobs')}`));
  await page.waitForSelector('#evidence td .hash-value');
  await expectText('#evidence', /E1/);
  await shot('acquired');

  step('verify the evidence (job)');
  await page.click('[data-verify="E1"]');
  await page.waitForFunction(() => document.querySelectorAll('.job[data-state="complete"]').length >= 2, null, { timeout: 120000 })
    .catch(async () => fail(`verification did not complete: ${await page.textContent('#jobs')}`));
  await expectText('#evidence', /verified|vérifié/i);

  step('start a scan and follow the progress bar to the end');
  await page.click('#start-scan');
  await page.waitForFunction(() => document.querySelectorAll('.job').length >= 3);
  await shot('scan-running', false);
  await page.waitForFunction(() => { const j = document.querySelector('#jobs .job'); return j && j.getAttribute('data-state') === 'complete'; }, null, { timeout: 300000 })
    .catch(async () => fail(`scan did not complete: ${await page.textContent('#jobs')}`));
  const bar = await page.getAttribute('#jobs .job .bar', 'aria-valuenow');
  if (bar !== '100') fail(`the finished scan's bar shows ${bar}%`);
  await expectText('#scans', /complete|terminé/i);
  await expectText('#custody-banner', /verified|vérifiée/i);
  await page.waitForTimeout(400);  // the bar's width transition
  await shot('scanned');

  step('evidence acquired by reference, changed on disk: its verification fails, in red');
  await page.fill('#acq-source', ev3);
  await page.fill('#acq-label', 'Reference copy');
  await page.selectOption('#acq-mode', 'reference');
  await page.click('#acq-submit');
  await page.waitForSelector('[data-verify="E2"]', { timeout: 120000 })
    .catch(async () => fail(`the reference acquisition did not appear: ${await page.textContent('#jobs')}`));
  writeFileSync(ev3, Buffer.alloc(4096, 0x42));
  await page.click('[data-verify="E2"]');
  await page.waitForFunction(() => { const j = document.querySelector('#jobs .job'); return j && /verify|Verification/i.test(j.textContent || '') && ['complete', 'failed'].includes(j.getAttribute('data-state') || ''); }, null, { timeout: 120000 });
  await page.waitForFunction(() => [...document.querySelectorAll('#evidence tbody tr')].some((r) => /E2/.test(r.textContent || '') && r.querySelector('.badge-bad')))
    .catch(async () => fail(`E2 is not shown as failed: ${await page.textContent('#evidence')}`));
  await page.waitForTimeout(400);
  await shot('verification-failed');

  step('a second case through the API, sharing one e-mail address; scanned');
  const api = new ApiClient(base);
  await api.login('admin', newPassword);
  const c2 = await api.call('POST', '/cases', { number: 'CCD/2026/0177', title: 'Parcel fraud', offence: 'Fraud' });
  await api.waitJob(await api.call('POST', `/cases/${c2.id}/evidence`, { source: ev2, label: 'USB stick', mode: 'copy', scan: false }));
  await api.waitJob(await api.call('POST', `/cases/${c2.id}/scans`, { evidence: [] }));
  log(`  case ${c2.id} scanned`);

  step('artifact table: counts per kind, histogram, filter, sort, pages');
  await page.goto(`${base}/#/cases/${caseId}/artifacts`);
  await page.waitForSelector('#artifact-table table tbody tr td a');
  await page.waitForSelector('#kinds svg.chart rect');
  await shot('artifacts');
  const kinds = await page.$$eval('#f-kind option', (o) => o.map((x) => x.value).filter(Boolean));
  log(`  kinds: ${kinds.join(', ')}`);
  if (!kinds.includes('email')) fail('no email kind in the filter');
  await page.selectOption('#f-kind', 'email');
  await page.waitForFunction(() => [...document.querySelectorAll('#artifact-table tbody tr')].every((r) => /email/.test(r.textContent || '')));
  await page.fill('#f-q', 'kasun');
  await page.waitForFunction(() => { const rows = document.querySelectorAll('#artifact-table tbody tr'); return rows.length === 1 && /kasun/.test(rows[0].textContent || ''); })
    .catch(async () => fail(`the text filter did not narrow to kasun: ${await page.textContent('#artifact-table')}`));
  await expectText('#pager-info', /1.1.*1/);
  await shot('artifacts-filtered');
  await page.fill('#f-q', '');
  await page.selectOption('#f-kind', '');
  await page.click('button.sort[data-sort="value"]');
  await page.waitForSelector('th[aria-sort="descending"] button[data-sort="value"]');
  await expectText('#pager-info', /^1.50 /);
  const firstPage = await page.$$eval('#artifact-table tbody tr td:first-child', (c) => c.map((x) => x.textContent));
  const sorted = [...firstPage].sort().reverse();
  if (JSON.stringify(firstPage) !== JSON.stringify(sorted)) fail(`not sorted by value, descending: ${firstPage.slice(0, 5)}`);
  await page.click('#page-next');
  await expectText('#pager-info', /^51.\d+ /);
  const secondPage = await page.$$eval('#artifact-table tbody tr td:first-child', (c) => c.map((x) => x.textContent));
  if (secondPage.some((v) => firstPage.includes(v))) fail('the second page repeats rows of the first');
  if (!(secondPage[0] < firstPage[firstPage.length - 1])) fail(`page 2 does not continue page 1: ${firstPage.at(-1)} then ${secondPage[0]}`);
  await shot('artifacts-page-2');
  await page.click('#page-prev');
  await expectText('#pager-info', /^1.50 /);
  const again = await page.$$eval('#artifact-table tbody tr td:first-child', (c) => c.map((x) => x.textContent));
  if (JSON.stringify(again) !== JSON.stringify(firstPage)) fail('Prev did not return to the first page');
  log(`  pages: ${firstPage.length} + ${secondPage.length} rows, Next and Prev by the server's cursors`);

  step('open the shared artifact, its occurrences and the hex view');
  await page.fill('#f-q', 'kasun');
  await page.waitForFunction(() => document.querySelectorAll('#artifact-table tbody tr').length === 1 && /kasun/.test(document.querySelector('#artifact-table tbody')?.textContent || ''));
  await page.click('#artifact-table tbody tr td a');
  await page.waitForSelector('#artifact-value');
  await expectText('#artifact-value', new RegExp(shared.replace(/\./g, '\\.')));
  await expectText('#sightings', /CCD\/2026\/0177/);
  await page.waitForSelector('.occ .show-hex');
  await page.click('.occ .show-hex');
  await page.waitForSelector('.hex-box .hexview .hit');
  const hitHex = await page.$$eval('.hex-box .hexview .hx.hit', (els) => els.map((e) => e.textContent).join(''));
  const want = Buffer.from(shared).toString('hex');
  if (!hitHex.includes(want)) fail(`the highlighted bytes are ${hitHex}, not ${want}`);
  const lineLens = await page.$$eval('.hex-box .hex-line', (ls) => ls.map((l) => l.querySelectorAll('.hx').length));
  if (lineLens.some((n) => n !== 16)) fail(`hex lines are not 16 bytes wide: ${lineLens}`);
  log(`  the hit's bytes are highlighted (${want.length / 2} bytes), ${lineLens.length} lines of 16`);
  await shot('artifact-hex');

  step('correlation with the other case');
  await page.goto(`${base}/#/cases/${caseId}/correlations`);
  await page.waitForSelector('#correlations table');
  await expectText('#correlations', /kasun\.perera@example\.lk[\s\S]*CCD\/2026\/0177/);
  await shot('correlations');

  step('search every case for a value (prefix)');
  await page.click('.nav-link[href="#/search"]');
  await page.fill('#search-q', 'kasun');
  await page.click('#search-submit');
  await expectText('#search-results', /kasun\.perera@example\.lk[\s\S]*CCD\/2026\/01(42|77)[\s\S]*CCD\/2026\/01(42|77)/);
  await shot('search');

  step('the case list');
  await page.click('.nav-link[href="#/cases"]');
  await page.waitForFunction(() => document.querySelectorAll('#cases-list table.data tbody tr').length === 2);
  await shot('cases');

  step('case graph');
  await page.goto(`${base}/#/graph`);
  await page.waitForSelector('#graph .node');
  const nodes = await page.$$eval('#graph .node', (n) => n.length);
  const edges = await page.$$eval('#graph .edge', (n) => n.length);
  if (nodes < 2 || edges < 1) fail(`graph has ${nodes} nodes and ${edges} edges`);
  await shot('graph');
  await page.click(`#graph .node[data-case="${c2.id}"]`);
  await page.waitForURL(new RegExp(`#/cases/${c2.id}$`));
  log('  a click on a node opens its case');

  step('hits page');
  await page.goto(`${base}/#/cases/${caseId}/hits`);
  await page.waitForSelector('#file-alerts');
  await shot('hits');

  step('printable report: print media, PDF');
  await page.goto(`${base}/#/cases/${caseId}/report`);
  await page.waitForSelector('#report');
  await expectText('#report', /SHA-256/);
  await expectText('#report', /CCD\/2026\/0177/);
  await shot('report');
  await page.setViewportSize({ width: 800, height: 1130 });  // about A4 at 96 dpi
  await page.emulateMedia({ media: 'print' });
  if (await page.isVisible('.topbar')) fail('the header is visible in print');
  const pdf = join(out, 'report.pdf');
  try {
    await page.pdf({ path: pdf, format: 'A4', printBackground: true });
    log(`  PDF ${pdf}`);
  } catch (e) {
    log(`  page.pdf() not available (${e.message.split('\n')[0]}); the print-media screenshot stands for the print`);
  }
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize({ width: 1440, height: 900 });
  // The Print button calls window.print(): replaced by a recorder, since headless has no dialog.
  await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed++; }; });
  await page.click('#print');
  if ((await page.evaluate(() => window.__printed)) !== 1) fail('the Print button did not call window.print()');

  step('24/7 directory: a refused entry shows the server\'s message; our own card and a partner');
  await page.click('.nav-link[href="#/directory"]');
  await page.waitForSelector('#directory-form');
  const addEntry = async (e) => {
    await page.fill('#dir-key', e.key);
    await page.fill('#dir-country', e.country);
    await page.fill('#dir-authority', e.authority);
    await page.fill('#dir-email', e.email);
    await page.fill('#dir-time-zone', e.tz);
    await page.fill('#dir-languages', e.languages);
    await page.fill('#dir-source', 'e2e');
    if (e.own) await page.check('#dir-own');
    for (const b of e.bases ?? []) await page.check(`#dir-lb-${b}`);
    await page.click('#dir-submit');
  };
  await addEntry({ key: 'FR-BAD', country: 'FR', authority: 'Bad zone', email: 'x@example.fr', tz: 'IST', languages: 'fr' });
  await expectText('#dir-form-msg .msg-error', /time_zone/);
  log(`  refused: ${(await page.textContent('#dir-form-msg')).trim()}`);
  await page.fill('#dir-time-zone', 'Europe/Paris');
  await page.fill('#dir-key', 'LK-OWN');
  await page.fill('#dir-country', 'LK');
  await page.fill('#dir-authority', 'Sri Lanka Police CID');
  await page.fill('#dir-email', 'cid@police.example.lk');
  await page.fill('#dir-time-zone', 'Asia/Colombo');
  await page.fill('#dir-languages', 'en, si');
  await page.check('#dir-own');
  await page.click('#dir-submit');
  await expectText('#directory', /LK-OWN/);
  await addEntry({ key: 'FR-OFAC', country: 'FR', authority: 'OFAC (Office anti-cybercriminalité)', email: 'ofac@example.fr', tz: 'Europe/Paris', languages: 'fr', bases: ['budapest'] });
  await expectText('#directory', /FR-OFAC/);
  await page.fill('#dir-f-country', 'FR');
  await page.waitForFunction(() => { const t = document.querySelector('#directory')?.textContent || ''; return /FR-OFAC/.test(t) && !/LK-OWN/.test(t); });
  await page.fill('#dir-f-country', '');
  await page.waitForFunction(() => /LK-OWN/.test(document.querySelector('#directory')?.textContent || ''));
  await shot('directory');

  step('a preservation request for the IP address of the scanned case: a draft with its problems highlighted');
  await page.goto(`${base}/#/cases/${caseId}/requests`);
  await page.waitForSelector('#new-request-form');
  await page.selectOption('#nr-type', 'preservation');
  await page.selectOption('#nr-to', 'FR-OFAC');
  const ipOption = await page.$$eval('#nr-identifiers option', (os) => os.find((o) => /203\.0\.113\.77/.test(o.textContent || ''))?.value);
  if (!ipOption) fail(`no 203.0.113.77 among the artifacts offered: ${await page.textContent('#nr-identifiers')}`);
  await page.selectOption('#nr-identifiers', [ipOption]);
  await page.click('#nr-submit');
  await page.waitForURL(/#\/cases\/\d+\/requests\/\d+$/);
  await page.waitForSelector('#problem-count[data-count]');
  const requestUrl = page.url();
  const firstCount = Number(await page.getAttribute('#problem-count', 'data-count'));
  if (!(firstCount > 0)) fail(`a fresh draft shows ${firstCount} problems`);
  for (const f of ['summary', 'necessity', 'provider/name', 'identifiers/0/port', 'identifiers/0/observed', 'no_notification'])
    if (!(await page.$(`[data-field="${f}"].has-error .field-error`))) fail(`${f} is not highlighted: ${await page.textContent('#problem-list')}`);
  log(`  ${firstCount} problems, each at its field (e.g. identifiers/0/port: "${(await page.textContent('[data-field="identifiers/0/port"] .field-error')).trim()}")`);
  await shot('request-problems');

  step('the problems in French (the server writes them in the UI\'s language), and back');
  await page.selectOption('#lang-select', 'fr');
  await expectText('[data-field="summary"] .field-error', /exposé sommaire des faits/);
  await expectText('[data-field="identifiers/0/port"] .field-error', /port source/);
  log(`  identifiers/0/port: "${(await page.textContent('[data-field="identifiers/0/port"] .field-error')).trim()}"`);
  await shot('request-problems-french');
  await page.selectOption('#lang-select', 'en');
  await expectText('[data-field="summary"] .field-error', /summary of the facts/);

  step('fill the fields: the count reaches 0 as the draft is saved (merge patches)');
  await page.fill('[data-path="confirmation_contact"]', 'Insp. A. Perera, +94 11 2 123456');
  await page.fill('[data-path="operational_authority"]', 'CID Colombo, Cyber Crime Division');
  await page.fill('[data-path="summary"]', 'Victims paid a web shop that never delivered; the orders came from this address.');
  await page.fill('[data-path="relationship"]', 'The address placed the fraudulent orders.');
  await page.fill('[data-path="necessity"]', 'Connection logs are kept for 90 days only.');
  await page.fill('[data-path="provider/name"]', 'Example Telecom SA');
  await page.fill('[data-path="offences/0/provisions"]', 'Computer Crime Act No. 24 of 2007, s. 7');
  await page.selectOption('[data-path="no_notification"]', 'yes');
  await page.selectOption('[data-path="identifiers/0/category"]', 'subscriber');
  await page.fill('[data-path="identifiers/0/port"]', '4444');
  await page.fill('[data-path="identifiers/0/observed"]', '2026-11-30T10:15:00');
  await page.fill('[data-path="identifiers/0/time_zone"]', 'Asia/Colombo');
  await page.waitForSelector('#problem-count[data-count="0"]', { timeout: 20000 })
    .catch(async () => fail(`problems remain: ${await page.textContent('#problem-list')}`));
  if (await page.$('.has-error')) fail('a field is still highlighted with no problem left');
  await page.waitForSelector('#finalize:not([disabled])');
  await shot('request-complete');

  step('preview the draft: its pages as the PDF draws them, with the DRAFT mark');
  await page.click('#preview');
  await page.waitForSelector('.preview-sheet[data-page="1"]', { timeout: 20000 })
    .catch(async () => fail(`no preview: ${await page.textContent('#request-preview')}`));
  await page.waitForFunction(() => [...document.querySelectorAll('.preview-sheet')].every((i) => i.complete && i.naturalWidth > 0), null, { timeout: 20000 });
  const sheets = await page.$$eval('.preview-sheet', (imgs) => imgs.map((i) => ({ w: i.naturalWidth, h: i.naturalHeight })));
  if (!sheets.length || sheets.some((x) => !(x.w > 700 && x.h > x.w * 1.3))) fail(`preview pages: ${JSON.stringify(sheets)}`);
  await expectText('.preview-panel h2', new RegExp(`${sheets.length} page`));
  log(`  ${sheets.length} page(s) of ${sheets[0].w}×${sheets[0].h} px`);
  await page.$eval('.preview-sheet', (i) => i.scrollIntoView());
  await shot('request-preview');
  await page.click('#preview-close');
  if (await page.$('.preview-sheet')) fail('the preview did not close');

  step('finalize (signed), mark sent: the clock runs');
  await page.click('#finalize');
  await page.waitForSelector('#request-signature');
  await expectText('#request-head', /finalized/);
  if (!(await page.$('[data-path="summary"][disabled]'))) fail('a finalized request is still editable');
  await page.click('#mark-sent');
  await page.fill('#mark-note', 'by e-mail to ofac@example.fr');
  await page.click('#mark-confirm');
  await page.waitForSelector('#request-due');
  await expectText('#request-head', /sent/);
  await expectText('#request-due', /due in \d+ days/);
  await expectText('#request-history', /by e-mail to ofac@example\.fr/);
  log(`  sent; ${(await page.textContent('#request-due')).trim()} (${(await page.textContent('#request-due-date')).trim()})`);
  await shot('request-sent');

  step('download the PDF (French, bilingual with English) and check it');
  await page.selectOption('#doc-language', 'fr');
  await page.selectOption('#doc-bilingual', 'en');
  const pdfHref = await page.getAttribute('#download-pdf', 'href');
  const probe = await page.evaluate(async (href) => {
    const r = await fetch(href, { credentials: 'same-origin' });
    const b = new Uint8Array(await r.arrayBuffer());
    return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), head: String.fromCharCode(...b.slice(0, 5)), size: b.length };
  }, pdfHref);
  if (probe.status !== 200 || probe.type !== 'application/pdf' || probe.head !== '%PDF-') fail(`the PDF answer: ${JSON.stringify(probe)}`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-pdf')]);
  const pdfFile = join(out, 'request.pdf');
  await download.saveAs(pdfFile);
  const pdfHead = readFileSync(pdfFile).subarray(0, 5).toString('latin1');
  if (pdfHead !== '%PDF-') fail(`the downloaded file starts with ${pdfHead}`);
  log(`  ${download.suggestedFilename()}: ${probe.type}, ${probe.size} bytes, ${probe.disposition}`);

  step('the request page in French');
  await page.selectOption('#lang-select', 'fr');
  await page.waitForURL(requestUrl);
  await expectText('#sec-header h2', /En-tête/);
  await expectText('#request-actions', /Télécharger le PDF/);
  await expectText('#request-head', /envoyée/);
  await expectText('#request-due', /échéance dans \d+ jours/);
  await shot('request-french');
  await page.selectOption('#lang-select', 'en');
  await expectText('#sec-header h2', /Header/);

  step('the case\'s requests and the due list');
  await page.click('.tab[data-tab="requests"]');
  await page.waitForSelector('#requests table');
  await expectText('#requests', /LK-\d{4}-\d{4}[\s\S]*sent[\s\S]*due in \d+ days/);
  await shot('requests');
  await page.click('.nav-link[href="#/cases"]');
  await page.waitForSelector('#due');

  step('languages: French, Spanish, back to English');
  await page.goto(`${base}/#/cases/${caseId}`);
  await page.waitForSelector('#evidence');
  await page.selectOption('#lang-select', 'fr');
  await expectText('.mainnav', /Affaires/);
  await expectText('#evidence h2', /Scellés/);
  if ((await page.getAttribute('html', 'lang')) !== 'fr') fail('<html lang> is not fr');
  await shot('french');
  await page.selectOption('#lang-select', 'es');
  await expectText('.mainnav', /Casos/);
  await expectText('#evidence h2', /Evidencias/);
  await shot('spanish');
  await page.reload();
  await page.waitForSelector('#evidence');
  await expectText('.mainnav', /Casos/);
  log('  the choice survives a reload (localStorage)');
  await page.selectOption('#lang-select', 'en');
  await expectText('.mainnav', /Cases/);
  await page.waitForSelector('#evidence');

  step('right-to-left layout (dir=rtl, as an Arabic translation would set it)');
  await page.evaluate(() => { document.documentElement.dir = 'rtl'; });
  const brand = await page.$eval('.brand', (e) => e.getBoundingClientRect().left);
  const logout = await page.$eval('#logout', (e) => e.getBoundingClientRect().left);
  if (!(brand > logout)) fail(`in rtl the brand (x=${brand}) should be right of the sign-out button (x=${logout})`);
  await shot('rtl-layout', false);
  await page.evaluate(() => { document.documentElement.dir = 'ltr'; });

  step('users page (admin)');
  await page.goto(`${base}/#/users`);
  await page.waitForSelector('#user-form');
  await page.fill('#u-name', 'aperera');
  await page.fill('#u-display', 'Insp. A. Perera');
  await page.selectOption('#u-role', 'examiner');
  await page.click('#user-form button[type="submit"]');
  await page.waitForSelector('#one-time-password');
  await shot('users-one-time-password', false);
  const aPassword = (await page.textContent('#one-time-password')).trim();
  await page.keyboard.press('Escape');
  await expectText('#users', /aperera/);

  step('an examiner who is a member of the first case only: the other case is counted, never named');
  await page.goto(`${base}/#/cases/${caseId}`);
  await page.fill('#member-name', 'aperera');
  await page.click('#member-form button[type="submit"]');
  await page.waitForSelector('#members [data-remove="aperera"]');
  log('  aperera added to the case from its members panel');
  await page.click('#logout');
  await signIn('aperera', aPassword, '#password-form');
  await changePassword(aPassword, 'another long password 7');
  const listed = await page.$$eval('#cases-list table.data tbody tr', (r) => r.length);
  if (listed !== 1) fail(`aperera sees ${listed} cases, not 1`);
  if (await page.isVisible('.nav-link[href="#/users"]')) fail('an examiner sees the users page link');
  await page.goto(`${base}/#/cases/${caseId}/artifacts`);
  await page.fill('#f-q', 'kasun');
  await page.waitForFunction(() => document.querySelectorAll('#artifact-table tbody tr td a').length === 1);
  await page.click('#artifact-table tbody tr td a');
  await page.waitForSelector('#hidden-cases');
  await expectText('#hidden-cases', /1/);
  if (/CCD\/2026\/0177/.test(await page.textContent('#sightings'))) fail('the hidden case is named');
  await shot('examiner-hidden-case');
  await page.click('#logout');
  await signIn('admin', newPassword);

  step('session expiry: the cookie is gone, the next request returns to login with a message');
  await context.clearCookies();
  await page.goto(`${base}/#/cases/${caseId}/artifacts`);
  await page.waitForSelector('#login-user');
  await page.goto(`${base}/#/cases`);
  await page.waitForURL(/#\/login$/);  // no session: the app goes to the login page itself
  await signIn('admin', newPassword);
  await context.clearCookies();
  await page.click('.nav-link[href="#/graph"]');
  await page.waitForSelector('#login-user');
  await expectText('.auth', /session/i);
  await shot('session-expired');

  step('no script ran from evidence, nothing loaded from outside, no CSP violation');
  if (await page.evaluate(() => window.__xss)) fail('markup from evidence was executed');
  if (external.length) fail(`requests outside the server: ${external.join(', ')}`);
  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

let code = 0;
try {
  await main();
  log(`PASS (${stepNo} steps); screenshots in ${out}`);
} catch (e) {
  code = 1;
  console.error(`FAIL at step ${stepNo}: ${e.stack || e}`);
  try {
    const p = context?.pages()[0];
    if (p) { await p.screenshot({ path: join(out, 'failure.png'), fullPage: true }); console.error(`  screenshot ${join(out, 'failure.png')}`); }
  } catch { /* the browser may be gone */ }
} finally {
  await context?.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => { const t = setTimeout(() => { server.kill('SIGKILL'); r(); }, 5000); server.on('exit', () => { clearTimeout(t); r(); }); });
  }
  for (const c of cleanups) c();
  if (!keep) rmSync(work, { recursive: true, force: true });
  else log(`workspace kept: ${work}`);
}
process.exit(code);
