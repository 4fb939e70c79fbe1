// The feedback loops in the report: each participant's rounds, and the A/B test inside the loops
// (feedback.test) with each design's estimate beside the full-rollout truth.
import type { TopLevelSpec } from 'vega-lite';
import type { RunData } from '../store/run-data.js';
import { base, type Chart } from './chart-base.js';

/** The feedback loops' charts a run has: its rounds, and its test's designs. */
export const loopCharts = (d: RunData): Chart[] => [...(d.feedback.length ? [feedbackChart(d)] : []), ...(d.designs.length ? [designChart(d)] : [])];

/** scenario.feedback: exposure Gini and true CTR by round, per participant, one column per domain. */
export function feedbackChart(d: RunData): Chart {
  const values = d.feedback.flatMap((r) => [
    { participant: `${r.participant} (${r.kind})`, domain: r.domain, round: r.round, metric: 'exposure Gini', value: r.gini },
    { participant: `${r.participant} (${r.kind})`, domain: r.domain, round: r.round, metric: 'true CTR', value: r.true_ctr },
  ]);
  return {
    id: 'feedback-rounds',
    title: 'Feedback loops: exposure concentration and true CTR by round (learners and retrained arms update on their own logs; static arms do not)',
    spec: {
      ...base,
      data: { values },
      facet: { row: { field: 'metric', type: 'nominal', title: null }, column: { field: 'domain', type: 'nominal', title: null } },
      spec: {
        width: 220,
        height: 160,
        mark: { type: 'line', point: true, tooltip: true },
        encoding: {
          x: { field: 'round', type: 'quantitative', axis: { tickMinStep: 1 } },
          y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: null },
          color: { field: 'participant', type: 'nominal' },
        },
      },
      resolve: { scale: { y: 'independent' } },
    } as TopLevelSpec,
  };
}

/**
 * feedback.test, per domain: each design's test as run (point and 95% interval) and its mean estimate
 * over the re-randomised assignments (tick), against the global lift (the red rule) — how far the
 * test a team would run lands from what shipping to everyone would do.
 */
export function designChart(d: RunData): Chart {
  const values = d.designs.map((r) => ({
    design: r.design,
    domain: r.domain,
    estimate: r.estimate,
    low: r.ci_low,
    high: r.ci_high,
    mean: r.mean_estimate,
    global: r.global_lift,
  }));
  const y = { field: 'design', type: 'nominal', title: null };
  const first = d.designs[0];
  return {
    id: 'feedback-designs',
    title: `A/B test inside the feedback loops: ${first.treatment} against ${first.control}, each design's estimate (point and 95% interval; tick: mean over ${first.assignments} re-randomisations) against the full-rollout lift (red)`,
    spec: {
      ...base,
      data: { values },
      facet: { column: { field: 'domain', type: 'nominal', title: null } },
      spec: {
        width: 220,
        height: 30 * new Set(values.map((v) => v.design)).size + 20,
        layer: [
          {
            mark: { type: 'rule' },
            encoding: { y, x: { field: 'low', type: 'quantitative', title: 'relative lift', axis: { format: '+%' } }, x2: { field: 'high' } },
          },
          { mark: { type: 'point', filled: true, tooltip: true }, encoding: { y, x: { field: 'estimate', type: 'quantitative' } } },
          { mark: { type: 'tick', thickness: 2 }, encoding: { y, x: { field: 'mean', type: 'quantitative' } } },
          { mark: { type: 'rule', color: '#d62728', strokeWidth: 2 }, encoding: { x: { aggregate: 'mean', field: 'global', type: 'quantitative' } } },
        ],
      },
    } as unknown as TopLevelSpec,
  };
}
