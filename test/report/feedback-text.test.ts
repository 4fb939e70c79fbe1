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
  assert.match(lines[0], /^ts against pop, an A\/B test inside the feedback loops, graded over 20 re-randomised assignments against the full rollout:$/);
  assert.match(lines[3], /^pooled\s+all\s+\+45\.52%\s+\+31\.40% \[\+21\.71%, \+41\.86%\]\s+-9\.71%\s+5\.70%\s+11\.19%\s+50%\s+100%$/);
  assert.match(lines[4], /^diverted\s+all\s+\+45\.52%.*\s–\s/, 'an undefined number prints as –');
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
