// `crossab sweep` as a command: each step takes only its own flags and arguments, refused in one
// line before anything is planned or run; plan prints its units as a table or JSON. The steps
// themselves (shards, status, merge) are tested in test/sweep/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossab } from '../helpers/cli.js';
import { scenarioPath } from '../helpers/scenarios.js';

test('sweep refuses an unknown step, a flag another step takes, and missing or extra folders — one line, exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-sweep-cmd-'));
  const cases: [string[], string][] = [
    [['sweep', 'go'], "crossab: sweep: unknown step 'go'; steps: plan, run, status, merge"],
    [['sweep', 'status', dir, '--db', 'x.duckdb'], 'crossab: sweep status: --db does not apply (it takes --json)'],
    [['sweep', 'run', dir, '--seeds', '3'], 'crossab: sweep run: --seeds does not apply (it takes --shard, --shards, --workers, --backend)'],
    [['sweep', 'plan'], 'crossab: sweep plan: give the scenario files'],
    [['sweep', 'merge', dir, dir], 'crossab: sweep merge: give one sweep folder'],
  ];
  for (const [argv, line] of cases) {
    const r = crossab(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stdout}`);
    assert.equal(r.stderr, `${line}\n`);
  }
});

test('sweep plan lists one unit per scenario and seed, as a table and as JSON, with the build and engine', () => {
  const args = ['sweep', 'plan', scenarioPath('library/head-tail'), '--seeds', '3,4'];
  const json = crossab([...args, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const plan = JSON.parse(json.stdout) as { version: string; backend: string; units: { key: string; scenario: string; seed: number }[] };
  assert.deepEqual(
    plan.units.map((u) => [u.scenario, u.seed]),
    [
      ['head-tail', 3],
      ['head-tail', 4],
    ],
  );
  assert.equal(new Set(plan.units.map((u) => u.key)).size, 2, 'a key per unit');
  const text = crossab(args);
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.trimEnd().split('\n');
  assert.equal(lines.at(-1), `2 units (build ${plan.version}, ${plan.backend})`);
  for (const u of plan.units) assert.ok(lines.some((l) => l.includes(u.key) && /\bhead-tail\b/.test(l)));
});
