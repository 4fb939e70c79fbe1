// The A/B test's charts: the lifts against the truth, the power curves, the sequential looks and
// how often each decision method was right over re-randomised assignments.
import type { TopLevelSpec } from 'vega-lite';
import type { RunData } from '../store/run-data.js';
import { base, namedColor, WIDTH, wrapped, type Chart } from './chart-base.js';
import { minimumDetectableLift } from '../abtest/stats/power.js';
import { confidenceLevel } from '../util/format.js';
import { DEFAULT_DECISION_RULES, type DecisionRules } from '../scenario/blocks.js';

/** A/B lift per arm and domain with 95% intervals; diamonds mark the true lift. */
export function abLifts(d: RunData): Chart {
  const values = d.abLifts
    .filter((r) => r.metric === 'ctr' && r.segment === 'all')
    .map((r) => ({ arm: r.arm, domain: r.domain, lift: r.lift, lo: r.ci_low, hi: r.ci_high, truth: r.true_lift, p: r.p_value, covered: r.covered }));
  return {
    id: 'ab-lifts',
    title: `A/B: CTR lift over the control (${d.run.control}) with ${confidenceLevel(rulesOf(d).alpha)} intervals; diamonds are the true lift`,
    spec: {
      ...base,
      width: WIDTH,
      height: { step: 16 },
      data: { values },
      layer: [
        {
          data: { values: [{ zero: 0 }] },
          mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' },
          encoding: { x: { field: 'zero', type: 'quantitative' } },
        },
        {
          mark: { type: 'rule' },
          encoding: {
            y: { field: 'domain', type: 'nominal', title: null },
            yOffset: { field: 'arm' },
            color: namedColor('arm', d),
            x: { field: 'lo', type: 'quantitative', title: 'relative CTR lift', axis: { format: '%' } },
            x2: { field: 'hi' },
          },
        },
        {
          mark: { type: 'point', filled: true, tooltip: true },
          encoding: {
            y: { field: 'domain', type: 'nominal' },
            yOffset: { field: 'arm' },
            color: namedColor('arm', d),
            x: { field: 'lift', type: 'quantitative' },
          },
        },
        {
          mark: { type: 'point', shape: 'diamond', filled: false, size: 90, strokeWidth: 2, color: 'black' },
          encoding: { y: { field: 'domain', type: 'nominal' }, yOffset: { field: 'arm' }, x: { field: 'truth', type: 'quantitative' } },
        },
      ],
    } as unknown as TopLevelSpec,
  };
}

/** The rules a stored run applied, with today's defaults where an older run did not record them. */
function rulesOf(d: RunData): DecisionRules {
  return { ...DEFAULT_DECISION_RULES, ...(d.rules ?? {}) } as DecisionRules;
}

const TRAFFIC = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128];

/**
 * Power curves: the minimum detectable lift of each primary test as its traffic grows (the standard
 * error shrinks as 1/√traffic), plain and CUPED, against the smallest lift worth shipping.
 */
export function powerCurves(d: RunData): Chart {
  const r = rulesOf(d);
  const values = d.abLifts
    .filter((l) => l.family === 'primary')
    .flatMap((l) =>
      (
        [
          ['plain', l.se_log],
          ['CUPED', l.cuped_se_log],
        ] as const
      )
        .filter(([, se]) => Number(se) > 0)
        .flatMap(([estimate, se]) =>
          TRAFFIC.map((m) => ({ arm: l.arm, domain: l.domain, estimate, traffic: m, mde: minimumDetectableLift(Number(se) / Math.sqrt(m), r.alpha, r.power) })),
        ),
    );
  return {
    id: 'power-curves',
    title: `Minimum detectable CTR lift vs traffic (× this run's; α ${r.alpha}, power ${r.power}); dotted: the ${(100 * r.minLift).toFixed(0)}% worth shipping`,
    spec: {
      ...base,
      data: { values },
      ...wrapped('arm', 260),
      spec: {
        width: 260,
        height: 220,
        layer: [
          {
            mark: { type: 'line', point: true, tooltip: true },
            encoding: {
              // Labels at every fourth multiple only: the log axis otherwise prints 100 and 200 into "100200".
              x: {
                field: 'traffic',
                type: 'quantitative',
                scale: { type: 'log' },
                axis: { values: [0.25, 1, 4, 16, 64], labelOverlap: true },
                title: 'traffic (× this run)',
              },
              y: { field: 'mde', type: 'quantitative', scale: { type: 'log' }, axis: { format: '%' }, title: 'minimum detectable lift' },
              color: { field: 'domain', type: 'nominal' },
              strokeDash: { field: 'estimate', type: 'nominal' },
            },
          },
          {
            data: { values: [{ minLift: r.minLift }] },
            mark: { type: 'rule', strokeDash: [2, 3], color: 'black' },
            encoding: { y: { field: 'minLift', type: 'quantitative' } },
          },
        ],
      },
    } as unknown as TopLevelSpec,
  };
}

/** How often each method decided each domain right over the re-randomised assignments, and how often it shipped a loser or missed a winner. */
export function gradeChart(d: RunData): Chart {
  const values = d.grades.flatMap((g) => [
    { domain: g.domain, method: g.method, outcome: 'right', share: g.correct },
    { domain: g.domain, method: g.method, outcome: 'false ship', share: g.false_ship },
    { domain: g.domain, method: g.method, outcome: 'missed win', share: g.missed_win },
  ]);
  return {
    id: 'decision-accuracy',
    title: `Decision accuracy per method over ${d.grades[0]?.assignments ?? 0} re-randomised assignments of this world`,
    spec: {
      ...base,
      data: { values },
      ...wrapped('domain', 150),
      spec: {
        width: 150,
        height: 200,
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: { field: 'method', type: 'nominal', title: null, sort: ['plain', 'cuped', 'sequential', 'naive', 'peeking'] },
          xOffset: { field: 'outcome' },
          y: { field: 'share', type: 'quantitative', axis: { format: '%' }, scale: { domain: [0, 1] }, title: 'share of assignments' },
          color: { field: 'outcome', type: 'nominal', scale: { domain: ['right', 'false ship', 'missed win'], range: ['#54a24b', '#e45756', '#bab0ac'] } },
        },
      },
    } as unknown as TopLevelSpec,
  };
}

/** The sequential test: each primary cell's confidence sequence narrowing over the looks, with the plain lift a peeking reader sees. */
export function sequentialChart(d: RunData): Chart {
  const values = d.looks.filter((l) => l.metric === 'ctr').map((l) => ({ ...l, zero: 0 }));
  return {
    id: 'sequential',
    title: 'Sequential test: the confidence sequence per look (band), the CUPED lift (line) and the plain lift (points)',
    spec: {
      ...base,
      data: { values },
      ...wrapped('domain', 200),
      // Each domain on its own scale: a small domain's wide sequence ran off a shared fixed axis.
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 200,
        height: 200,
        encoding: { x: { field: 'look', type: 'quantitative', title: 'look', axis: { tickMinStep: 1 } }, color: namedColor('arm', d) },
        layer: [
          {
            mark: { type: 'area', opacity: 0.25, clip: true },
            encoding: {
              y: { field: 'seq_ci_low', type: 'quantitative', axis: { format: '%' }, title: 'lift' },
              y2: { field: 'seq_ci_high' },
            },
          },
          { mark: { type: 'line', clip: true }, encoding: { y: { field: 'cuped_lift', type: 'quantitative' } } },
          { mark: { type: 'point', tooltip: true, clip: true }, encoding: { y: { field: 'lift', type: 'quantitative' } } },
          { mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' }, encoding: { y: { field: 'zero', type: 'quantitative' } } },
        ],
      },
    } as unknown as TopLevelSpec,
  };
}
