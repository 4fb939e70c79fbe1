// Vega-Lite specs for a run's report, built from stored rows. Each chart is one function; data is
// inlined so the report is self-contained.
import type { TopLevelSpec } from 'vega-lite';
import type { RunData, Row } from '../store/run-data.js';
import { base, WIDTH, type Chart } from './chart-base.js';
import { loopCharts } from './feedback-charts.js';
import { gateChart } from './expert-charts.js';
import { normalQuantile } from '../abtest/stats/distributions.js';
import { DEFAULT_DECISION_RULES, type DecisionRules } from '../scenario/blocks.js';

export type { Chart };

const isStrategy = (r: Row) => r.strategy !== 'oracle' && r.strategy !== 'constant';

/**
 * A facet that wraps onto more rows instead of running past the page: as many panels of `width` per
 * row as fit the report's 1,100 px (a 7-panel chart at 150 px was 1,400 px wide and clipped).
 */
const wrapped = (field: string, width: number) => ({
  facet: { field, type: 'nominal', title: null },
  columns: Math.max(1, Math.floor(1100 / (width + 40))),
});

/**
 * One colour per strategy across every chart of a run: the scale's domain is the run's own list
 * (its strategies, then its arms, then the constant and oracle references), so a chart that shows
 * fewer of them (or the oracle first) does not shift the others' colours.
 */
function namedColor(field: 'strategy' | 'arm', d: RunData) {
  const names = [
    ...new Set([
      ...d.training.map((t) => String(t.strategy)),
      ...d.assignment.map((a) => String(a.arm)),
      ...d.offline.map((o) => String(o.strategy)).filter((x) => x !== 'constant' && x !== 'oracle'),
      'constant',
      'oracle',
    ]),
  ];
  return { field, type: 'nominal', scale: { domain: names, scheme: names.length > 10 ? 'tableau20' : 'tableau10' } };
}

/** The AUC's 95% interval (DeLong's standard error): a description of the model, not a decision at the run's α. */
const Z95 = normalQuantile(0.975);

/** Test AUC per domain and strategy, with the oracle as a reference tick. */
function aucByDomain(d: RunData): Chart {
  const rows = d.offline.filter((r) => r.target === 'click' && (r.scope === 'domain' || r.scope === 'overall'));
  const values = rows.map((r) => {
    const se = typeof r.auc_se === 'number' && Number.isFinite(r.auc_se) ? r.auc_se : null;
    return {
      strategy: r.strategy,
      domain: r.scope === 'overall' ? 'all' : r.key,
      auc: r.auc,
      low: se === null ? null : Number(r.auc) - Z95 * se,
      high: se === null ? null : Number(r.auc) + Z95 * se,
    };
  });
  return {
    id: 'auc-by-domain',
    title: 'Offline AUC per domain (test period), with 95% intervals (DeLong); black ticks: oracle',
    spec: {
      ...base,
      width: WIDTH,
      height: 260,
      data: { values },
      layer: [
        {
          transform: [{ filter: "datum.strategy !== 'oracle' && datum.strategy !== 'constant'" }],
          mark: { type: 'bar', tooltip: true, clip: true },
          encoding: {
            x: { field: 'domain', type: 'nominal', title: null },
            xOffset: { field: 'strategy' },
            y: { field: 'auc', type: 'quantitative', scale: { zero: false, domain: [0.45, 1] }, title: 'AUC' },
            color: namedColor('strategy', d),
          },
        },
        {
          transform: [{ filter: "datum.strategy !== 'oracle' && datum.strategy !== 'constant' && isValid(datum.low)" }],
          mark: { type: 'rule', color: '#333', clip: true },
          encoding: {
            x: { field: 'domain', type: 'nominal' },
            xOffset: { field: 'strategy' },
            y: { field: 'low', type: 'quantitative' },
            y2: { field: 'high' },
          },
        },
        {
          transform: [{ filter: "datum.strategy === 'oracle'" }],
          mark: { type: 'tick', color: 'black', thickness: 2, size: 60 },
          encoding: { x: { field: 'domain', type: 'nominal' }, y: { field: 'auc', type: 'quantitative' } },
        },
      ],
    } as TopLevelSpec,
  };
}

/** Head vs tail domains and heavy / tail / cold-start users side by side. */
function segments(d: RunData): Chart {
  const values = d.offline
    .filter((r) => r.target === 'click' && (r.scope === 'domain_group' || r.scope === 'user_segment') && isStrategy(r))
    .map((r) => ({ strategy: r.strategy, group: r.scope === 'domain_group' ? 'domains' : 'users', key: r.key, auc: r.auc }));
  return {
    id: 'segments',
    title: 'AUC for head vs tail domains and heavy / tail / cold-start users',
    spec: {
      ...base,
      data: { values },
      ...wrapped('group', 260),
      spec: {
        width: 260,
        height: 140,
        mark: { type: 'point', filled: true, size: 90, tooltip: true },
        encoding: {
          y: { field: 'key', type: 'nominal', title: null },
          x: { field: 'auc', type: 'quantitative', scale: { zero: false }, title: 'AUC' },
          color: namedColor('strategy', d),
        },
      },
      resolve: { scale: { y: 'independent' } },
    } as TopLevelSpec,
  };
}

/** A/B lift per arm and domain with 95% intervals; diamonds mark the true lift. */
function abLifts(d: RunData): Chart {
  const values = d.abLifts
    .filter((r) => r.metric === 'ctr' && r.segment === 'all')
    .map((r) => ({ arm: r.arm, domain: r.domain, lift: r.lift, lo: r.ci_low, hi: r.ci_high, truth: r.true_lift, p: r.p_value, covered: r.covered }));
  return {
    id: 'ab-lifts',
    title: `A/B: CTR lift over the control (${d.run.control}) with 95% intervals; diamonds are the true lift`,
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
function powerCurves(d: RunData): Chart {
  const r = rulesOf(d);
  const k = normalQuantile(1 - r.alpha / 2) + normalQuantile(r.power);
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
          TRAFFIC.map((m) => ({ arm: l.arm, domain: l.domain, estimate, traffic: m, mde: Math.expm1((k * Number(se)) / Math.sqrt(m)) })),
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
function gradeChart(d: RunData): Chart {
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
function sequentialChart(d: RunData): Chart {
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

/** Training loss and validation AUC per epoch. */
function curves(d: RunData): Chart {
  // A strategy with one model per domain draws a line per domain model (its colour, a line of its own).
  const model = (r: RunData['curves'][number]) => (r.domain ? `${r.strategy} · ${r.domain}` : r.strategy);
  const values = d.curves.flatMap((r) => [
    { strategy: r.strategy, model: model(r), epoch: r.epoch, metric: 'training loss', value: r.loss },
    { strategy: r.strategy, model: model(r), epoch: r.epoch, metric: 'validation AUC', value: r.valid_auc },
  ]);
  return {
    id: 'training-curves',
    title: 'Training curves',
    spec: {
      ...base,
      data: { values },
      ...wrapped('metric', 250),
      spec: {
        width: 250,
        height: 200,
        mark: { type: 'line', point: true, tooltip: true },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
          y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: null },
          color: namedColor('strategy', d),
          detail: { field: 'model', type: 'nominal' },
          tooltip: [{ field: 'model' }, { field: 'epoch' }, { field: 'value', format: '.4f' }],
        },
      },
      resolve: { scale: { y: 'independent' } },
    } as TopLevelSpec,
  };
}

/** Calibration: mean predicted vs observed CTR per strategy and domain; the diagonal is perfect. */
function calibration(d: RunData): Chart {
  const values = d.offline
    .filter((r) => r.target === 'click' && r.scope === 'domain' && r.strategy !== 'constant')
    .map((r) => ({ strategy: r.strategy, domain: r.key, predicted: r.mean_predicted, observed: r.mean_observed }));
  const max = Math.max(0.01, ...values.flatMap((v) => [Number(v.predicted), Number(v.observed)])) * 1.1;
  return {
    id: 'calibration',
    title: 'Calibration: mean predicted vs observed CTR per domain',
    spec: {
      ...base,
      width: 320,
      height: 320,
      layer: [
        {
          data: {
            values: [
              { x: 0, y: 0 },
              { x: max, y: max },
            ],
          },
          mark: { type: 'line', color: 'gray', strokeDash: [4, 4] },
          encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
        },
        {
          data: { values },
          mark: { type: 'point', filled: true, size: 70, tooltip: true },
          encoding: {
            x: { field: 'observed', type: 'quantitative', title: 'observed CTR', scale: { domain: [0, max] } },
            y: { field: 'predicted', type: 'quantitative', title: 'mean predicted CTR', scale: { domain: [0, max] } },
            color: namedColor('strategy', d),
            shape: { field: 'domain', type: 'nominal' },
          },
        },
      ],
    } as TopLevelSpec,
  };
}

/** Traffic skew: domain shares, and the user-activity distribution on log-log axes. */
function traffic(d: RunData): Chart {
  return {
    id: 'traffic',
    title: 'Traffic skew: domain shares and user activity (log-log)',
    spec: {
      ...base,
      hconcat: [
        {
          width: 240,
          height: 200,
          data: { values: d.domains },
          mark: { type: 'bar', tooltip: true },
          encoding: {
            x: { field: 'domain', type: 'nominal', sort: '-y', title: null },
            y: { field: 'share', type: 'quantitative', axis: { format: '%' }, title: 'share of requests' },
            color: { field: 'tail', type: 'nominal', title: 'tail domain' },
          },
        },
        {
          width: 240,
          height: 200,
          data: { values: d.activity },
          mark: { type: 'point', filled: true, tooltip: true },
          encoding: {
            x: { field: 'impressions', type: 'quantitative', scale: { type: 'log' }, title: 'training impressions per user' },
            y: { field: 'users', type: 'quantitative', scale: { type: 'log' }, title: 'users' },
          },
        },
      ],
    } as TopLevelSpec,
  };
}

/** Which domain logs which feature. */
function featureMatrix(d: RunData): Chart {
  return {
    id: 'features',
    title: 'Feature sets: which domain logs which feature',
    spec: {
      ...base,
      data: { values: d.features },
      mark: { type: 'rect', stroke: 'white', tooltip: true },
      encoding: {
        x: { field: 'domain', type: 'nominal', title: null },
        y: { field: 'feature', type: 'nominal', title: null },
        color: { field: 'present', type: 'nominal', scale: { domain: [true, false], range: ['#4c78a8', '#eeeeee'] } },
      },
    } as TopLevelSpec,
  };
}

/** Each estimator's estimate and interval per strategy and domain, with the true CTR as a black diamond. */
function opeChart(d: RunData): Chart {
  const values = d.ope
    .filter((r) => r.segment === 'all' && r.value !== null && r.estimator !== 'sips' && r.estimator !== 'rips')
    .map((r) => ({ domain: r.domain, strategy: r.strategy, estimator: r.estimator, value: r.value, lo: r.ci_low, hi: r.ci_high, truth: r.true_value }));
  return {
    id: 'ope-estimates',
    title: 'Off-policy estimates of CTR from the logged test period, with 95% intervals (black diamonds: the true CTR)',
    spec: {
      ...base,
      data: { values },
      ...wrapped('domain', 200),
      resolve: { scale: { x: 'independent' } },
      spec: {
        width: 200,
        height: { step: 16 },
        encoding: { y: { field: 'strategy', type: 'nominal', title: null }, yOffset: { field: 'estimator' }, color: { field: 'estimator', type: 'nominal' } },
        layer: [
          {
            mark: 'rule',
            encoding: { x: { field: 'lo', type: 'quantitative', axis: { format: '%' }, title: 'CTR', scale: { zero: false } }, x2: { field: 'hi' } },
          },
          { mark: { type: 'point', filled: true, tooltip: true }, encoding: { x: { field: 'value', type: 'quantitative' } } },
          {
            mark: { type: 'point', shape: 'diamond', color: 'black', size: 40 },
            encoding: { x: { field: 'truth', type: 'quantitative' }, yOffset: { value: 0 } },
          },
        ],
      },
    } as unknown as TopLevelSpec,
  };
}

/** Every strategy pair on every domain: the offline signal's difference against the true online lift, one panel per signal. */
function consistencyChart(d: RunData): Chart {
  const values = d.pairs
    .filter((r) => r.domain !== 'all' && r.delta !== null && r.true_lift !== null)
    .map((r) => ({ signal: r.signal, domain: r.domain, pair: `${r.a} vs ${r.b}`, delta: r.delta, trueLift: r.true_lift, agrees: r.agrees }));
  return {
    id: 'offline-vs-online',
    title: 'Offline signal difference vs true online lift, one point per domain × strategy pair (upper right and lower left: the signal was right)',
    spec: {
      ...base,
      data: { values },
      ...wrapped('signal', 150),
      resolve: { scale: { x: 'independent' } },
      spec: {
        width: 150,
        height: 180,
        layer: [
          { mark: { type: 'rule', color: '#aaa' }, encoding: { y: { datum: 0 } } },
          { mark: { type: 'rule', color: '#aaa' }, encoding: { x: { datum: 0 } } },
          {
            mark: { type: 'point', filled: true, tooltip: true },
            encoding: {
              x: { field: 'delta', type: 'quantitative', title: 'offline difference' },
              y: { field: 'trueLift', type: 'quantitative', axis: { format: '%' }, title: 'true online lift' },
              color: { field: 'domain', type: 'nominal' },
              shape: { field: 'agrees', type: 'nominal' },
            },
          },
        ],
      },
    } as unknown as TopLevelSpec,
  };
}

export function runCharts(d: RunData): Chart[] {
  const charts = [aucByDomain(d), segments(d)];
  if (d.ope.length) charts.push(opeChart(d));
  if (d.pairs.length) charts.push(consistencyChart(d));
  if (d.abLifts.length) charts.push(abLifts(d), powerCurves(d));
  if (d.looks.length) charts.push(sequentialChart(d));
  if (d.grades.length) charts.push(gradeChart(d));
  charts.push(...loopCharts(d), curves(d), ...(d.experts.length ? [gateChart(d)] : []));
  charts.push(calibration(d), traffic(d), featureMatrix(d));
  return charts;
}

/** Several runs side by side: overall and per-domain AUC, and the A/B lifts, by run. */
export function compareCharts(runs: RunData[]): Chart[] {
  const auc = runs.flatMap((d) =>
    d.offline
      .filter((r) => r.target === 'click' && (r.scope === 'overall' || r.scope === 'domain') && r.strategy !== 'constant')
      .map((r) => ({ run: `${d.run.run_id}`, seed: d.run.seed, strategy: r.strategy, domain: r.scope === 'overall' ? 'all' : r.key, auc: r.auc })),
  );
  const lifts = runs.flatMap((d) =>
    d.abLifts
      .filter((r) => r.metric === 'ctr' && r.segment === 'all')
      .map((r) => ({ run: `${d.run.run_id}`, arm: r.arm, domain: r.domain, lift: r.lift, lo: r.ci_low, hi: r.ci_high, truth: r.true_lift })),
  );
  return [
    {
      id: 'compare-auc',
      title: 'AUC by strategy and domain across runs',
      spec: {
        ...base,
        data: { values: auc },
        facet: { column: { field: 'domain', type: 'nominal' } },
        spec: {
          width: 160,
          height: 220,
          mark: { type: 'point', filled: true, tooltip: true },
          encoding: {
            x: { field: 'strategy', type: 'nominal', title: null },
            y: { field: 'auc', type: 'quantitative', scale: { zero: false } },
            color: { field: 'run', type: 'nominal' },
          },
        },
      } as TopLevelSpec,
    },
    {
      id: 'compare-lifts',
      title: 'A/B CTR lift across runs (diamonds: true lift)',
      spec: {
        ...base,
        data: { values: lifts },
        width: WIDTH,
        height: { step: 14 },
        encoding: { y: { field: 'domain', type: 'nominal' }, yOffset: { field: 'run' }, color: { field: 'run', type: 'nominal' } },
        layer: [
          { mark: 'rule', encoding: { x: { field: 'lo', type: 'quantitative', axis: { format: '%' }, title: 'relative lift' }, x2: { field: 'hi' } } },
          {
            mark: { type: 'point', filled: true, tooltip: true },
            encoding: { x: { field: 'lift', type: 'quantitative' }, shape: { field: 'arm', type: 'nominal' } },
          },
          { mark: { type: 'point', shape: 'diamond', color: 'black' }, encoding: { x: { field: 'truth', type: 'quantitative' } } },
        ],
      } as unknown as TopLevelSpec,
    },
  ];
}

/** A fit's diagnostics as a chart: the held-out log's value (dot), the interval it is judged by (bar) and the fitted world's (diamond). */
export interface FitDiagnosticRow {
  measure: string;
  domain: string;
  real: number;
  simulated: number;
  low: number;
  high: number;
  inside: boolean;
}

export function fitDiagnosticsChart(rows: readonly FitDiagnosticRow[]): Chart {
  // Rates and shares live on different scales: each measure gets its own panel row, independent x.
  const values = rows.map((r) => ({ ...r, faithful: r.inside ? 'inside the interval' : 'outside' }));
  return {
    id: 'fit-diagnostics',
    title: 'Held-out log (dot, with the 95% interval it is judged by) against the fitted world (diamond)',
    spec: {
      ...base,
      data: { values },
      facet: { row: { field: 'measure', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelLimit: 260 } } },
      resolve: { scale: { x: 'independent' } },
      spec: {
        width: WIDTH - 160,
        height: 40,
        layer: [
          {
            mark: { type: 'rule', strokeWidth: 2, color: '#999' },
            encoding: { y: { field: 'domain', type: 'nominal', title: null }, x: { field: 'low', type: 'quantitative', title: null }, x2: { field: 'high' } },
          },
          {
            mark: { type: 'point', filled: true, size: 50, color: '#222' },
            encoding: { y: { field: 'domain', type: 'nominal' }, x: { field: 'real', type: 'quantitative' } },
          },
          {
            mark: { type: 'point', shape: 'diamond', filled: true, size: 80 },
            encoding: {
              y: { field: 'domain', type: 'nominal' },
              x: { field: 'simulated', type: 'quantitative' },
              color: {
                field: 'faithful',
                type: 'nominal',
                title: 'fitted world',
                scale: { domain: ['inside the interval', 'outside'], range: ['#2a7', '#d33'] },
              },
            },
          },
        ],
      },
    } as TopLevelSpec,
  };
}
