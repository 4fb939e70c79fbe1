// What a run writes besides the store: each arm's slates as a policy file that `readout --policy`
// reads back on a real log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeArmPolicies } from '../../src/experiment/experiment.js';
import { modelInputs } from '../../src/data/inputs.js';
import { heldReplay } from '../../src/world/world.js';
import { stream } from '../../src/world/rng.js';
import { scenario } from '../helpers/scenarios.js';

test("each distinct arm strategy's slates as a 'table' policy: per domain and catalogue item, its share of requests at each position; each position's shares sum to 1", () => {
  const p = modelInputs(
    scenario('tiny', (r) => {
      r.traffic.replayRequests = 600;
    }),
    4,
  );
  const w = p.world;
  const { rq } = heldReplay(w, 'test');
  const rng = stream(3, 'policy-file-test');
  const scores = new Map([['star/v2', Float32Array.from({ length: rq.candStart[rq.n] }, () => rng.next())]]);
  const dir = mkdtempSync(join(tmpdir(), 'crossab-arm-policies-'));
  const arms = [
    { name: 'one', strategy: 'star/v2', share: 0.5 },
    { name: 'two', strategy: 'star/v2', share: 0.5 },
  ];
  const paths = writeArmPolicies(join(dir, 'out'), w, scores, arms);
  assert.equal(paths.length, 1, 'one file per distinct strategy');
  assert.ok(!paths[0].slice(dir.length).includes('star/v2'), `a file-safe name: ${paths[0]}`);
  const spec = JSON.parse(readFileSync(paths[0], 'utf8'));
  assert.equal(spec.kind, 'table');
  assert.equal(spec.arm, 'star/v2');
  assert.deepEqual(
    Object.keys(spec.domains),
    w.scenario.domains.map((d) => d.name),
  );
  w.scenario.domains.forEach((d, k) => {
    const table = spec.domains[d.name];
    assert.equal(table.items.length, w.items.catalogues[k].length);
    assert.equal(table.items[3], '3', 'a world not fitted to a log names items by catalogue index');
    for (let pos = 0; pos < d.slate; pos++) {
      const sum = table.probabilities.reduce((a: number, row: number[]) => a + row[pos], 0);
      assert.ok(Math.abs(sum - 1) < 1e-9, `${d.name} position ${pos}: ${sum}`);
    }
  });
});
