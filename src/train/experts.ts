// Expert-collapse diagnostics for the mixture models (MMoE, OMoE, PLE, AdaTT, shared-private, M2M): on a
// domain's test rows, how each gate spreads its weight and how much of each expert is alive. A gate
// that puts almost all its mass on one expert (low entropy, idle experts) has collapsed to a
// shared-bottom; an expert whose ReLU outputs are zero on every row is dead weight (HoME, Kuaishou
// 2024, found most units dead in some experts). Read from a diagnostic forward pass (models/blocks.ts
// records every mixture it computes), so every model built on Gate and mixExperts is covered.
import * as tf from '@tensorflow/tfjs-core';
import { recordMixtures } from '../models/blocks.js';
import type { Model } from '../models/model.js';
import { disposeBatch, makeBatch, rowsByDomain, type Dataset } from '../data/dataset.js';

/** One expert as one gate saw it on one domain's rows. */
export interface ExpertDiagnostic {
  domain: string;
  /** The gate's name within the model ('gate1', 'level0/gateShared'). */
  gate: string;
  /** The expert's position among what the gate mixes. */
  expert: number;
  /** The gate's mean weight on it. */
  weight: number;
  /** The gate's mean entropy over the rows, as a share of the most it can be (ln n): 1 spreads evenly, 0 picks one expert. */
  entropy: number;
  /** Share of the expert's output units that are zero on every row. */
  deadShare: number;
}

/** Rows per domain a diagnosis reads (the first of the domain's test rows). */
const ROWS = 4096;

/** Mean weight per expert and the mean normalised entropy of gate weights [rows × n]. */
export function gateSpread(w: Float32Array, rows: number, n: number): { weight: Float64Array; entropy: number } {
  const weight = new Float64Array(n);
  let entropy = 0;
  for (let r = 0; r < rows; r++)
    for (let k = 0; k < n; k++) {
      const g = w[r * n + k];
      weight[k] += g / rows;
      if (g > 0) entropy -= (g * Math.log(g)) / rows;
    }
  return { weight, entropy: n > 1 ? entropy / Math.log(n) : 0 };
}

/** Share of the columns of x [rows × units] that are ≤ 0 on every row (a ReLU unit that never fires). */
export function deadShare(x: Float32Array, rows: number, units: number): number {
  let dead = 0;
  for (let j = 0; j < units; j++) {
    let alive = false;
    for (let r = 0; r < rows && !alive; r++) alive = x[r * units + j] > 0;
    if (!alive) dead++;
  }
  return units > 0 ? dead / units : 0;
}

/**
 * Every gate of the domain on its first test rows, each expert it mixes. A gate named for a domain
 * (…gate<d>) is read on that domain's rows only; shared gates on every domain's. Empty for a model
 * with no gates.
 */
export function expertDiagnostics(model: Model, ds: Dataset, rows: Int32Array): ExpertDiagnostic[] {
  const out: ExpertDiagnostic[] = [];
  rowsByDomain(ds, rows).forEach((dr, d) => {
    if (!dr.length) return;
    const b = makeBatch(ds, dr.subarray(0, ROWS), d);
    try {
      tf.tidy(() => {
        // The second mixture of AdaTT (its learned v_d, no softmax) has no gate's name: not a gate.
        const records = recordMixtures(() => model.forward(b, false)).filter((g) => g.gate !== 'gate');
        const index = (name: string) => /gate(\d+)$/.exec(name)?.[1];
        const perDomain = records.some((g) => index(g.gate) === String(d));
        for (const g of records) {
          const i = index(g.gate);
          if (i !== undefined && perDomain && i !== String(d)) continue;
          const [n, k] = [b.size, g.experts.length];
          const { weight, entropy } = gateSpread(g.weights.dataSync() as Float32Array, n, k);
          g.experts.forEach((e, expert) => {
            const units = e.shape[1];
            out.push({
              domain: ds.domainNames[d],
              gate: g.gate,
              expert,
              weight: weight[expert],
              entropy,
              deadShare: deadShare(e.dataSync() as Float32Array, n, units),
            });
          });
        }
      });
    } finally {
      disposeBatch(b);
    }
  });
  return out;
}
