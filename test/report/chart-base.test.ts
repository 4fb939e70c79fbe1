// What every chart shares: one colour list per run, and facets that wrap at the page's width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namedColor, wrapped } from '../../src/report/chart-base.js';
import type { RunData } from '../../src/store/run-data.js';

test("the colour list is the run's strategies, then its arms, then the strategies seen only offline, then the two references, each once", () => {
  const d = {
    training: [{ strategy: 'separate' }, { strategy: 'star' }, { strategy: 'separate' }],
    assignment: [{ arm: 'star' }, { arm: 'star-v2' }],
    offline: [{ strategy: 'oracle' }, { strategy: 'mmoe' }, { strategy: 'constant' }],
  } as unknown as RunData;
  const c = namedColor('arm', d);
  assert.equal(c.field, 'arm');
  assert.deepEqual(c.scale.domain, ['separate', 'star', 'star-v2', 'mmoe', 'constant', 'oracle']);
  assert.equal(c.scale.scheme, 'tableau10');
  const many = { training: Array.from({ length: 10 }, (_, i) => ({ strategy: `s${i}` })), assignment: [], offline: [] } as unknown as RunData;
  assert.equal(namedColor('strategy', many).scale.scheme, 'tableau20', 'twelve names need the twenty-colour scheme');
});

test('a facet wraps after as many panels as fit 1,100 px, at least one', () => {
  assert.equal(wrapped('domain', 150).columns, 5);
  assert.equal(wrapped('domain', 260).columns, 3);
  assert.equal(wrapped('domain', 2000).columns, 1);
  assert.deepEqual(wrapped('arm', 200).facet, { field: 'arm', type: 'nominal', title: null });
});
