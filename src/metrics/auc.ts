// Ranking and probability metrics over typed arrays: AUC (ties averaged), GAUC, log loss.

/** Area under the ROC curve of `scores` for binary `labels` over `rows` (all rows when omitted); NaN without both classes. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>, rows?: ArrayLike<number>): number {
  return aucWithSe(scores, labels, rows).auc;
}

/**
 * AUC with DeLong's standard error (DeLong, DeLong & Clarke-Pearson 1988): each positive's share of
 * negatives ranked below it (ties count half) and each negative's share of positives ranked above;
 * AUC is the mean of either, and Var = var(positives' shares)/m + var(negatives' shares)/n. It treats
 * impressions as independent: a user's impressions are not, so on worlds with heavy users it is a
 * lower bound on the spread over label draws (and says nothing of the spread over training seeds).
 */
export function aucWithSe(scores: ArrayLike<number>, labels: ArrayLike<number>, rows?: ArrayLike<number>): { auc: number; se: number } {
  const n = rows ? rows.length : scores.length;
  const idx = new Int32Array(n);
  for (let k = 0; k < n; k++) idx[k] = rows ? rows[k] : k;
  const s = new Float64Array(n);
  let pos = 0;
  for (let k = 0; k < n; k++) {
    s[k] = scores[idx[k]];
    if (labels[idx[k]] > 0) pos++;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return { auc: NaN, se: NaN };
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => s[a] - s[b]);
  // One pass over tie groups in ascending score: the negatives below a group and the positives above it.
  let negBelow = 0;
  let posBelow = 0;
  let sumP = 0;
  let sumP2 = 0;
  let sumN = 0;
  let sumN2 = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && s[order[j + 1]] === s[order[i]]) j++;
    let p = 0;
    for (let k = i; k <= j; k++) if (labels[idx[order[k]]] > 0) p++;
    const q = j - i + 1 - p;
    rankSum += p * ((i + j) / 2 + 1);
    const vPos = (negBelow + q / 2) / neg;
    const vNeg = (pos - posBelow - p + p / 2) / pos;
    sumP += p * vPos;
    sumP2 += p * vPos * vPos;
    sumN += q * vNeg;
    sumN2 += q * vNeg * vNeg;
    negBelow += q;
    posBelow += p;
    i = j + 1;
  }
  // The AUC itself by the rank sum (Mann–Whitney), as it always was computed: the mean of the
  // positives' shares is the same number up to rounding.
  const a = (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
  const mP = sumP / pos;
  const varP = pos > 1 ? (sumP2 - pos * mP * mP) / (pos - 1) : 0;
  const mN = sumN / neg;
  const varN = neg > 1 ? (sumN2 - neg * mN * mN) / (neg - 1) : 0;
  return { auc: a, se: Math.sqrt(Math.max(0, varP / pos + varN / neg)) };
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
