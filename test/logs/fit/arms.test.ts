// The log's arms as policies: the control first; a logger whose every propensity is 1/n is the
// uniform policy itself (not its sample's frequencies); another arm by its own log's frequencies
// unless a policy file names it; and each as the fitted scenario's policy arm (uniform, or a table
// whose positions each sum to 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importSyntheticLog } from '../../helpers/synthetic-log.js';
import { openDb } from '../../../src/store/db.js';
import { fitMoments } from '../../../src/logs/fit/moments.js';
import { armPolicies, policyArmOf } from '../../../src/logs/fit/arms.js';
import type { PolicySpec } from '../../../src/scenario/policy.js';

test('armPolicies and policyArmOf: uniform control first, the other arm by its frequencies or by the policy given', async () => {
  // 2,400 displays, arms alternating; the control shows 12 items uniformly (propensity 1/12), the
  // other prefers item 0 (half its displays) and logs the propensities it used.
  const rows = ['t,arm,item,position,click,propensity'];
  for (let i = 0; i < 2400; i++) {
    const control = i % 2 === 0;
    const j = i >> 1;
    const item = control ? j % 12 : j % 2 === 0 ? 0 : 1 + (j % 11);
    rows.push(
      `${1_600_000_000 + i},${control ? 'control' : 'other'},${item},${1 + (j % 3)},${j % 7 === 0 ? 1 : 0},${control ? 1 / 12 : item === 0 ? 0.5 : 0.5 / 11}`,
    );
  }
  // The mapping lists the other arm first: the control still comes first.
  const db = importSyntheticLog(rows, { arms: ['other', 'control'] });
  const store = await openDb(db, { readOnly: true });
  try {
    const f = await fitMoments(store, 'syn', 0.5);
    const ids = f.domains[0].clickModel.itemIds;
    const K = f.positionBias.length;
    const arms = await armPolicies(store, 'syn', f, []);
    assert.deepEqual(
      arms.map((a) => [a.name, a.displays]),
      [
        ['control', [1200]],
        ['other', [1200]],
      ],
      'the control first, each with its displays',
    );
    const [control, other] = arms;
    assert.ok(
      control.policies[0].p.every((x) => x === 1 / ids.length),
      'a 1/n logger is the uniform policy',
    );
    assert.deepEqual(policyArmOf(control, f), { kind: 'uniform' });
    // The other arm's frequencies: item 0 at half of each position's displays.
    const zero = ids.indexOf('0');
    for (let k = 0; k < K; k++) {
      const column = Array.from({ length: ids.length }, (_, a) => other.policies[0].p[a * K + k]);
      assert.ok(Math.abs(column.reduce((s, x) => s + x, 0) - 1) < 1e-12, `position ${k + 1} sums to 1`);
      assert.ok(Math.abs(column[zero] - 0.5) < 0.01, `position ${k + 1}: item 0 at ${column[zero]}`);
    }
    const table = policyArmOf(other, f);
    assert.equal(table.kind, 'table');
    const probabilities = (table as { domains: Record<string, { probabilities: number[][] }> }).domains[f.domains[0].name].probabilities;
    assert.equal(probabilities[zero][0], Math.round(other.policies[0].p[zero * K] * 1e6) / 1e6, 'six digits');
    // A policy file for the arm replaces its frequencies: here, uniform by table.
    const spec: PolicySpec = {
      kind: 'table',
      arm: 'other',
      domains: { feed: { items: ids, probabilities: ids.map(() => Array.from({ length: K }, () => 1 / ids.length)) } },
    } as PolicySpec;
    const given = await armPolicies(store, 'syn', f, [{ name: 'flat.policy.json', spec }]);
    assert.ok(given[1].policies[0].p.every((x) => Math.abs(x - 1 / ids.length) < 1e-15));
    assert.deepEqual(policyArmOf(given[1], f), { kind: 'uniform' }, 'a table that is uniform is written as uniform');
  } finally {
    store.close();
  }
});
