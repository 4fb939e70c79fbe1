// The one root-finder of the world: the domain biases b_d that make a domain's mean click (and
// conversion) probability on its logged traffic equal the configured base rate.

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * The bias b with mean(sigmoid(b + raw)) = target (weights optional). See calibrateBiasScaled, which
 * takes exp(−raw) instead of raw.
 */
export function calibrateBias(raw: Float64Array | Float32Array, target: number, weights?: ArrayLike<number>): number {
  const e = new Float64Array(raw.length);
  for (let j = 0; j < raw.length; j++) e[j] = Math.exp(-raw[j]);
  return calibrateBiasScaled(e, target, weights);
}

/**
 * The bias b with mean(1 / (1 + e^−b · expNeg[j])) = target, i.e. mean(sigmoid(b + raw)) with
 * expNeg = exp(−raw) computed once by the caller, so a pass costs a multiply and a divide per row
 * instead of an exp. Newton's method on the monotone mean, kept inside a shrinking bracket (a
 * bisection step whenever Newton would leave it): about six passes instead of bisection's sixty.
 */
export function calibrateBiasScaled(expNeg: Float64Array, target: number, weights?: ArrayLike<number>): number {
  let wsum = 0;
  if (weights) for (let j = 0; j < expNeg.length; j++) wsum += weights[j];
  else wsum = expNeg.length;
  if (wsum === 0) return 0;
  let lo = -30;
  let hi = 30;
  let b = Math.log(target / (1 - target));
  for (let it = 0; it < 100; it++) {
    const eb = Math.exp(-b);
    let acc = 0;
    let slope = 0;
    if (weights) {
      for (let j = 0; j < expNeg.length; j++) {
        const p = 1 / (1 + eb * expNeg[j]);
        const wp = weights[j] * p;
        acc += wp;
        slope += wp * (1 - p);
      }
    } else {
      for (let j = 0; j < expNeg.length; j++) {
        const p = 1 / (1 + eb * expNeg[j]);
        acc += p;
        slope += p * (1 - p);
      }
    }
    const f = acc / wsum - target;
    if (f > 0) hi = b;
    else lo = b;
    if (Math.abs(f) < 1e-13 || hi - lo < 1e-12) break;
    const step = slope > 0 ? b - f / (slope / wsum) : NaN;
    b = step > lo && step < hi ? step : (lo + hi) / 2;
  }
  return b;
}
