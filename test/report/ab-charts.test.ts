// The A/B charts from stored rows: which rows each draws, the power curve's formula, and that every
// spec compiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from 'vega-lite';
import { abLifts, gradeChart, powerCurves, sequentialChart } from '../../src/report/ab-charts.js';
import type { RunData } from '../../src/store/run-data.js';

const valuesOf = (spec: unknown) => (spec as { data: { values: Record<string, unknown>[] } }).data.values;

const lift = (over: Record<string, unknown>) => ({
  arm: 'star',
  domain: 'head',
  metric: 'ctr',
  segment: 'all',
  family: 'primary',
  lift: 0.02,
  ci_low: 0.01,
  ci_high: 0.03,
  true_lift: 0.018,
  p_value: 0.001,
  covered: true,
  se_log: 0.01,
  cuped_se_log: 0.005,
  ...over,
});

const run = {
  run: { run_id: 'r', control: 'separate' },
  rules: { alpha: 0.1, power: 0.9, minLift: 0.02 },
  training: [{ strategy: 'separate' }, { strategy: 'star' }],
  assignment: [],
  offline: [],
  abLifts: [
    lift({}),
    lift({ metric: 'conversion', family: 'secondary' }),
    lift({ segment: 'heavy', family: 'segment' }),
    lift({ domain: 'tail', cuped_se_log: 0 }),
  ],
  grades: [{ domain: 'head', method: 'cuped', correct: 0.9, false_ship: 0.02, missed_win: 0.08, assignments: 50 }],
  looks: [
    { arm: 'star', domain: 'head', metric: 'ctr', look: 1, lift: 0.03, cuped_lift: 0.025, seq_ci_low: -0.1, seq_ci_high: 0.2 },
    { arm: 'star', domain: 'head', metric: 'conversion', look: 1, lift: 0.03, cuped_lift: 0.025, seq_ci_low: -0.1, seq_ci_high: 0.2 },
  ],
} as unknown as RunData;

test("the lifts chart draws the CTR lift of every arm and domain over all users, and the arm's colour comes from the run's one list", () => {
  const c = abLifts(run);
  assert.match(c.title, /control \(separate\)/);
  const v = valuesOf(c.spec);
  assert.deepEqual(
    v.map((r) => r.domain),
    ['head', 'tail'],
  );
  assert.deepEqual(v[0], { arm: 'star', domain: 'head', lift: 0.02, lo: 0.01, hi: 0.03, truth: 0.018, p: 0.001, covered: true });
  assert.match(JSON.stringify(c.spec), /"domain":\["separate","star","constant","oracle"\]/);
  assert.doesNotThrow(() => compile(c.spec));
});

test('the power curves: the minimum detectable lift at m × the traffic is exp((z(1−α/2) + z(power)) · se / √m) − 1, at the run’s own α and power; a CUPED standard error of 0 draws no curve', () => {
  const c = powerCurves(run);
  assert.match(c.title, /α 0\.1, power 0\.9\); dotted: the 2% worth shipping/);
  const v = valuesOf(c.spec);
  // z(0.95) + z(0.9), from the normal tables.
  const k = 1.6448536269514722 + 1.2815515655446004;
  const at = (estimate: string, domain: string, traffic: number) =>
    v.find((r) => r.estimate === estimate && r.domain === domain && r.traffic === traffic)!.mde as number;
  assert.ok(Math.abs(at('plain', 'head', 1) - Math.expm1(k * 0.01)) < 1e-12);
  assert.ok(Math.abs(at('CUPED', 'head', 4) - Math.expm1((k * 0.005) / 2)) < 1e-12);
  assert.ok(Math.abs(at('plain', 'head', 0.25) - Math.expm1(k * 0.02)) < 1e-12);
  assert.equal(v.filter((r) => r.domain === 'tail' && r.estimate === 'CUPED').length, 0);
  assert.equal(v.length, 3 * 10, 'primary cells only: head plain and CUPED, tail plain, ten traffic multiples each');
  assert.doesNotThrow(() => compile(c.spec));
});

test('an older run without stored rules is drawn at the default α, power and smallest lift', () => {
  const c = powerCurves({ ...run, rules: null });
  assert.match(c.title, /α 0\.05, power 0\.8\)/);
});

test('the accuracy chart: three bars a method and domain (right, false ship, missed win), titled with the number of assignments; the sequential chart keeps the CTR looks', () => {
  const g = gradeChart(run);
  assert.match(g.title, /over 50 re-randomised/);
  assert.deepEqual(
    valuesOf(g.spec).map((r) => [r.outcome, r.share]),
    [
      ['right', 0.9],
      ['false ship', 0.02],
      ['missed win', 0.08],
    ],
  );
  const s = sequentialChart(run);
  assert.deepEqual(
    valuesOf(s.spec).map((r) => [r.metric, r.zero]),
    [['ctr', 0]],
  );
  for (const c of [g, s]) assert.doesNotThrow(() => compile(c.spec));
});
