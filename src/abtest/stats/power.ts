// Power, the minimum detectable lift and the traffic needed to see a lift, on the log-lift scale.
import { normalCdf, normalQuantile } from './distributions.js';

/** Power of a two-sided level-α test to detect a relative lift `lift` when log(T/C) has standard error `seLog`. */
export function powerAt(lift: number, seLog: number, alpha = 0.05): number {
  if (!(seLog > 0) || !(lift > -1)) return NaN;
  const z = normalQuantile(1 - alpha / 2);
  const d = Math.log(1 + lift) / seLog;
  return normalCdf(d - z) + normalCdf(-d - z);
}

/** The smallest relative lift (upwards) a level-α test detects with the given power at this standard error. */
export function minimumDetectableLift(seLog: number, alpha = 0.05, power = 0.8): number {
  if (!(seLog > 0)) return NaN;
  return Math.exp((normalQuantile(1 - alpha / 2) + normalQuantile(power)) * seLog) - 1;
}

/**
 * Users needed, at the same split and per-user behaviour, to detect `lift` with the given power: the
 * standard error shrinks as 1/√users, so users × (MDE-scale / log(1 + lift))².
 */
export function usersToDetect(users: number, seLog: number, lift: number, alpha = 0.05, power = 0.8): number {
  if (!(seLog > 0) || !(lift > -1) || lift === 0) return NaN;
  const k = ((normalQuantile(1 - alpha / 2) + normalQuantile(power)) * seLog) / Math.abs(Math.log(1 + lift));
  // Rounded up, after forgiving the last bits of float error (exactly enough users is enough).
  return Math.ceil(users * k * k * (1 - 1e-12));
}
