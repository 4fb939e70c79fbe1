// The click model `crossab fit` gives a fitted world as its truth: per domain, a logistic regression
// of the click on the item and the position, logit p = b + α_item + δ_position, with Gaussian priors
// α, δ ~ N(0, σ²) (ridge), fitted by Newton's method on the (item, position) cell totals. With ~1
// click per item in OBD's fitting half the item effects are mostly prior: the held-out diagnostics
// say how much of them is signal.

export interface ClickModel {
  bias: number;
  items: Float64Array;
  positions: Float64Array;
}

/** Prior standard deviation of an item's or a position's logit effect. */
export const EFFECT_SD = 0.5;

/** Solve A x = b (A symmetric positive definite, row-major n × n) by Gaussian elimination with partial pivoting. */
function solve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const M = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r * n + c]) > Math.abs(M[p * n + c])) p = r;
    if (p !== c) {
      for (let k = 0; k < n; k++) [M[c * n + k], M[p * n + k]] = [M[p * n + k], M[c * n + k]];
      [x[c], x[p]] = [x[p], x[c]];
    }
    for (let r = c + 1; r < n; r++) {
      const f = M[r * n + c] / M[c * n + c];
      if (f === 0) continue;
      for (let k = c; k < n; k++) M[r * n + k] -= f * M[c * n + k];
      x[r] -= f * x[c];
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = x[c];
    for (let k = c + 1; k < n; k++) s -= M[c * n + k] * x[k];
    x[c] = s / M[c * n + c];
  }
  return x;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Fit from displays (item index, position from 0, click) over `items` items and `positions` positions. */
export function fitClickModel(item: Int32Array, position: Int32Array, click: Uint8Array, items: number, positions: number, sd = EFFECT_SD): ClickModel {
  const cells = items * positions;
  const n = new Float64Array(cells);
  const c = new Float64Array(cells);
  for (let i = 0; i < item.length; i++) {
    n[item[i] * positions + position[i]]++;
    c[item[i] * positions + position[i]] += click[i];
  }
  const P = 1 + items + positions;
  const theta = new Float64Array(P);
  const total = n.reduce((a, x) => a + x, 0);
  const clicks = c.reduce((a, x) => a + x, 0);
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, (clicks + 0.5) / (total + 1)));
  theta[0] = Math.log(rate / (1 - rate));
  const prior = 1 / (sd * sd);
  for (let iter = 0; iter < 50; iter++) {
    const g = new Float64Array(P);
    const H = new Float64Array(P * P);
    for (let a = 0; a < items; a++)
      for (let k = 0; k < positions; k++) {
        const j = a * positions + k;
        if (!n[j]) continue;
        const p = sigmoid(theta[0] + theta[1 + a] + theta[1 + items + k]);
        const r = c[j] - n[j] * p;
        const w = n[j] * p * (1 - p);
        const idx = [0, 1 + a, 1 + items + k];
        for (const u of idx) {
          g[u] += r;
          for (const v of idx) H[u * P + v] += w;
        }
      }
    for (let u = 1; u < P; u++) {
      g[u] -= prior * theta[u];
      H[u * P + u] += prior;
    }
    const step = solve(H, g, P);
    let moved = 0;
    for (let u = 0; u < P; u++) {
      theta[u] += step[u];
      moved = Math.max(moved, Math.abs(step[u]));
    }
    if (moved < 1e-10) break;
  }
  return { bias: theta[0], items: theta.slice(1, 1 + items), positions: theta.slice(1 + items) };
}

export const predict = (m: ClickModel, item: number, position: number): number => sigmoid(m.bias + m.items[item] + m.positions[position]);
