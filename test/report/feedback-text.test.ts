import { test } from 'node:test';
import assert from 'node:assert/strict';
import { designTable, feedbackTable } from '../../src/report/feedback-text.js';
import type { DesignGrade } from '../../src/abtest/interference.js';
import type { FeedbackRound } from '../../src/data/serve-rounds.js';

test('the design table: the test as run beside the global lift, with signed percentages, and the grade over the assignments', () => {
  const row = (design: 'pooled' | 'diverted', bias: number): DesignGrade => ({
    design,
    treatment: 'ts',
    control: 'pop',
    domain: 'all',
    globalLift: 0.4552,
    estimate: 0.314,
    ciLow: 0.2171,
    ciHigh: 0.4186,
    pValue: 1e-9,
    assignments: 20,
    meanEstimate: 0.4552 + bias,
    bias,
    rmse: 0.1119,
    sd: 0.057,
    coverage: 0.5,
    decisionAccuracy: 1,
  });
  const text = designTable([row('pooled', -0.0971), row('diverted', NaN)]);
  const lines = text.split('\n');
  assert.match(lines[0], /^feedback\.test: ts vs pop, each design against the full rollout$/);
  assert.match(lines[1], /^\(bias, sd and rmse in points over 20 re-randomised assignments\):$/);
  assert.match(lines[4], /^pooled\s+all\s+\+45\.5%\s+\+31\.4% \[\+21\.7, \+41\.9\]\s+-9\.7\s+5\.7\s+11\.2\s+50%\s+100%$/);
  assert.match(lines[5], /^diverted\s+all\s+\+45\.5%.*\s–\s/, 'an undefined number prints as –');
  assert.ok(
    lines.every((l) => l.length <= 100),
    'fits 100 columns',
  );
});

test('the feedback table: per participant and domain, the Gini by round and the first and last round of the rest', () => {
  const r = (round: number, gini: number, trueCtr: number): FeedbackRound => ({
    participant: 'pop',
    kind: 'learner',
    round,
    domain: 'head',
    impressions: 100,
    coverage: 1 / round,
    gini,
    topShare: 0.1 * round,
    trueCtr,
    clicks: 5,
  });
  const text = feedbackTable([r(1, 0.1, 0.05), r(2, 0.5, 0.06)]);
  assert.match(text, /^feedback loops \(2 rounds of serve, log, retrain/);
  assert.match(text, /pop\s+learner\s+head\s+0\.100 → 0\.500\s+100\.00% → 50\.00%\s+10\.00% → 20\.00%\s+5\.00% → 6\.00%/);
  assert.equal(feedbackTable([]), '');
});
