// Admission before anything is generated: an oversized scenario is refused with the field to change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admit } from '../../src/experiment/budget.js';
import { scenario } from '../helpers/scenarios.js';

test('admit names the field behind an oversized world: users for the A/B sums, requests for the impressions', () => {
  const old = process.env.CROSSAB_MEMORY_LIMIT;
  process.env.CROSSAB_MEMORY_LIMIT = '2G';
  try {
    const plan = { strategies: ['shared-bottom'], arms: 2, copies: 1, workers: 1, backend: 'wasm' as const };
    admit(scenario('tiny'), plan, 'tiny.json');
    assert.throws(
      () =>
        admit(
          scenario('tiny', (r) => {
            r.users.count = 5_000_000;
          }),
          plan,
          'tiny.json',
        ),
      /tiny\.json: users\.count: this run needs ~\d+\.\d+ GB/,
    );
    assert.throws(
      () =>
        admit(
          scenario('tiny', (r) => {
            r.traffic.requests = 20_000_000;
          }),
          plan,
          'tiny.json',
        ),
      /tiny\.json: traffic\.requests: .*over the 2\.00 GB allowed here/,
    );
    process.env.CROSSAB_MEMORY_LIMIT = 'lots';
    assert.throws(() => admit(scenario('tiny'), plan, 'tiny.json'), /CROSSAB_MEMORY_LIMIT must be a size such as 4G/);
  } finally {
    if (old === undefined) delete process.env.CROSSAB_MEMORY_LIMIT;
    else process.env.CROSSAB_MEMORY_LIMIT = old;
  }
});
