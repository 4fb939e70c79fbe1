// Vega-Lite specs for a run's report, built from stored rows. Each chart is one function; data is
// inlined so the report is self-contained.
import type { TopLevelSpec } from 'vega-lite';
import type { RunData, Row } from '../store/run-data.js';
import { base, namedColor, WIDTH, wrapped, type Chart } from './chart-base.js';
import { abLifts, gradeChart, powerCurves, sequentialChart } from './ab-charts.js';
import { consistencyChart, opeChart } from './ope-charts.js';
import { loopCharts } from './feedback-charts.js';
import { gateChart } from './expert-charts.js';
import { normalQuantile } from '../abtest/stats/distributions.js';

export type { Chart };

const isStrategy = (r: Row) => r.strategy !== 'oracle' && r.strategy !== 'constant';

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
