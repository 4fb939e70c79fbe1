// The feature layout: item IDs first when enabled, then the declared features by kind, and each
// domain exposing exactly what it lists (item IDs everywhere).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLayout, featureCoverage } from '../../src/world/layout.js';
import { scenario } from '../helpers/scenarios.js';

test("the tiny scenario's layout: item_id first, features by kind, each domain's own list exposed", () => {
  const s = scenario('tiny');
  const l = buildLayout(s);
  assert.equal(l.categorical[0].name, 'item_id');
  assert.equal(l.categorical[0].vocab, s.items.count);
  assert.deepEqual(
    l.numeric.map((f) => f.name),
    s.features.filter((f) => f.kind === 'numeric').map((f) => f.name),
  );
  s.domains.forEach((d, k) => {
    const exposed = [...l.categorical.filter((_, j) => l.exposesCat[k][j]), ...l.numeric.filter((_, j) => l.exposesNum[k][j])].map((f) => f.name);
    assert.deepEqual(exposed.sort(), ['item_id', ...d.features].sort(), d.name);
  });
  const cov = featureCoverage(l);
  assert.deepEqual(cov.find((c) => c.name === 'item_id')!.domains, l.domains);
  const noIds = buildLayout(scenario('tiny', (r) => (r.items.idFeature = false)));
  assert.ok(!noIds.categorical.some((f) => f.name === 'item_id'));
});
