// Expert-collapse diagnostics in the report (train/experts.ts computes them): every mixture model's
// gates on each domain's test rows — where each gate puts its weight, and which experts are dead.
import type { TopLevelSpec } from 'vega-lite';
import type { RunData } from '../store/run-data.js';
import { IDLE_GATE_WEIGHT } from '../scenario/metrics.js';
import { base, type Chart } from './chart-base.js';

/** Per domain (columns) and strategy · gate (rows): each expert's mean gate weight as colour, its dead share and the gate's entropy on hover. */
export function gateChart(d: RunData): Chart {
  const values = d.experts.map((r) => ({
    domain: r.domain,
    gate: `${r.strategy} · ${r.gate}`,
    expert: r.expert,
    weight: r.weight,
    entropy: r.entropy,
    dead: r.dead_share,
    idle: (r.weight ?? 0) < IDLE_GATE_WEIGHT ? 'idle' : '',
  }));
  return {
    id: 'expert-gates',
    title: `Mixture gates on each domain's test rows: each expert's mean gate weight (an expert under ${IDLE_GATE_WEIGHT} is idle for that gate; a gate whose weight sits on one expert has collapsed), with the share of the expert's output units that never fire`,
    spec: {
      ...base,
      data: { values },
      facet: { column: { field: 'domain', type: 'nominal', title: null } },
      spec: {
        width: { step: 22 },
        height: { step: 18 },
        layer: [
          {
            mark: { type: 'rect', tooltip: true },
            encoding: {
              x: { field: 'expert', type: 'ordinal', title: 'expert' },
              y: { field: 'gate', type: 'nominal', title: null },
              color: { field: 'weight', type: 'quantitative', title: 'gate weight', scale: { scheme: 'blues', domain: [0, 1] } },
              tooltip: [
                { field: 'gate', type: 'nominal' },
                { field: 'expert', type: 'ordinal' },
                { field: 'weight', type: 'quantitative', format: '.3f' },
                { field: 'entropy', type: 'quantitative', format: '.3f', title: "gate's entropy / ln(experts)" },
                { field: 'dead', type: 'quantitative', format: '.0%', title: 'dead output units' },
              ],
            },
          },
          {
            mark: { type: 'text', fontSize: 9 },
            encoding: { x: { field: 'expert', type: 'ordinal' }, y: { field: 'gate', type: 'nominal' }, text: { field: 'idle' } },
          },
        ],
      },
    } as TopLevelSpec,
  };
}
