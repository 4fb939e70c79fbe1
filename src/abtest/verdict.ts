// The readout at a glance, for the end of a run and the dashboard: each domain's decision, its
// evidence, why in a few words, and what the truth says about it, as table rows.
import type { DomainDecision } from './decide.js';
import { signedPercent as pct } from '../util/format.js';

/** What the truth says should be decided: ship the best arm (its true lift), or keep the control (and the best arm's lift, too small to ship). */
export function truthOf(d: DomainDecision, nameArm = true): string {
  return d.trueBest === d.control ? `keep (best arm ${pct(d.trueBestLift)})` : `ship ${nameArm ? `${d.trueBest} ` : ''}${pct(d.trueBestLift)}`;
}

/** One domain at a glance: the decision, the evidence it rests on, why in a few words, and the truth. */
export interface VerdictRow {
  domain: string;
  decision: string;
  evidence: string;
  why: string;
  truth: string;
}

/** A lift and its interval in few characters: "+16.2% [+9.0, +24.1]". */
const liftWithInterval = (d: DomainDecision) =>
  Number.isFinite(d.lift) ? `${pct(d.lift)}${Number.isFinite(d.ciLow) ? ` [${pct(d.ciLow).slice(0, -1)}, ${pct(d.ciHigh).slice(0, -1)}]` : ''}` : '–';

/**
 * One row per domain. The evidence names its arm unless the decision does (a ship) or there is only
 * one treatment; undecided domains keep their best arm's lift and interval, since "not enough data"
 * at +3% [−1, +7] is a different answer from at +0.1% [−4, +4].
 */
export function verdictRows(decisions: DomainDecision[], treatments: number): VerdictRow[] {
  return decisions.map((d) => ({
    domain: d.domain,
    decision: d.decision === 'ship' ? `SHIP ${d.arm}` : d.decision.toUpperCase(),
    evidence: d.evidenceArm && d.decision !== 'ship' && treatments > 1 ? `${d.evidenceArm} ${liftWithInterval(d)}` : liftWithInterval(d),
    why: d.brief,
    truth: d.correct === null ? truthOf(d, treatments > 1) : d.correct ? 'right' : `WRONG: ${truthOf(d, treatments > 1)}`,
  }));
}
