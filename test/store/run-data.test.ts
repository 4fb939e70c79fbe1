// The readers check judges claims with: each reads one number of one run from the table its family
// lives in, by the cell the claim names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../src/store/db.js';
import { appendTable } from '../../src/store/tables.js';
import { designValue, feedbackValue, gateValue, resolveRunId } from '../../src/store/run-data.js';

test("gateValue: each gate's entropy once (gates mix different numbers of experts), the idle share of gate–expert pairs, the mean dead share; a domain or every domain; NULL without gates", async () => {
  const db = await openDb(join(mkdtempSync(join(tmpdir(), 'crossab-run-data-')), 'g.duckdb'));
  try {
    const row = (domain: string, gate: string, expert: number, weight: number, entropy: number, deadShare: number) => ({
      run_id: 'r',
      strategy: 'ple',
      domain,
      gate,
      expert,
      weight,
      entropy,
      deadShare,
    });
    await appendTable(db.con, 'expert_gates', [
      // A gate over 3 experts and one over 2, on the head; one gate on the tail.
      row('head', 'gate0', 0, 0.9, 0.3, 0),
      row('head', 'gate0', 1, 0.08, 0.3, 0.5),
      row('head', 'gate0', 2, 0.02, 0.3, 1),
      row('head', 'gateShared', 0, 0.5, 0.9, 0),
      row('head', 'gateShared', 1, 0.5, 0.9, 0),
      row('tail', 'gate1', 0, 0.01, 0.6, 0.25),
      row('tail', 'gate1', 1, 0.99, 0.6, 0.25),
    ]);
    const v = (metric: Parameters<typeof gateValue>[2], domain: string, strategy = 'ple') => gateValue(db, 'r', metric, strategy, domain);
    assert.ok(Math.abs((await v('gate_entropy', 'head'))! - 0.6) < 1e-12, 'the two gates, not the five rows (0.54)');
    assert.ok(Math.abs((await v('gate_entropy', 'all'))! - 0.6) < 1e-12, '(0.3 + 0.9 + 0.6) / 3');
    assert.equal(await v('gate_idle_share', 'head'), 1 / 5);
    assert.equal(await v('gate_idle_share', 'all'), 2 / 7);
    assert.equal(await v('expert_dead_share', 'head'), 1.5 / 5);
    assert.equal(await v('expert_dead_share', 'tail'), 0.25);
    assert.equal(await v('gate_entropy', 'head', 'shared-bottom'), null);
  } finally {
    db.close();
  }
});

test("designValue reads a design's grade, abs_bias as |bias| and the estimate as the mean over assignments; feedbackValue the last round, or its rise since the first", async () => {
  const db = await openDb(join(mkdtempSync(join(tmpdir(), 'crossab-run-data-')), 'd.duckdb'));
  try {
    await appendTable(db.con, 'feedback_designs', [
      {
        run_id: 'r',
        design: 'pooled',
        treatment: 't',
        control: 'c',
        domain: 'all',
        globalLift: 0.2,
        estimate: 0.1,
        ciLow: 0,
        ciHigh: 0.2,
        pValue: 0.05,
        assignments: 20,
        meanEstimate: 0.15,
        bias: -0.05,
        rmse: 0.06,
        sd: 0.04,
        coverage: 0.9,
        decisionAccuracy: 1,
      },
    ]);
    assert.equal(await designValue(db, 'r', 'abs_bias', 'pooled', 'all'), 0.05);
    assert.equal(await designValue(db, 'r', 'estimate', 'pooled', 'all'), 0.15);
    assert.equal(await designValue(db, 'r', 'rmse', 'pooled', 'all'), 0.06);
    assert.equal(await designValue(db, 'r', 'bias', 'diverted', 'all'), null);
    const round = (r: number, gini: number, trueCtr: number) => ({
      run_id: 'r',
      participant: 'p',
      kind: 'learner',
      round: r,
      domain: 'head',
      impressions: 100,
      coverage: 0.5,
      gini,
      topShare: 0.1,
      trueCtr,
      clicks: 10,
    });
    // Stored out of order: the reader orders by round.
    await appendTable(db.con, 'feedback_rounds', [round(2, 0.5, 0.11), round(3, 0.7, 0.12), round(1, 0.2, 0.1)]);
    assert.equal(await feedbackValue(db, 'r', 'gini', 'p', 'head'), 0.7);
    assert.ok(Math.abs((await feedbackValue(db, 'r', 'gini_rise', 'p', 'head'))! - 0.5) < 1e-12);
    assert.ok(Math.abs((await feedbackValue(db, 'r', 'true_ctr_rise', 'p', 'head'))! - 0.02) < 1e-12);
    await assert.rejects(resolveRunId(db, 'nowhere'), /no run 'nowhere' in .*'crossab runs' lists them/);
    await assert.rejects(resolveRunId(db, 'latest'), /no complete run in .*run 'crossab run' first/);
  } finally {
    db.close();
  }
});
