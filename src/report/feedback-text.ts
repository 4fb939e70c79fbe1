// The feedback loops as `crossab run` prints them: each participant's rounds, and the A/B test inside
// the loops (feedback.test), each design's estimate beside the full-rollout truth.
import type { FeedbackRound } from '../abtest/feedback.js';
import type { DesignGrade } from '../abtest/interference.js';
import { formatTable } from '../util/table.js';
import { percent as pct } from '../util/format.js';

/** scenario.feedback: per participant and domain, the first and last round's exposure concentration, coverage and true CTR. */
export function feedbackTable(rounds: FeedbackRound[]): string {
  if (!rounds.length) return '';
  const keys = [...new Set(rounds.map((r) => `${r.participant}\u0000${r.domain}`))];
  const rows = keys.map((key) => {
    const rs = rounds.filter((r) => `${r.participant}\u0000${r.domain}` === key);
    const [first, last] = [rs[0], rs[rs.length - 1]];
    return [
      first.participant,
      first.kind,
      first.domain,
      rs.map((r) => r.gini.toFixed(3)).join(' → '),
      `${pct(first.coverage)} → ${pct(last.coverage)}`,
      `${pct(first.topShare)} → ${pct(last.topShare)}`,
      `${pct(first.trueCtr)} → ${pct(last.trueCtr)}`,
    ];
  });
  return `feedback loops (${rounds[rounds.length - 1].round} rounds of serve, log, retrain on its own log; static arms serve as trained):\n${formatTable(
    ['participant', 'kind', 'domain', 'exposure Gini by round', 'catalogue coverage', 'top 1% share', 'true CTR'],
    rows,
  )}`;
}

/**
 * feedback.test: per design and domain, the test as run (its estimate and interval) beside the global
 * lift, and over the re-randomised assignments the estimates' bias, spread and RMSE, the intervals'
 * coverage of the global lift and the decisions' agreement with its sign.
 */
export function designTable(ds: DesignGrade[]): string {
  const p = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '–');
  const one = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}` : '–');
  const rows = ds.map((d) => [
    d.design,
    d.domain,
    `${one(d.globalLift)}%`,
    `${one(d.estimate)}% [${one(d.ciLow)}, ${one(d.ciHigh)}]`,
    one(d.bias),
    Number.isFinite(d.sd) ? (100 * d.sd).toFixed(1) : '–',
    Number.isFinite(d.rmse) ? (100 * d.rmse).toFixed(1) : '–',
    p(d.coverage),
    p(d.decisionAccuracy),
  ]);
  return `feedback.test: ${ds[0].treatment} vs ${ds[0].control}, each design against the full rollout\n(bias, sd and rmse in points over ${ds[0].assignments} re-randomised assignments):\n${formatTable(
    ['design', 'domain', 'global', 'this test [95% CI]', 'bias', 'sd', 'rmse', 'covers', 'right call'],
    rows,
  )}`;
}
