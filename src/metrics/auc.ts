// Ranking and probability metrics over typed arrays: AUC (ties averaged), GAUC, log loss.

/** Area under the ROC curve of `scores` for binary `labels` over `rows` (all rows when omitted); NaN without both classes. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>, rows?: ArrayLike<number>): number {
  const n = rows ? rows.length : scores.length;
  const idx = new Int32Array(n);
  for (let k = 0; k < n; k++) idx[k] = rows ? rows[k] : k;
  const s = new Float64Array(n);
  for (let k = 0; k < n; k++) s[k] = scores[idx[k]];
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => s[a] - s[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && s[order[j + 1]] === s[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[idx[order[k]]] > 0) {
        pos++;
        rankSum += avgRank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Group AUC: per-user AUC weighted by the user's impressions, over users with both labels. */
export function gauc(scores: ArrayLike<number>, labels: ArrayLike<number>, users: ArrayLike<number>, rows: ArrayLike<number>): number {
  const byUser = new Map<number, number[]>();
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    let list = byUser.get(users[r]);
    if (!list) byUser.set(users[r], (list = []));
    list.push(r);
  }
  let num = 0;
  let den = 0;
  for (const list of byUser.values()) {
    if (list.length < 2) continue;
    const a = auc(scores, labels, list);
    if (Number.isNaN(a)) continue;
    num += a * list.length;
    den += list.length;
  }
  return den > 0 ? num / den : NaN;
}

export function logloss(probs: ArrayLike<number>, labels: ArrayLike<number>, rows: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    const p = Math.min(1 - 1e-7, Math.max(1e-7, probs[r]));
    s -= labels[r] > 0 ? Math.log(p) : Math.log(1 - p);
  }
  return rows.length ? s / rows.length : NaN;
}

/** Mean prediction over mean label: 1 is calibrated. */
export function calibration(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  rows: ArrayLike<number>,
): { predicted: number; observed: number; ratio: number } {
  let p = 0;
  let y = 0;
  for (let k = 0; k < rows.length; k++) {
    p += probs[rows[k]];
    y += labels[rows[k]];
  }
  const predicted = rows.length ? p / rows.length : NaN;
  const observed = rows.length ? y / rows.length : NaN;
  return { predicted, observed, ratio: predicted / observed };
}
