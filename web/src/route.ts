// The hash router's parser: "#/cases/3/artifacts/77" -> { name: "artifact", case: 3, artifact: 77 }.
// Ids must be plain digits; anything else is the "notfound" route.

export type Route =
  | { name: 'login' }
  | { name: 'cases' }
  | { name: 'case'; case: number }
  | { name: 'artifacts'; case: number }
  | { name: 'artifact'; case: number; artifact: number }
  | { name: 'report'; case: number }
  | { name: 'hits'; case: number }
  | { name: 'correlations'; case: number }
  | { name: 'requests'; case: number }
  | { name: 'request'; case: number; request: number }
  | { name: 'directory' }
  | { name: 'graph' }
  | { name: 'search' }
  | { name: 'users' }
  | { name: 'account' }
  | { name: 'notfound' };

const kId = /^[1-9][0-9]{0,15}$/;

export function parseRoute(hash: string): Route {
  const path = (hash || '').replace(/^#/, '').split('?')[0];
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0) return { name: 'cases' };
  const [a, b, c, d, ...rest] = parts;
  if (rest.length > 0) return { name: 'notfound' };
  if (parts.length === 1) {
    if (a === 'login') return { name: 'login' };
    if (a === 'cases') return { name: 'cases' };
    if (a === 'graph') return { name: 'graph' };
    if (a === 'search') return { name: 'search' };
    if (a === 'users') return { name: 'users' };
    if (a === 'account') return { name: 'account' };
    if (a === 'directory') return { name: 'directory' };
    return { name: 'notfound' };
  }
  if (a !== 'cases' || !kId.test(b)) return { name: 'notfound' };
  const id = Number(b);
  if (c === undefined) return { name: 'case', case: id };
  if (d === undefined) {
    if (c === 'artifacts') return { name: 'artifacts', case: id };
    if (c === 'report') return { name: 'report', case: id };
    if (c === 'hits') return { name: 'hits', case: id };
    if (c === 'correlations') return { name: 'correlations', case: id };
    if (c === 'requests') return { name: 'requests', case: id };
    return { name: 'notfound' };
  }
  if (c === 'artifacts' && kId.test(d)) return { name: 'artifact', case: id, artifact: Number(d) };
  if (c === 'requests' && kId.test(d)) return { name: 'request', case: id, request: Number(d) };
  return { name: 'notfound' };
}

export function routeHash(r: Route): string {
  switch (r.name) {
    case 'case': return `#/cases/${r.case}`;
    case 'artifacts': return `#/cases/${r.case}/artifacts`;
    case 'artifact': return `#/cases/${r.case}/artifacts/${r.artifact}`;
    case 'report': return `#/cases/${r.case}/report`;
    case 'hits': return `#/cases/${r.case}/hits`;
    case 'correlations': return `#/cases/${r.case}/correlations`;
    case 'requests': return `#/cases/${r.case}/requests`;
    case 'request': return `#/cases/${r.case}/requests/${r.request}`;
    case 'notfound': return '#/cases';
    default: return `#/${r.name}`;
  }
}
