// The client of docs/API.md. Same origin; the session cookie is HttpOnly, so the UI never sees
// it: it keeps only the CSRF token (from login and GET /me) and sends it on every change.
// A 401 on any call but login means the session ended: the app returns to the login page.

import { lang } from './i18n';

export interface User {
  name: string;
  display_name: string;
  role: string;
  disabled: boolean;
  must_change_password: boolean;
  created: string;
}

export interface Me {
  user: User;
  csrf: string;
  idle_timeout?: number;
  unit?: unknown;
}

export interface Case {
  id: number;
  uuid: string;
  number: string;
  title: string;
  offence: string;
  examiner: string;
  created: string;
  status: string;
  evidence_count: number;
}

export interface Evidence {
  id: number;
  name: string;
  uuid: string;
  label: string;
  mode: string;
  size: number;
  md5: string;
  sha1: string;
  sha256: string;
  state: string;
  source_description: string;
  device_model?: string;
  device_serial?: string;
  started: string;
  finished: string;
  examiner: string;
  verification?: { state: string; time?: string };
}

export interface Scan {
  id: number;
  evidence: number | string;
  status: string;
  started: string;
  finished: string;
  bytes_total: number;
  bytes_done: number;
  occurrences: number;
  artifacts: number;
  error: string;
}

export interface CaseDetail extends Case {
  evidence: Evidence[];
  scans: Scan[];
  listings: unknown[];
  members: User[];
  custody: { records: number; head_seq: number };
}

export interface CustodyRecord {
  seq: number;
  time: string;
  actor: string;
  unit: string;
  action: string;
  evidence: string | null;
  details: unknown;
  prev_hash: string;
  hash: string;
  signer: string;
  signature: string;
}

export interface Custody {
  records: CustodyRecord[];
  verification: { ok: boolean; problems: string[]; checked: string };
}

export interface Job {
  id: number;
  kind: string;
  case: number;
  evidence: string | number | null;
  user: string;
  state: 'queued' | 'running' | 'complete' | 'failed' | 'cancelled';
  bytes_done: number;
  bytes_total: number;
  rate: number;
  eta_seconds: number | null;
  started: string;
  finished: string;
  message: string;
  result: unknown;
}

export interface Artifact {
  id: number;
  kind: string;
  value: string;
  cases: number;
  occurrences: number;
}

export interface CaseArtifact extends Artifact {
  occurrences_here: number;
  evidence_count: number;
}

export interface Sighting {
  case: number;
  case_number: string;
  evidence: number | string;
  evidence_name: string;
  evidence_label: string;
  occurrences: number;
}

export interface Occurrence {
  evidence: number | string;
  evidence_name: string;
  path: string;
  offset: number | null;
  feature: string;
  context_hex: string;
  utf16: boolean;
}

export interface Correlation {
  artifact: Artifact;
  occurrences_here: number;
  score: number;
  elsewhere: Sighting[];
  other_cases_hidden: number;
}

export interface ArtifactPage {
  rows: CaseArtifact[];
  total: number;
  total_exact: boolean;  // false: at least `total` rows match (a text filter's count stops there)
  next_cursor: string | null;
  prev_cursor: string | null;
}

export interface Graph {
  nodes: { id: number; number: string; title: string; artifacts: number }[];
  edges: { a: number; b: number; shared: number; examples: Artifact[] }[];
}

export interface DirectoryEntry {
  key: string;
  country: string;
  authority: string;
  unit: string;
  phones: string[];
  email: string;
  pgp_key: string;
  hours: string;
  time_zone: string;
  languages: string[];
  channels: string[];
  legal_bases: string[];
  budapest_art35: boolean;
  g7: boolean;
  central_authority: boolean;
  own: boolean;
  last_verified: string;
  source: string;
  federation_key: string;
  stale?: boolean;
  open_now?: boolean | null;
}

// A missing or inconsistent field of a draft: its path, the rule (code, with the values it names)
// and the sentence in the UI's language (Accept-Language).
export interface RequestProblem {
  field: string;
  code?: string;
  args?: Record<string, string>;
  message: string;
}

export interface RequestEvent {
  seq: number;
  time: string;
  actor: string;
  state: string;
  note: string;
}

export interface CoopRequest {
  id: number;
  uuid: string;
  case_id: number;
  reference: string;
  version: number;
  supersedes: number;
  follows: number;
  type: string;
  state: string;
  due: string;
  signature: string;
  created: string;
  updated: string;
  document: Record<string, any>;
  problems?: RequestProblem[];
  next_states?: string[];
  history?: RequestEvent[];
  overdue?: boolean;
}

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(message);
  }
}

let csrf = '';
let onUnauthenticated: () => void = () => {};

export function setCsrf(token: string): void {
  csrf = token || '';
}

export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  // The server writes the messages it composes (a request's problems) in the UI's language.
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': lang() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let res: Response;
  try {
    res = await fetch('/api/v1' + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'network', String(e));
  }
  if (res.status === 204) return undefined as T;
  let data: any = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const code = (data && typeof data.code === 'string' && data.code) || `http_${res.status}`;
    const msg = (data && typeof data.error === 'string' && data.error) || res.statusText || code;
    if (res.status === 401 && path !== '/login' && code !== 'bad_login') onUnauthenticated();
    throw new ApiError(res.status, code, msg);
  }
  return data as T;
}

const enc = encodeURIComponent;

export function query(params: Record<string, string | number | null | undefined>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') continue;
    parts.push(`${enc(k)}=${enc(String(v))}`);
  }
  return parts.length ? '?' + parts.join('&') : '';
}

export const api = {
  login: (user: string, password: string) => request<Me>('POST', '/login', { user, password }),
  logout: () => request<void>('POST', '/logout'),
  me: () => request<Me>('GET', '/me'),
  changePassword: (current: string, next: string) => request<void>('POST', '/me/password', { current, new: next }),

  users: () => request<User[]>('GET', '/users'),
  addUser: (u: { name: string; display_name: string; role: string; password?: string }) =>
    request<{ user: User; password: string }>('POST', '/users', u),
  disableUser: (name: string) => request<void>('POST', `/users/${enc(name)}/disable`),
  enableUser: (name: string) => request<void>('POST', `/users/${enc(name)}/enable`),
  resetPassword: (name: string) => request<{ password: string }>('POST', `/users/${enc(name)}/reset-password`),

  cases: () => request<Case[]>('GET', '/cases'),
  createCase: (c: { number: string; title: string; offence: string; examiner?: string }) => request<Case>('POST', '/cases', c),
  caseDetail: (id: number) => request<CaseDetail>('GET', `/cases/${id}`),
  members: (id: number) => request<User[]>('GET', `/cases/${id}/members`),
  addMember: (id: number, user: string) => request<void>('POST', `/cases/${id}/members`, { user }),
  removeMember: (id: number, user: string) => request<void>('DELETE', `/cases/${id}/members/${enc(user)}`),

  evidence: (id: number) => request<Evidence[]>('GET', `/cases/${id}/evidence`),
  acquire: (id: number, a: { source: string; label: string; mode: string; scan: boolean }) =>
    request<Job>('POST', `/cases/${id}/evidence`, a),
  verify: (id: number, ev: string) => request<Job>('POST', `/cases/${id}/evidence/${enc(ev)}/verify`),
  custody: (id: number) => request<Custody>('GET', `/cases/${id}/custody`),
  bytes: (id: number, ev: string | number, offset: number, length: number) =>
    request<{ offset: number; length: number; size: number; hex: string }>(
      'GET', `/cases/${id}/evidence/${enc(String(ev))}/bytes${query({ offset, length })}`),

  startScan: (id: number, evidence: string[]) => request<Job>('POST', `/cases/${id}/scans`, { evidence }),
  scans: (id: number) => request<Scan[]>('GET', `/cases/${id}/scans`),
  jobs: (caseId: number) => request<Job[]>('GET', `/jobs${query({ case: caseId })}`),
  job: (jobId: number) => request<Job>('GET', `/jobs/${jobId}`),
  cancelJob: (jobId: number) => request<Job>('POST', `/jobs/${jobId}/cancel`),

  artifacts: (id: number, p: Record<string, string | number | null | undefined>) =>
    request<ArtifactPage>('GET', `/cases/${id}/artifacts${query(p)}`),
  kinds: (id: number, evidence?: string) =>
    request<{ kind: string; count: number }[]>('GET', `/cases/${id}/artifacts/kinds${query({ evidence })}`),
  artifact: (id: number, art: number) =>
    request<{ artifact: CaseArtifact; sightings: Sighting[]; other_cases_hidden: number }>('GET', `/cases/${id}/artifacts/${art}`),
  occurrences: (id: number, art: number, limit = 100) =>
    request<Occurrence[]>('GET', `/cases/${id}/artifacts/${art}/occurrences${query({ limit })}`),
  correlations: (id: number, limit = 100) => request<Correlation[]>('GET', `/cases/${id}/correlations${query({ limit })}`),
  graph: () => request<Graph>('GET', '/graph'),
  search: (q: string, kind?: string) =>
    request<{ artifact: Artifact; sightings: Sighting[]; other_cases_hidden: number }[]>('GET', `/search${query({ q, kind })}`),
  hits: (id: number) => request<{ file_alerts: any[]; watchlist_hits: any[] }>('GET', `/cases/${id}/hits`),
  report: (id: number) => request<any>('GET', `/cases/${id}/report`),

  directory: (p: { country?: string; language?: string; open_now?: string }) =>
    request<DirectoryEntry[]>('GET', `/directory${query(p)}`),
  addEntry: (e: Partial<DirectoryEntry>) => request<DirectoryEntry>('POST', '/directory', e),
  deleteEntry: (key: string) => request<void>('DELETE', `/directory/${enc(key)}`),
  due: (within = '7d') => request<CoopRequest[]>('GET', `/requests/due${query({ within })}`),
  requests: (id: number) => request<CoopRequest[]>('GET', `/cases/${id}/requests`),
  newRequest: (id: number, r: { type: string; to: string; identifiers: (string | number)[]; category?: string; language?: string; target_language?: string }) =>
    request<CoopRequest>('POST', `/cases/${id}/requests`, r),
  coopRequest: (id: number, rid: number) => request<CoopRequest>('GET', `/cases/${id}/requests/${rid}`),
  patchRequest: (id: number, rid: number, patch: unknown) => request<CoopRequest>('POST', `/cases/${id}/requests/${rid}`, patch),
  finalizeRequest: (id: number, rid: number) => request<CoopRequest>('POST', `/cases/${id}/requests/${rid}/finalize`),
  markRequest: (id: number, rid: number, state: string, note: string) =>
    request<CoopRequest>('POST', `/cases/${id}/requests/${rid}/mark`, { state, note }),
  extendRequest: (id: number, rid: number) => request<CoopRequest>('POST', `/cases/${id}/requests/${rid}/extend`),
  followUpRequest: (id: number, rid: number) => request<CoopRequest>('POST', `/cases/${id}/requests/${rid}/follow-up`),
};
