// DOM-free helpers of the cooperation pages (directory, requests): the merge patch of an edited
// request document, where a problem's field path is shown, and the clock badges. Unit-tested.

export interface Problem {
  field: string;
  message: string;
}

// JSON merge patch (RFC 7386) turning `before` into `after`: changed keys only, objects
// recursively, arrays and scalars whole, a removed key as null. {} when nothing changed.
export function mergePatch(before: unknown, after: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const b = isObject(before) ? before : {};
  const a = isObject(after) ? after : {};
  for (const k of Object.keys(a)) {
    const av = a[k];
    const bv = b[k];
    if (isObject(av) && isObject(bv)) {
      const sub = mergePatch(bv, av);
      if (Object.keys(sub).length > 0) out[k] = sub;
    } else if (!same(av, bv)) {
      out[k] = av === undefined ? null : clone(av);
    }
  }
  for (const k of Object.keys(b)) if (!(k in a)) out[k] = null;
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

// The value at a "a/b/0/c" path of a document (undefined when absent).
export function getPath(doc: unknown, path: string): unknown {
  let cur: any = doc;
  for (const part of path.split('/')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(part)] : cur[part];
  }
  return cur;
}

// Sets the value at a path, creating objects on the way (arrays must exist).
export function setPath(doc: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('/');
  let cur: any = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = Array.isArray(cur) ? Number(parts[i]) : parts[i];
    if (cur[p] === null || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p];
  }
  const last = parts[parts.length - 1];
  cur[Array.isArray(cur) ? Number(last) : last] = value;
}

// The shown path a problem belongs to: the field itself when the form has it, else the
// nearest enclosing path it has ("legal_basis/0" -> "legal_basis", "identifiers" -> the table),
// else "" (only in the summary).
export function problemTarget(field: string, known: Set<string> | ((p: string) => boolean)): string {
  const has = typeof known === 'function' ? known : (p: string) => known.has(p);
  const parts = field.split('/').filter((p) => p !== '');
  for (let n = parts.length; n > 0; n--) {
    const p = parts.slice(0, n).join('/');
    if (has(p)) return p;
  }
  return '';
}

// Problems grouped by the path that shows them, in the server's order.
export function groupProblems(problems: Problem[], known: Set<string> | ((p: string) => boolean)): Map<string, Problem[]> {
  const out = new Map<string, Problem[]>();
  for (const p of problems) {
    const target = problemTarget(p.field, known);
    const list = out.get(target) ?? [];
    list.push(p);
    out.set(target, list);
  }
  return out;
}

export type DueKind = 'none' | 'overdue' | 'today' | 'soon' | 'later';

export interface DueInfo {
  kind: DueKind;
  days: number;  // whole days left (ceil); for an overdue clock, days past (>= 1)
}

const kDay = 86400000;

// The badge of a clock: `due` is an ISO time ("" when the request runs no clock); `soon` is
// within `soonDays` days.
export function dueInfo(due: string | null | undefined, nowMs: number, soonDays = 7): DueInfo {
  if (!due) return { kind: 'none', days: 0 };
  const t = Date.parse(due);
  if (Number.isNaN(t)) return { kind: 'none', days: 0 };
  const diff = t - nowMs;
  if (diff < 0) return { kind: 'overdue', days: Math.max(1, Math.ceil(-diff / kDay)) };
  if (diff < kDay) return { kind: 'today', days: 0 };
  const days = Math.round(diff / kDay);  // 59 days 23 hours: "due in 60 days"
  return { kind: days <= soonDays ? 'soon' : 'later', days };
}

// Requests by their clocks: overdue first, then soonest; those without a clock last.
export function sortByDue<T extends { due: string; overdue?: boolean }>(rows: T[]): T[] {
  const key = (r: T) => {
    const t = r.due ? Date.parse(r.due) : NaN;
    return Number.isNaN(t) ? Number.MAX_SAFE_INTEGER : t;
  };
  return [...rows].sort((a, b) => {
    const oa = a.overdue ? 0 : 1;
    const ob = b.overdue ? 0 : 1;
    return oa !== ob ? oa - ob : key(a) - key(b);
  });
}

// "a, b;c" -> ["a", "b", "c"]: the text form of a list field.
export function splitList(s: string): string[] {
  return s.split(/[,;\n]/).map((x) => x.trim()).filter((x) => x !== '');
}

// An integer input's value for the document: "" -> 0, "443" -> 443, anything else: the text
// (the server refuses it with a message naming the field).
export function intOrText(s: string): number | string {
  const v = s.trim();
  if (v === '') return 0;
  return /^-?\d{1,9}$/.test(v) ? Number(v) : v;
}

// The languages the request documents are written in (src/coop/docs/i18n).
export const kDocLanguages = ['ar', 'en', 'es', 'fr', 'ru', 'zh'];
export const kRequestTypes = ['preservation', 'emergency', 'mla', 'epoc', 'epoc-pr'];
export const kCategories = ['subscriber', 'identification', 'traffic', 'content'];
export const kLegalBases = ['budapest', 'protocol2', 'untoc', 'bilateral', 'reciprocity', 'eu-2023-1543', 'us-2703f'];
export const kChannels = ['email', 'portal', 'phone', 'federation'];
export const kMarkStates = ['sent', 'acknowledged', 'answered', 'refused', 'withdrawn', 'expired'];

// The URL of a request's document (GET; same origin, the session cookie goes with it); png is a
// page of the preview (add &page=N&dpi=D).
export function documentUrl(caseId: number, requestId: number, format: 'pdf' | 'docx' | 'png', language: string, bilingual: string): string {
  const q = [`format=${format}`];
  if (language) q.push(`language=${encodeURIComponent(language)}`);
  if (bilingual && bilingual !== language) q.push(`bilingual=${encodeURIComponent(bilingual)}`);
  return `/api/v1/cases/${caseId}/requests/${requestId}/document?${q.join('&')}`;
}
