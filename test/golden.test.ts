// Behaviour pinned before the code is moved: everything a run of the tiny scenario computes (its
// `run --json`, every row it stores, the values `check` reads back for each kind of expectation),
// the schema of a new store, and the fingerprints of every shipped scenario's world. A change of
// structure must leave all of it identical; a change of behaviour must re-record it on purpose
// (CROSSAB_GOLDEN_WRITE=1 npm test) and say why in its commit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { root, scenarioPath } from './helpers/scenarios.js';
import { crossab } from './helpers/cli.js';

const FIXTURE = join(root, 'test/fixtures/golden.json');
// The numbers are the exact kernels' (the same on every CPU); the fused default's last bits depend on
// the CPU. The CLI runs below inherit it.
process.env.CROSSAB_FMA = '0';
const dir = mkdtempSync(join(tmpdir(), 'crossab-golden-'));
const db = join(dir, 'golden.duckdb');

// What changes from one identical run to the next: identities, clocks, memory, the code's hash.
const VOLATILE_JSON = ['run_id', 'db', 'report', 'stages', 'wall_seconds', 'peak_rss_mb'];
const VOLATILE_COLUMNS = new Set(['run_id', 'started_at', 'finished_at', 'wall_seconds', 'pid', 'pid_stamp', 'version', 'seconds', 'samples_per_s']);

/** Every kind of expectation `check` can read, on the tiny scenario's arms and strategies. */
const EXPECTATIONS = [
  { metric: 'auc', strategy: 'shared-bottom', domain: 'each', atLeast: 0 },
  { metric: 'gauc', strategy: 'mmoe', vs: 'separate', domain: 'tail-domains', atLeast: -1 },
  { metric: 'logloss', strategy: 'oracle', segment: 'heavy', atMost: 10 },
  { metric: 'calibration', strategy: 'constant', domain: 'head-domains', atLeast: 0 },
  { metric: 'auc', target: 'conversion', strategy: 'star', domain: 'mid', atLeast: 0 },
  { metric: 'ab_lift', arm: 'shared-bottom', domain: 'each', atLeast: -10 },
  { metric: 'ab_conversion_lift', arm: 'shared-bottom', atLeast: -10 },
  { metric: 'ab_true_lift', arm: 'shared-bottom', segment: 'cold', atLeast: -10 },
  { metric: 'ab_ctr', arm: 'shared-bottom', vs: 'separate', domain: 'head', atLeast: -1 },
  { metric: 'srm_p_value', atLeast: 0 },
  { metric: 'max_user_share', arm: 'separate', atMost: 1 },
  { metric: 'max_user_share', atMost: 1 },
  { metric: 'ope_value', strategy: 'star', domain: 'each', atLeast: 0 },
  { metric: 'ope_relative_error', estimator: 'ipw', strategy: 'mmoe', segment: 'heavy', atMost: 10 },
  { metric: 'ope_lift', estimator: 'switch-dr', strategy: 'maml', domain: 'mid', atLeast: -10 },
  { metric: 'ope_identified', estimator: 'sips', strategy: 'separate', atLeast: 0 },
  { metric: 'offline_online_tau', signal: 'gauc', domain: 'each', atLeast: -1 },
  { metric: 'offline_winner_agrees', atLeast: 0 },
  { metric: 'offline_regret', signal: 'ope-dr', domain: 'tail', atMost: 10 },
];

async function storedRows(path: string): Promise<Record<string, unknown[]>> {
  const inst = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const con = await inst.connect();
  try {
    const tables = (await con.runAndReadAll("SELECT table_name FROM duckdb_tables() WHERE table_name <> 'schema_version' ORDER BY table_name")).getRowObjects();
    const out: Record<string, unknown[]> = {};
    for (const { table_name } of tables) {
      const rows = (await con.runAndReadAll(`SELECT * FROM "${table_name}"`)).getRowObjectsJson() as Record<string, unknown>[];
      out[String(table_name)] = rows
        .map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !VOLATILE_COLUMNS.has(k))))
        .map((r) => JSON.stringify(r))
        .sort();
    }
    return out;
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

/** The columns of the store the run created: what a new store looks like after every migration. */
async function schemaOf(path: string): Promise<unknown[]> {
  const inst = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const con = await inst.connect();
  try {
    return (
      await con.runAndReadAll(`SELECT table_name, column_index, column_name, data_type, is_nullable FROM duckdb_columns()
      WHERE schema_name = 'main' ORDER BY table_name, column_index`)
    ).getRowObjectsJson();
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

function fingerprints(): Record<string, string> {
  const files = [
    'scenarios/tiny.json',
    'scenarios/default.json',
    ...readdirSync(join(root, 'scenarios/library'))
      .sort()
      .map((f) => `scenarios/library/${f}`),
  ];
  const out: Record<string, string> = {};
  for (const f of files) {
    const seeds = f.endsWith('tiny.json') ? ['7', '3'] : [''];
    for (const seed of seeds) {
      const r = crossab(['generate', join(root, f), '--json', ...(seed ? ['--seed', seed] : [])]);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      out[`${f}${seed ? ` seed ${seed}` : ''}`] = s.fingerprint;
    }
  }
  return out;
}

test("golden: the tiny run, its stored rows, check values, a new store's schema and every world's fingerprint are unchanged", async () => {
  const run = crossab(['run', scenarioPath('tiny'), '--json', '--no-report', '--backend', 'wasm', '--workers', '2', '--grade', '20', '--db', db]);
  assert.equal(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout);
  for (const k of VOLATILE_JSON) delete json[k];

  const scenario = JSON.parse(readFileSync(scenarioPath('tiny'), 'utf8'));
  delete scenario.$schema;
  scenario.expectations = EXPECTATIONS;
  scenario.check = { seeds: [7] };
  const file = join(dir, 'tiny-expectations.json');
  writeFileSync(file, JSON.stringify(scenario));
  const chk = crossab(['check', file, '--json', '--backend', 'wasm', '--db', db, '--allow-inconclusive']);
  assert.ok(chk.code === 0 || chk.code === 1, chk.stderr);
  const checked = JSON.parse(chk.stdout);
  assert.equal(checked.scenarios[0].runs[0].reused, true, 'check reuses the stored run');
  const values = checked.scenarios[0].results.map((r: { name: string; values: unknown[] }) => ({ name: r.name, values: r.values }));

  const actual = { run: json, stored: await storedRows(db), check: values, schema: await schemaOf(db), fingerprints: fingerprints() };
  if (process.env.CROSSAB_GOLDEN_WRITE === '1') {
    writeFileSync(FIXTURE, JSON.stringify(actual, null, 1) + '\n');
    return;
  }
  const expected = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  for (const key of Object.keys(expected) as (keyof typeof actual)[]) assert.deepEqual(actual[key], expected[key], `golden ${key} changed`);
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
});
