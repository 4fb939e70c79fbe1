// A check's plan and its tally: which seeds each scenario runs (the flag's list or count, else the
// scenario's own, else three from its seed; a baseline's seed against a baseline), a scenario with
// nothing to judge refused before anything trains, grading asked for only by a grade expectation,
// and the exit code from passes, failures and inconclusive results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gradeFor, planCheck, tally, type ScenarioResult } from '../../src/check/suite.js';
import { DEFAULT_ASSIGNMENTS } from '../../src/scenario/blocks.js';
import { UserError } from '../../src/util/errors.js';
import { scenario } from '../helpers/scenarios.js';

const db = join(mkdtempSync(join(tmpdir(), 'crossab-suite-')), 'plan.duckdb');
const auc = { metric: 'auc', strategy: 'separate', atLeast: 0.5 };
const tiny = (patch: (raw: Record<string, any>) => void = () => {}) =>
  scenario('tiny', (raw) => {
    raw.expectations = [auc];
    patch(raw);
  });

test("planCheck: seeds from the flag's list or count, else the scenario's check.seeds, else three from its seed; a baseline's own seed", async () => {
  const plan = (s = tiny(), seeds = {}, baseline: Parameters<typeof planCheck>[1]['baseline'] = null) =>
    planCheck([{ file: 'dir/tiny.json', scenario: s }], { db, workers: 1, seeds, baseline }).then((p) => p.scenarios[0].seeds);
  const s = tiny();
  assert.deepEqual(await plan(s, { list: [5, 9] }), [5, 9]);
  assert.deepEqual(await plan(s, { count: 2 }), [s.seed, s.seed + 1]);
  assert.deepEqual(await plan(s), [s.seed, s.seed + 1, s.seed + 2]);
  assert.deepEqual(await plan(tiny((raw) => (raw.check = { seeds: [3, 1] }))), [3, 1]);
  assert.deepEqual(await plan(s, {}, { runId: 'r', seed: 11, scenario: s }), [11]);
  const p = await planCheck([{ file: 'dir/tiny.json', scenario: s }], { db, workers: 1, seeds: {}, baseline: null });
  assert.deepEqual(
    p.scenarios[0].claims.map((c) => c.domain),
    ['all'],
  );
  assert.ok(p.scenarios[0].run.names.includes('separate'));
});

test('planCheck refuses a scenario with no expectations (unless against a baseline), naming the file', async () => {
  const bare = scenario('tiny', (raw) => {
    raw.expectations = [];
  });
  await assert.rejects(
    planCheck([{ file: 'dir/bare.json', scenario: bare }], { db, workers: 1, seeds: {}, baseline: null }),
    (e: Error) => e instanceof UserError && e.message === 'check: bare.json has no expectations; add an "expectations" list or use --baseline RUN_ID',
  );
  const against = await planCheck([{ file: 'dir/bare.json', scenario: bare }], {
    db,
    workers: 1,
    seeds: {},
    baseline: { runId: 'r', seed: 4, scenario: bare },
  });
  assert.deepEqual(against.scenarios[0].claims, []);
});

test("gradeFor: the scenario's assignments (or the default) only when a grade metric is judged", async () => {
  const plan = async (s: ReturnType<typeof tiny>) =>
    (await planCheck([{ file: 't.json', scenario: s }], { db, workers: 1, seeds: {}, baseline: null })).scenarios[0];
  assert.equal(gradeFor(await plan(tiny())), 0);
  const graded = (raw: Record<string, any>) => {
    raw.expectations = [auc, { metric: 'false_ship_rate', method: 'cuped', domain: 'each', atMost: 0.05 }];
  };
  assert.equal(gradeFor(await plan(tiny(graded))), DEFAULT_ASSIGNMENTS);
  assert.equal(
    gradeFor(
      await plan(
        tiny((raw) => {
          graded(raw);
          raw.check = { assignments: 7 };
        }),
      ),
    ),
    7,
  );
});

test('tally: a failure exits 1; an inconclusive result exits 1 unless allowed', () => {
  const result = (...verdicts: string[]) => [{ judged: verdicts.map((verdict) => ({ verdict })) } as unknown as ScenarioResult];
  assert.deepEqual(tally(result('pass', 'pass'), false), { passed: 2, failed: 0, inconclusive: 0, code: 0 });
  assert.deepEqual(tally(result('pass', 'fail', 'inconclusive'), true), { passed: 1, failed: 1, inconclusive: 1, code: 1 });
  assert.deepEqual(tally(result('pass', 'inconclusive'), false), { passed: 1, failed: 0, inconclusive: 1, code: 1 });
  assert.deepEqual(tally(result('pass', 'inconclusive'), true), { passed: 1, failed: 0, inconclusive: 1, code: 0 });
});
