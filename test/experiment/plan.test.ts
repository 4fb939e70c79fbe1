// A run's first step, in process: the strategies it trains (the flag, else the scenario's list, else
// the defaults with its arms) and every arm's model among them, the engine it will be stored under,
// and everything a streamed replay cannot do refused before anything is generated or stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPolicy, planRun, resolveStrategies } from '../../src/experiment/plan.js';
import { DEFAULT_STRATEGIES } from '../../src/models/registry.js';
import { engineName } from '../../src/tf/backend.js';
import { scenario } from '../helpers/scenarios.js';

const dir = mkdtempSync(join(tmpdir(), 'crossab-plan-run-'));

test("resolveStrategies: the flag, else the scenario's list, else the defaults with the scenario's arms (a policy arm needs no model)", () => {
  const s = scenario('tiny', (raw) => {
    raw.abtest.policies = { rnd: { kind: 'uniform' } };
    raw.abtest.arms = ['separate', 'aitm', 'rnd'];
  });
  assert.deepEqual(resolveStrategies(s, ['mmoe']), ['mmoe']);
  assert.deepEqual(resolveStrategies({ ...s, strategies: ['star', 'ple'] }), ['star', 'ple']);
  const defaults = resolveStrategies(s);
  assert.deepEqual(defaults, [...new Set([...DEFAULT_STRATEGIES, 'separate', 'aitm'])]);
  assert.ok(isPolicy(s, 'rnd') && !isPolicy(s, 'aitm'));
  assert.throws(() => resolveStrategies(s, []), /no strategies to train/);
});

test('planRun: every arm’s model is trained even when the flag leaves it out; the engine names the kernels; the store is opened', async () => {
  const db = join(dir, 'plan.duckdb');
  const plan = await planRun({ scenario: scenario('tiny'), db, strategies: ['mmoe'], backend: 'wasm', workers: 1 });
  assert.deepEqual(plan.names, ['mmoe', 'separate', 'shared-bottom'], 'the arms of tiny are separate and shared-bottom');
  assert.deepEqual(
    plan.arms.arms.map((a) => a.name),
    ['separate', 'shared-bottom'],
  );
  assert.equal(plan.backend, 'wasm');
  assert.equal(plan.engine, engineName('wasm'));
  assert.ok(existsSync(db), 'a valid store is made before any work');
});

test('planRun refuses, before any store exists, what a streamed replay cannot do and a reward model that is not trained', async () => {
  const streamed = (patch: (raw: Record<string, any>) => void) =>
    scenario('tiny', (raw) => {
      raw.traffic.streamReplay = true;
      patch(raw);
    });
  const refused = async (o: Parameters<typeof planRun>[0], pattern: RegExp) => {
    await assert.rejects(planRun({ backend: 'wasm', workers: 1, ...o }), pattern);
    assert.ok(!existsSync(o.db), `${o.db}: no store left`);
  };
  await refused(
    {
      scenario: streamed((raw) => {
        raw.abtest.policies = { rnd: { kind: 'uniform' } };
        raw.abtest.arms.push('rnd');
      }),
      db: join(dir, 'a.duckdb'),
    },
    /abtest\.policies\.rnd needs every replay candidate's score at once, and the replay streams/,
  );
  await refused({ scenario: scenario('tiny'), db: join(dir, 'b.duckdb'), replayFrom: dir }, /--replay-from: only a streamed replay is ranked in shards/);
  await refused(
    {
      scenario: scenario('tiny', (raw) => {
        raw.ope = { rewardModel: 'mmoe' };
      }),
      db: join(dir, 'c.duckdb'),
      strategies: ['star'],
    },
    /ope\.rewardModel 'mmoe' is not a trained strategy \(trained: star, separate, shared-bottom\)/,
  );
});
