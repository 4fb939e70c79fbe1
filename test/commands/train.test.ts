// `crossab train`: the offline metrics of the strategies asked for, as JSON (with the world's
// fingerprint, so a result names the data it came from) and as a table; a seed of its own gives
// another world; bad input is one line and exit 2 before anything is generated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossab } from '../helpers/cli.js';
import { scenarioPath } from '../helpers/scenarios.js';

type Metrics = { auc: { overall: number }; gauc: number; logloss: number };

test('crossab train prints each strategy’s offline metrics beside the oracle and the constant, as JSON and as a table', () => {
  const json = crossab(['train', scenarioPath('tiny'), '--strategies', 'pepnet,sluice', '--seed', '3', '--workers', '1', '--json'], {
    env: { CROSSAB_FMA: '0' },
  });
  assert.equal(json.code, 0, json.stderr);
  const out = JSON.parse(json.stdout) as {
    scenario: string;
    seed: number;
    backend: string;
    fingerprint: string;
    strategies: Record<string, Metrics>;
    oracle: Metrics;
    constant: Metrics;
  };
  assert.deepEqual([out.scenario, out.seed, out.backend], ['tiny', 3, 'wasm'], 'the exact kernels asked for: the engine is plain wasm');
  assert.match(out.fingerprint, /^[0-9a-f]{64}$/);
  assert.deepEqual(Object.keys(out.strategies), ['pepnet', 'sluice']);
  for (const [name, m] of Object.entries(out.strategies)) {
    assert.ok(m.auc.overall > out.constant.auc.overall && m.auc.overall < out.oracle.auc.overall, `${name}: between the constant and the oracle`);
    assert.ok(m.logloss > out.oracle.logloss, `${name}: no better calibrated than the truth`);
  }
  const other = JSON.parse(crossab(['train', scenarioPath('tiny'), '--strategies', 'shared-bottom', '--seed', '4', '--workers', '1', '--json']).stdout);
  assert.notEqual(other.fingerprint, out.fingerprint, 'another seed, another world');
  const table = crossab(['train', scenarioPath('tiny'), '--strategies', 'shared-bottom', '--seed', '4', '--workers', '1'], { env: { CROSSAB_FMA: '0' } });
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^strategy +AUC /);
  assert.deepEqual(
    lines.slice(2, 5).map((l) => l.split(/ +/)[0]),
    ['shared-bottom', 'constant', 'oracle'],
  );
  assert.match(table.stderr, /^backend: wasm$/m);
});

test('crossab train refuses an unknown strategy, a bad flag and a bad CROSSAB_FMA in one line, exit 2', () => {
  const unknown = crossab(['train', scenarioPath('tiny'), '--strategies', 'shared-botom']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^crossab: unknown strategy 'shared-botom' \(did you mean 'shared-bottom'\?\); known: /);
  assert.equal(unknown.stderr.trimEnd().split('\n').length, 1);
  const workers = crossab(['train', scenarioPath('tiny'), '--workers', '0']);
  assert.equal(workers.code, 2);
  assert.equal(workers.stderr.trimEnd().split('\n').length, 1, workers.stderr);
  const fma = crossab(['train', scenarioPath('tiny'), '--strategies', 'shared-bottom', '--workers', '1'], { env: { CROSSAB_FMA: 'yes' } });
  assert.equal(fma.code, 2);
  assert.equal(fma.stderr, "crossab: CROSSAB_FMA must be 0 (exact kernels) or 1 (fused multiply-add), got 'yes'\n");
});
