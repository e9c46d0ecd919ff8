import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoute, routeHash } from '../.test-build/route.js';

test('routes', () => {
  assert.deepEqual(parseRoute(''), { name: 'cases' });
  assert.deepEqual(parseRoute('#/login'), { name: 'login' });
  assert.deepEqual(parseRoute('#/cases/3'), { name: 'case', case: 3 });
  assert.deepEqual(parseRoute('#/cases/3/artifacts'), { name: 'artifacts', case: 3 });
  assert.deepEqual(parseRoute('#/cases/3/artifacts/77'), { name: 'artifact', case: 3, artifact: 77 });
  assert.deepEqual(parseRoute('#/cases/3/report'), { name: 'report', case: 3 });
  assert.deepEqual(parseRoute('#/graph'), { name: 'graph' });
  assert.deepEqual(parseRoute('#/directory'), { name: 'directory' });
  assert.deepEqual(parseRoute('#/cases/3/requests'), { name: 'requests', case: 3 });
  assert.deepEqual(parseRoute('#/cases/3/requests/12'), { name: 'request', case: 3, request: 12 });
  assert.equal(parseRoute('#/cases/3/requests/x').name, 'notfound');
  for (const r of ['#/cases/../etc', '#/cases/0', '#/cases/3x', '#/cases/3/artifacts/-1', '#/cases/3/a/b/c', '#/nope', '#/cases/99999999999999999999'])
    assert.equal(parseRoute(r).name, 'notfound', r);
});

test('routeHash round trip', () => {
  for (const h of ['#/search', '#/cases', '#/cases/3', '#/cases/3/artifacts', '#/cases/3/artifacts/77', '#/cases/3/report', '#/cases/3/hits', '#/cases/3/correlations', '#/graph', '#/users', '#/login', '#/directory', '#/cases/3/requests', '#/cases/3/requests/12'])
    assert.equal(routeHash(parseRoute(h)), h);
});
