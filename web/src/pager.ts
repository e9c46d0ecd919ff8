// Cursor pagination state for server-side paged tables (`next_cursor` / `prev_cursor`).
// The server hands opaque cursors; the page index is kept here only to show "rows 51-100 of N".
// Pure functions returning new states.

export interface PagerState {
  limit: number;
  cursor: string | null;      // the cursor of the page being shown (null: the first page)
  page: number;               // 0-based index of the page being shown
  next: string | null;        // from the last answer
  prev: string | null;
  total: number | null;
  exact: boolean;             // false: `total` is a floor (a text filter counted up to a cap)
  rows: number;               // rows on the page being shown
}

export interface PageAnswer {
  rows: unknown[];
  total?: number | null;
  total_exact?: boolean;
  next_cursor?: string | null;
  prev_cursor?: string | null;
}

export function initialPager(limit = 50): PagerState {
  return { limit, cursor: null, page: 0, next: null, prev: null, total: null, exact: true, rows: 0 };
}

// Records what the server answered for the current cursor.
export function applyAnswer(s: PagerState, a: PageAnswer): PagerState {
  return {
    ...s,
    next: a.next_cursor || null,
    prev: a.prev_cursor || null,
    total: typeof a.total === 'number' ? a.total : s.total,
    exact: typeof a.total === 'number' ? a.total_exact !== false : s.exact,
    rows: Array.isArray(a.rows) ? a.rows.length : 0,
  };
}

export function canNext(s: PagerState): boolean {
  return s.next !== null;
}

export function canPrev(s: PagerState): boolean {
  return s.page > 0;
}

export function goNext(s: PagerState): PagerState {
  if (!canNext(s)) return s;
  return { ...s, cursor: s.next, page: s.page + 1, next: null, prev: null };
}

export function goPrev(s: PagerState): PagerState {
  if (!canPrev(s)) return s;
  // Back to page 0 always means "no cursor", whatever the server's prev cursor says.
  const page = s.page - 1;
  if (page > 0 && s.prev === null) return { ...initialPager(s.limit), total: s.total, exact: s.exact };
  return { ...s, cursor: page === 0 ? null : s.prev, page, next: null, prev: null };
}

// Filters or sort changed: back to the first page.
export function resetPager(s: PagerState, limit = s.limit): PagerState {
  return initialPager(limit);
}

// 1-based first and last row numbers of the page shown (0, 0 when empty).
export function rowRange(s: PagerState): { first: number; last: number } {
  if (s.rows === 0) return { first: 0, last: 0 };
  const first = s.page * s.limit + 1;
  return { first, last: first + s.rows - 1 };
}
