// Where a target policy's action probabilities come from when all there is of it is a log or a
// published prior. Each gives π(item, position) per domain, context-free:
//   frequency        its own log's share of each item at each position: the unbiased estimate of the
//                    probability it used on average over the log's time
//   mean-propensity  the mean of the propensities it logged for each item at each position, normalised
//                    per position; a propensity is seen only when its item was drawn, so the mean is
//                    E[π²]/E[π] per item, not E[π]: right for a policy that never changed, off for one
//                    that did (Thompson sampling's posterior moved over the week)
//   thompson-prior   Bernoulli Thompson sampling's slate from Beta(α, β) per item by Monte Carlo:
//                    draw θ, rank, count each item's position (Open Bandit Pipeline's way of getting
//                    BTS's action probabilities from its published prior)
import { gammaDraw as gamma, type Rng } from '../world/rng.js';
import type { DisplayLog, SlotPolicy } from './logged.js';

export function frequencyPolicy(log: DisplayLog, items: number, positions: number): SlotPolicy {
  const p = new Float64Array(items * positions);
  const perPosition = new Float64Array(positions);
  for (let i = 0; i < log.item.length; i++) {
    p[log.item[i] * positions + log.position[i]]++;
    perPosition[log.position[i]]++;
  }
  return normalised({ items, positions, p }, perPosition);
}

export function meanPropensityPolicy(log: DisplayLog, items: number, positions: number): SlotPolicy {
  const sum = new Float64Array(items * positions);
  const n = new Float64Array(items * positions);
  for (let i = 0; i < log.item.length; i++) {
    const j = log.item[i] * positions + log.position[i];
    sum[j] += log.propensity[i];
    n[j]++;
  }
  const p = Float64Array.from(sum, (s, j) => (n[j] ? s / n[j] : 0));
  const total = new Float64Array(positions);
  for (let j = 0; j < p.length; j++) total[j % positions] += p[j];
  return normalised({ items, positions, p }, total);
}

function normalised(policy: SlotPolicy, columnTotals: Float64Array): SlotPolicy {
  const { items, positions, p } = policy;
  for (let a = 0; a < items; a++) for (let k = 0; k < positions; k++) if (columnTotals[k] > 0) p[a * positions + k] /= columnTotals[k];
  return policy;
}

export function thompsonPolicy(alpha: readonly number[], beta: readonly number[], positions: number, draws: number, rng: Rng): SlotPolicy {
  const items = alpha.length;
  const p = new Float64Array(items * positions);
  const theta = new Float64Array(items);
  const order = Int32Array.from({ length: items }, (_, a) => a);
  for (let t = 0; t < draws; t++) {
    for (let a = 0; a < items; a++) {
      const x = gamma(alpha[a], rng);
      theta[a] = x / (x + gamma(beta[a], rng));
    }
    // The top `positions` by θ, in order: a partial selection sort (slates are short).
    for (let k = 0; k < positions; k++) {
      let best = k;
      for (let j = k + 1; j < items; j++) if (theta[order[j]] > theta[order[best]]) best = j;
      [order[k], order[best]] = [order[best], order[k]];
      p[order[k] * positions + k] += 1 / draws;
    }
  }
  return { items, positions, p };
}
