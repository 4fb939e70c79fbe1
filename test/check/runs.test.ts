// Which stored run a check may reuse: the scenario as run (not its name, prose, expectations, seed
// or strategy list), the seed, this build, the engine and the data must match, and the run must hold
// every strategy, the same arms and control, and the graded assignments asked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findReusable, runKey } from '../../src/check/runs.js';
import { generateWorld } from '../../src/world/world.js';
import { crossab } from '../helpers/cli.js';
import { rawScenario, scenario, scenarioPath } from '../helpers/scenarios.js';

test('runKey: key order and prose do not matter; anything that changes the results does', () => {
  const raw = rawScenario('tiny');
  const same = { ...raw, name: 'other', description: 'prose', seed: 99, strategies: ['mmoe'], expectations: [], check: { seeds: [1] } };
  const reordered = Object.fromEntries(Object.entries(raw).reverse());
  assert.equal(runKey(same), runKey(raw));
  assert.equal(runKey(reordered), runKey(raw));
  assert.notEqual(runKey({ ...raw, traffic: { ...raw.traffic, requests: raw.traffic.requests + 1 } }), runKey(raw));
  assert.notEqual(runKey({ ...raw, abtest: { ...raw.abtest, arms: [...raw.abtest.arms].reverse() } }), runKey(raw), 'array order is meaning');
});

test('findReusable: the stored run when everything that decides it matches, null when one thing differs', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'crossab-reuse-')), 'runs.duckdb');
  const r = crossab(['run', scenarioPath('tiny'), '--strategies', 'shared-bottom', '--no-report', '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const s = scenario('tiny');
  const wanted = {
    scenario: s,
    seed: s.seed,
    backend: out.backend as string,
    fingerprint: generateWorld(s, s.seed).fingerprint,
    strategies: ['shared-bottom'],
    arms: s.abtest!.arms,
    control: s.abtest!.control,
    exclude: [] as string[],
    grade: 0,
  };
  assert.equal(await findReusable(db, wanted), out.run_id);
  assert.equal(await findReusable(db, { ...wanted, fingerprint: null }), out.run_id, 'a sweep unit matches without the data');
  const misses: [string, Partial<typeof wanted>][] = [
    ['another seed', { seed: s.seed + 1 }],
    ['another engine', { backend: out.backend === 'wasm' ? 'wasm-fma' : 'wasm' }],
    ['other data', { fingerprint: 'f'.repeat(64) }],
    ['a strategy it did not train', { strategies: ['shared-bottom', 'mmoe'] }],
    ['other arms', { arms: [...s.abtest!.arms].reverse() }],
    ['another control', { control: s.abtest!.arms.find((a) => a !== s.abtest!.control)! }],
    ['excluded', { exclude: [out.run_id] }],
    ['graded assignments it does not have', { grade: 5 }],
    [
      'a scenario that runs otherwise',
      {
        scenario: scenario('tiny', (raw) => {
          raw.training.epochs += 1;
        }),
      },
    ],
  ];
  for (const [what, change] of misses) assert.equal(await findReusable(db, { ...wanted, ...change }), null, what);
});
