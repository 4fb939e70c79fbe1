// The evidence a decision method reads from a lift: the plain delta-method interval, CUPED's, or the
// confidence sequence (after the last look, or at one look); in a domain with too few effective users,
// plain and CUPED through the user-level jackknife when the replay made one.
import type { DecisionRules } from '../scenario/schema.js';
import type { LiftResult, LookCell } from './readout.js';

/** One test's evidence as the method reads it. */
export interface Evidence {
  tested: boolean;
  lift: number;
  ciLow: number;
  ciHigh: number;
  /** Before and after the correction across the primary family. */
  pValue: number;
  pAdjusted: number;
  seLog: number;
}

/**
 * A lift at the end of the test as each method reads it; sequential: the confidence sequence after
 * the last look. In a domain with too few effective users for the delta method, plain and CUPED are
 * read through their user-level jackknife when the replay made one.
 */
export function evidenceOf(l: LiftResult, method: DecisionRules['method']): Evidence {
  const jackknife = method === 'sequential' ? null : jackknifeOf(l, method);
  if (jackknife) return jackknife;
  if (method === 'plain') return { tested: l.tested, lift: l.lift, ciLow: l.ciLow, ciHigh: l.ciHigh, pValue: l.pValue, pAdjusted: l.pAdjusted, seLog: l.seLog };
  // A cell whose CUPED interval (or sequence) could not be formed, e.g. no variance left, is not decided on.
  if (method === 'cuped')
    return {
      tested: l.tested && Number.isFinite(l.cupedCiLow),
      lift: l.cupedLift,
      ciLow: l.cupedCiLow,
      ciHigh: l.cupedCiHigh,
      pValue: l.cupedPValue,
      pAdjusted: l.cupedPAdjusted,
      seLog: l.cupedSeLog,
    };
  return sequenceEvidence(l, l.cupedSeLog);
}

/** A small domain's plain or CUPED evidence through the user jackknife; null where the replay made none. */
function jackknifeOf(l: LiftResult, method: 'plain' | 'cuped'): Evidence | null {
  const [lift, seLog, ciLow, ciHigh, pValue, pAdjusted] =
    method === 'plain'
      ? [l.lift, l.jackknifeSeLog, l.jackknifeCiLow, l.jackknifeCiHigh, l.jackknifePValue, l.jackknifePAdjusted]
      : [l.cupedLift, l.cupedJackknifeSeLog, l.cupedJackknifeCiLow, l.cupedJackknifeCiHigh, l.cupedJackknifePValue, l.cupedJackknifePAdjusted];
  if (!Number.isFinite(seLog)) return null;
  return { tested: l.tested && Number.isFinite(ciLow), lift, ciLow, ciHigh, pValue, pAdjusted, seLog };
}

/** The confidence sequence's evidence, at a look or (on a lift) after the last one. */
function sequenceEvidence(c: Pick<LookCell, 'tested' | 'cupedLift' | 'seqCiLow' | 'seqCiHigh' | 'seqPValue' | 'seqPAdjusted'>, seLog: number): Evidence {
  return {
    tested: c.tested && Number.isFinite(c.seqCiLow),
    lift: c.cupedLift,
    ciLow: c.seqCiLow,
    ciHigh: c.seqCiHigh,
    pValue: c.seqPValue,
    pAdjusted: c.seqPAdjusted,
    seLog,
  };
}

/** The minimum detectable lift of the method's test (the delta method's where a jackknife decides: it has none of its own). */
export function mdeOf(l: LiftResult, method: DecisionRules['method']): number {
  return method === 'plain' ? l.mde : method === 'cuped' ? l.cupedMde : l.seqMde;
}

/** A look's cell as the sequential method reads it. */
export const fromLook = (c: LookCell): Evidence => sequenceEvidence(c, c.seLog);
