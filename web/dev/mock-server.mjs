// A stand-in for `evidex serve` while developing the UI: docs/API.md in memory, the same CSP,
// static files from a built UI. Scans find e-mails, URLs and IPv4 addresses with regular
// expressions. Not a test of the server: e2e/e2e.mjs drives the real one.
//   node dev/mock-server.mjs --web-root dist [--port 8080]
import http from 'node:http';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { randomBytes, createHash } from 'node:crypto';

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (v.startsWith('--') ? [...a, [v.slice(2), all[i + 1]]] : a), []));
const webRoot = args['web-root'] || 'dist';
const kCsp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'";
const q0 = (params) => params.get('q') || '';
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

const users = new Map([['admin', { name: 'admin', display_name: 'Administrator', role: 'admin', disabled: false, must_change_password: true, created: now(), password: 'first-password' }]]);
const sessions = new Map();
const cases = [];
const jobs = [];
const artifacts = new Map();  // "kind\0value" -> {id, kind, value}
let nextArtifact = 1;
console.log("created the account 'admin' with the one-time password\n\n    first-password\n");

const pub = (u) => ({ name: u.name, display_name: u.display_name, role: u.role, disabled: u.disabled, must_change_password: u.must_change_password, created: u.created });
const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Security-Policy': kCsp, 'Cache-Control': 'no-store', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
const err = (res, status, code, msg) => send(res, status, { error: msg || code, code });
const custody = (c, action, actor, evidence = null, details = {}) => {
  const prev = c.custody.length ? c.custody[c.custody.length - 1].hash : '0'.repeat(64);
  const rec = { seq: c.custody.length + 1, time: now(), actor, unit: 'Test Unit', action, evidence, details, prev_hash: prev, signer: 'unit key 3f2a…', signature: 'sig' };
  rec.hash = createHash('sha256').update(prev + JSON.stringify(rec)).digest('hex');
  c.custody.push(rec);
};
const caseOut = (c) => ({ id: c.id, uuid: c.uuid, number: c.number, title: c.title, offence: c.offence, examiner: c.examiner, created: c.created, status: 'open', evidence_count: c.evidence.length });
const evOut = (e) => { const { data, path, ...rest } = e; return rest; };
const actorOf = (u) => `${u.display_name} (${u.name})`;
const visible = (u) => cases.filter((c) => u.role === 'admin' || c.members.includes(u.name));

function scanEvidence(c, e) {
  const text = e.data.toString('latin1');
  const found = [];
  const res = [['email', /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g], ['url', /https?:\/\/[^\s"'<>]+/g], ['ipv4', /\b(?:\d{1,3}\.){3}\d{1,3}\b/g]];
  for (const [kind, re] of res) for (const m of text.matchAll(re)) found.push({ kind, value: kind === 'email' ? m[0].toLowerCase() : m[0], offset: m.index, feature: m[0] });
  c.hits = c.hits.filter((h) => h.evidence !== e.id);
  for (const f of found) {
    const key = `${f.kind}\0${f.value}`;
    if (!artifacts.has(key)) artifacts.set(key, { id: nextArtifact++, kind: f.kind, value: f.value });
    const a = artifacts.get(key);
    const ctxStart = Math.max(0, f.offset - 16);
    c.hits.push({ artifact: a.id, evidence: e.id, offset: f.offset, feature: f.feature, context_hex: e.data.subarray(ctxStart, f.offset + f.feature.length + 16).toString('hex') });
  }
  return found.length;
}

function caseArtifacts(c, evidence) {
  const by = new Map();
  for (const h of c.hits) {
    if (evidence && evidenceOf(c, evidence)?.id !== h.evidence) continue;
    const r = by.get(h.artifact) ?? { n: 0, ev: new Set() };
    r.n++; r.ev.add(h.evidence); by.set(h.artifact, r);
  }
  const all = [...artifacts.values()];
  return [...by.entries()].map(([id, r]) => {
    const a = all.find((x) => x.id === id);
    const cs = cases.filter((x) => x.hits.some((h) => h.artifact === id));
    return { ...a, cases: cs.length, occurrences: cases.reduce((s, x) => s + x.hits.filter((h) => h.artifact === id).length, 0), occurrences_here: r.n, evidence_count: r.ev.size };
  });
}
const evidenceOf = (c, ref) => c.evidence.find((e) => e.name === ref || String(e.id) === String(ref));
const sightings = (id, u) => {
  const out = []; let hidden = 0;
  for (const c of cases) {
    const hs = c.hits.filter((h) => h.artifact === id);
    if (!hs.length) continue;
    if (!visible(u).includes(c)) { hidden++; continue; }
    for (const e of c.evidence) {
      const n = hs.filter((h) => h.evidence === e.id).length;
      if (n) out.push({ case: c.id, case_number: c.number, evidence: e.id, evidence_name: e.name, evidence_label: e.label, occurrences: n });
    }
  }
  return { sightings: out, hidden };
};

function runJob(job, work) {
  job.state = 'running';
  const step = Math.max(1, Math.ceil(job.bytes_total / 12));
  const tick = () => {
    job.bytes_done = Math.min(job.bytes_total, job.bytes_done + step);
    job.rate = step * 4; job.eta_seconds = Math.ceil((job.bytes_total - job.bytes_done) / job.rate);
    if (job.state === 'cancelled') return;
    if (job.bytes_done >= job.bytes_total) { job.result = work(); if (job.state === 'running') job.state = 'complete'; job.finished = now(); return; }
    setTimeout(tick, 250);
  };
  setTimeout(tick, 250);
}
const newJob = (kind, c, u, evidence, total) => {
  const j = { id: jobs.length + 1, kind, case: c.id, evidence, user: u.name, state: 'queued', bytes_done: 0, bytes_total: total, rate: 0, eta_seconds: null, started: now(), finished: '', message: '', result: null };
  jobs.push(j); return j;
};

async function api(req, res, path, q) {
  const body = await new Promise((r) => { let b = ''; req.on('data', (d) => (b += d)); req.on('end', () => r(b)); });
  let json = {};
  if (body) try { json = JSON.parse(body); } catch { return err(res, 400, 'bad_request', 'malformed JSON'); }
  const m = req.method;
  if (m === 'POST' && path === '/login') {
    const u = users.get(json.user);
    if (!u || u.disabled || u.password !== json.password) return err(res, 401, 'bad_login', 'wrong user name or password');
    const sid = randomBytes(16).toString('hex'); const csrf = randomBytes(16).toString('hex');
    sessions.set(sid, { user: u.name, csrf });
    return send(res, 200, { user: pub(u), csrf }, { 'Set-Cookie': `evidex_session=${sid}; HttpOnly; SameSite=Strict; Path=/` });
  }
  const sid = /evidex_session=([0-9a-f]+)/.exec(req.headers.cookie || '')?.[1];
  const s = sid && sessions.get(sid);
  if (!s) return err(res, 401, 'unauthenticated', 'not signed in');
  const u = users.get(s.user);
  if (m !== 'GET' && req.headers['x-csrf-token'] !== s.csrf) return err(res, 403, 'csrf', 'bad CSRF token');
  let mm;
  if (path === '/me' && m === 'GET') return send(res, 200, { user: pub(u), csrf: s.csrf, idle_timeout: 1800, unit: { name: 'Test Unit', country: 'LK' } });
  if (path === '/logout') { sessions.delete(sid); return send(res, 204); }
  if (path === '/me/password') {
    if (json.current !== u.password) return err(res, 403, 'forbidden', 'wrong current password');
    if ((json.new || '').length < 12) return err(res, 400, 'bad_request', 'at least 12 characters');
    u.password = json.new; u.must_change_password = false; return send(res, 204);
  }
  if (path === '/users' && m === 'GET') return send(res, 200, [...users.values()].map(pub));
  if (path === '/users' && m === 'POST') {
    if (users.has(json.name)) return err(res, 409, 'conflict', 'user exists');
    const pw = json.password || randomBytes(9).toString('base64url');
    const nu = { name: json.name, display_name: json.display_name, role: json.role, disabled: false, must_change_password: true, created: now(), password: pw };
    users.set(nu.name, nu); return send(res, 201, { user: pub(nu), password: pw });
  }
  if ((mm = /^\/users\/([^/]+)\/(disable|enable|reset-password)$/.exec(path))) {
    const t = users.get(decodeURIComponent(mm[1])); if (!t) return err(res, 404, 'not_found');
    if (mm[2] === 'reset-password') { t.password = randomBytes(9).toString('base64url'); t.must_change_password = true; return send(res, 200, { password: t.password }); }
    t.disabled = mm[2] === 'disable'; return send(res, 204);
  }
  if (path === '/cases' && m === 'GET') return send(res, 200, visible(u).map(caseOut));
  if (path === '/cases' && m === 'POST') {
    if (cases.some((c) => c.number === json.number)) return err(res, 409, 'conflict', 'duplicate case number');
    const c = { id: cases.length + 1, uuid: randomBytes(16).toString('hex'), number: json.number, title: json.title, offence: json.offence, examiner: json.examiner || u.display_name, created: now(), evidence: [], scans: [], members: [u.name], custody: [], hits: [] };
    cases.push(c); custody(c, 'case-created', actorOf(u)); return send(res, 201, caseOut(c));
  }
  if (path === '/graph') {
    const vc = visible(u);
    const nodes = vc.map((c) => ({ id: c.id, number: c.number, title: c.title, artifacts: new Set(c.hits.map((h) => h.artifact)).size }));
    const edges = [];
    for (let i = 0; i < vc.length; i++) for (let j = i + 1; j < vc.length; j++) {
      const a = new Set(vc[i].hits.map((h) => h.artifact)); const shared = [...new Set(vc[j].hits.map((h) => h.artifact))].filter((x) => a.has(x));
      if (shared.length) edges.push({ a: vc[i].id, b: vc[j].id, shared: shared.length, examples: shared.slice(0, 5).map((id) => [...artifacts.values()].find((x) => x.id === id)) });
    }
    return send(res, 200, { nodes, edges });
  }
  if (path === '/search') {
    const prefix = q0(q);
    return send(res, 200, [...artifacts.values()].filter((a) => a.value.startsWith(prefix)).map((a) => {
      const sg = sightings(a.id, u);
      return { artifact: { ...a, cases: cases.filter((c) => c.hits.some((h) => h.artifact === a.id)).length, occurrences: 0 }, sightings: sg.sightings, other_cases_hidden: sg.hidden };
    }).filter((r) => r.sightings.length));
  }
  if ((mm = /^\/jobs\/(\d+)(\/cancel)?$/.exec(path))) {
    const j = jobs[Number(mm[1]) - 1]; if (!j) return err(res, 404, 'not_found');
    if (mm[2]) j.state = 'cancelled';
    return send(res, mm[2] ? 202 : 200, j);
  }
  if (path === '/jobs') return send(res, 200, jobs.filter((j) => !q.get('case') || String(j.case) === q.get('case')).slice().reverse());
  if (!(mm = /^\/cases\/(\d+)(\/.*)?$/.exec(path))) return err(res, 404, 'not_found');
  const c = visible(u).find((x) => x.id === Number(mm[1]));
  if (!c) return err(res, 404, 'not_found', 'no such case');
  const sub = mm[2] || '';
  if (sub === '') return send(res, 200, { ...caseOut(c), evidence: c.evidence.map(evOut), scans: c.scans, listings: [], members: c.members.map((n) => pub(users.get(n))), custody: { records: c.custody.length, head_seq: c.custody.length } });
  if (sub === '/members' && m === 'POST') { if (!users.has(json.user)) return err(res, 404, 'not_found', 'no such user'); if (!c.members.includes(json.user)) c.members.push(json.user); return send(res, 204); }
  if ((mm = /^\/members\/(.+)$/.exec(sub)) && m === 'DELETE') { c.members = c.members.filter((n) => n !== decodeURIComponent(mm[1])); return send(res, 204); }
  if (sub === '/evidence' && m === 'POST') {
    if (!existsSync(json.source)) return err(res, 400, 'bad_request', `cannot read ${json.source}`);
    const data = readFileSync(json.source);
    const e = { id: c.evidence.length + 1, name: `E${c.evidence.length + 1}`, uuid: randomBytes(16).toString('hex'), label: json.label, mode: json.mode, size: data.length,
      md5: createHash('md5').update(data).digest('hex'), sha1: createHash('sha1').update(data).digest('hex'), sha256: createHash('sha256').update(data).digest('hex'),
      state: 'acquired', source_description: json.source, started: now(), finished: now(), examiner: u.display_name, verification: { state: 'never', time: '' }, data, path: json.source };
    const j = newJob('acquire', c, u, e.name, data.length);
    runJob(j, () => { c.evidence.push(e); custody(c, 'acquired', actorOf(u), e.name, { source: json.source, sha256: e.sha256 }); return { evidence: e.name }; });
    return send(res, 202, j);
  }
  if ((mm = /^\/evidence\/([^/]+)\/verify$/.exec(sub))) {
    const e = evidenceOf(c, mm[1]); if (!e) return err(res, 404, 'not_found');
    const j = newJob('verify', c, u, e.name, e.size);
    runJob(j, () => {
      const bytes = e.mode === 'reference' ? readFileSync(e.path) : e.data;
      const ok = createHash('sha256').update(bytes).digest('hex') === e.sha256;
      e.verification = { state: ok ? 'verified' : 'failed', time: now() };
      custody(c, ok ? 'verified' : 'verification-failed', actorOf(u), e.name, { ok });
      if (!ok) { j.state = 'failed'; j.message = `${e.name}'s bytes no longer match its signed hashes`; }
      return { ok };
    });
    return send(res, 202, j);
  }
  if ((mm = /^\/evidence\/([^/]+)\/bytes$/.exec(sub))) {
    const e = evidenceOf(c, mm[1]); if (!e) return err(res, 404, 'not_found');
    const off = Number(q.get('offset')); const len = Math.min(4096, Number(q.get('length')));
    if (!(off >= 0) || off >= e.size || !(len >= 0)) return err(res, 400, 'bad_request', 'offset past the end');
    const b = e.data.subarray(off, off + len);
    return send(res, 200, { offset: off, length: b.length, size: e.size, hex: b.toString('hex') });
  }
  if (sub === '/evidence') return send(res, 200, c.evidence.map(evOut));
  if (sub === '/custody') return send(res, 200, { records: c.custody, verification: { ok: true, problems: [], checked: now() } });
  if (sub === '/scans' && m === 'POST') {
    const evs = (json.evidence?.length ? json.evidence.map((r) => evidenceOf(c, r)) : c.evidence).filter(Boolean);
    const total = evs.reduce((s, e) => s + e.size, 0) || 1;
    const j = newJob('scan', c, u, evs.map((e) => e.name).join(','), total);
    runJob(j, () => {
      for (const e of evs) {
        const n = scanEvidence(c, e);
        c.scans.push({ id: c.scans.length + 1, evidence: e.id, status: 'complete', started: j.started, finished: now(), bytes_total: e.size, bytes_done: e.size, occurrences: n, artifacts: n, error: '' });
        custody(c, 'scanned', actorOf(u), e.name, { occurrences: n });
      }
      return {};
    });
    return send(res, 202, j);
  }
  if (sub === '/scans') return send(res, 200, c.scans);
  if (sub === '/artifacts/kinds') {
    const by = new Map(); for (const a of caseArtifacts(c, q.get('evidence'))) by.set(a.kind, (by.get(a.kind) || 0) + 1);
    return send(res, 200, [...by.entries()].map(([kind, count]) => ({ kind, count })));
  }
  if (sub === '/artifacts') {
    let rows = caseArtifacts(c, q.get('evidence'));
    if (q.get('kind')) rows = rows.filter((a) => a.kind === q.get('kind'));
    if (q.get('q')) rows = rows.filter((a) => a.value.includes(q.get('q')));
    const sort = q.get('sort') || 'occurrences'; const dir = q.get('order') === 'asc' ? 1 : -1;
    const key = { occurrences: (a) => a.occurrences_here, value: (a) => a.value, kind: (a) => a.kind, cases: (a) => a.cases }[sort] || ((a) => a.occurrences_here);
    rows.sort((a, b) => (key(a) < key(b) ? -dir : key(a) > key(b) ? dir : a.id - b.id));
    const limit = Math.min(1000, Number(q.get('limit')) || 50); const start = Number(q.get('cursor') || 0);
    return send(res, 200, { rows: rows.slice(start, start + limit), total: rows.length, next_cursor: start + limit < rows.length ? String(start + limit) : null, prev_cursor: start > 0 ? String(Math.max(0, start - limit)) : null });
  }
  if ((mm = /^\/artifacts\/(\d+)(\/occurrences)?$/.exec(sub))) {
    const a = caseArtifacts(c).find((x) => x.id === Number(mm[1])); if (!a) return err(res, 404, 'not_found');
    if (mm[2]) return send(res, 200, c.hits.filter((h) => h.artifact === a.id).map((h) => { const e = c.evidence.find((x) => x.id === h.evidence); return { evidence: e.id, evidence_name: e.name, path: `/${e.label}`, offset: h.offset, feature: h.feature, context_hex: h.context_hex, utf16: false }; }));
    const sg = sightings(a.id, u);
    return send(res, 200, { artifact: a, sightings: sg.sightings, other_cases_hidden: sg.hidden });
  }
  const correlations = () => caseArtifacts(c).filter((a) => a.cases > 1).map((a) => { const sg = sightings(a.id, u); return { artifact: a, occurrences_here: a.occurrences_here, score: a.cases * 1.5, elsewhere: sg.sightings.filter((x) => x.case !== c.id), other_cases_hidden: sg.hidden }; });
  if (sub === '/correlations') return send(res, 200, correlations());
  // Sample hits in the server's shapes (src/server/api_artifacts.cc HitsJson), once evidence exists.
  const hits = () => {
    const e = c.evidence[0];
    if (!e) return { file_alerts: [], watchlist_hits: [] };
    const file = { path: '/Users/suspect/Downloads/<invoice>.exe', size: 73728, sha256: 'a'.repeat(64), md5: 'b'.repeat(32), sha1: 'c'.repeat(40) };
    const base = { evidence: e.id, evidence_name: e.name, evidence_label: e.label, offset: 0, set: { set: '', category: '', label: '' }, yara: { rule: '', namespace: '', tags: [] }, watchlist: '', indicator: { kind: '', value: '' } };
    const a = [...artifacts.values()].find((x) => c.hits.some((h) => h.artifact === x.id));
    return {
      file_alerts: [
        { ...base, kind: 'hashset', file, set: { set: 'NSRL-malware-2026', category: 'alert', label: 'malware' } },
        { ...base, kind: 'yara', file: null, offset: 1048576, yara: { rule: 'Phish_Kit_Login', namespace: 'unit', tags: ['phishing'] } },
      ],
      watchlist_hits: a ? [{ watchlist: 'Interpol notice 2026-114', indicator: { kind: a.kind, value: a.value, type: a.kind, comment: 'known money mule', reference: 'line 12' }, artifact: a, sightings: [], found: now() }] : [],
    };
  };
  if (sub === '/hits') return send(res, 200, hits());
  if (sub === '/report') {
    const kinds = new Map(); for (const a of caseArtifacts(c)) kinds.set(a.kind, (kinds.get(a.kind) || 0) + 1);
    return send(res, 200, { case: caseOut(c), unit: 'Test Unit', generated: now(), generated_by: actorOf(u), evidence: c.evidence.map(evOut), custody: c.custody, custody_verification: { ok: true, problems: [], checked: now() }, scans: c.scans,
      artifact_kinds: [...kinds.entries()].map(([kind, count]) => ({ kind, count })), top_artifacts: caseArtifacts(c).sort((a, b) => b.occurrences_here - a.occurrences_here).slice(0, 20), correlations: correlations(), hits: hits() });
  }
  return err(res, 404, 'not_found');
}

const kTypes = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.startsWith('/api/v1/')) {
    api(req, res, url.pathname.slice(7), url.searchParams).catch((e) => err(res, 500, 'internal', String(e)));
    return;
  }
  const rel = normalize(url.pathname === '/' ? '/index.html' : url.pathname).replace(/^(\.\.[/\\])+/, '');
  const file = join(webRoot, rel);
  if (!file.startsWith(normalize(webRoot)) || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404); return res.end(); }
  res.writeHead(200, { 'Content-Type': kTypes[extname(file)] || 'application/octet-stream', 'Content-Security-Policy': kCsp, 'X-Content-Type-Options': 'nosniff' });
  res.end(readFileSync(file));
});
server.listen(Number(args.port || 0), '127.0.0.1', () => console.log(`evidex serve: http://127.0.0.1:${server.address().port}/ on mock`));
