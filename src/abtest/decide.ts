// From a readout to a decision per domain: SHIP an arm, KEEP the control, NOT ENOUGH DATA (with the
// traffic that would decide it) or UNRELIABLE (why). The decision uses only what a real test would
// see; the truth is used afterwards, to grade it.
//   unreliable       the domain's users are not split as configured (SRM p < 0.001), or one user makes
//                    more than DOMINANT_USER of an arm's impressions there (user-clustered intervals
//                    then under-cover)
//   ship             an arm's CTR lift is significant after the correction across the primary family
//                    and positive, and its conversions per impression are non-inferior (the interval's
//                    lower end above −guardrailMargin); the largest such lift
//   keep             every arm's interval rules out the smallest lift worth shipping (upper end below
//                    minLift), or a winner breached the guardrail
//   not enough data  anything else; the users needed for the minimum detectable lift to reach minLift
import type { DecisionRules } from '../scenario/schema.js';
import { DOMINANT_USER, type Arm, type ArmResult, type LiftResult, type ReplayResult } from './replay.js';
import { normalQuantile, sampleRatioMismatch } from './stats.js';

export type Decision = 'ship' | 'keep' | 'not enough data' | 'unreliable';

export interface DomainDecision {
  domain: string;
  decision: Decision;
  /** The arm shipped, or the control when kept; null without a decision. */
  arm: string | null;
  /** The deciding (or best) arm's CTR lift, its interval and corrected p-value. */
  lift: number;
  ciLow: number;
  ciHigh: number;
  pAdjusted: number;
  /** Users in the domain over all arms, and (not enough data) how many would decide it. */
  users: number;
  usersNeeded: number;
  trafficMultiple: number;
  srmPValue: number;
  maxUserShare: number;
  reason: string;
  /** Graded against the truth: the arm that should win (the control when no arm truly beats it). */
  trueBest: string;
  trueBestLift: number;
  /** Whether SHIP / KEEP chose trueBest; null without a decision. */
  correct: boolean | null;
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;

/** Users needed, at the cell's per-user noise, for a test at level `alpha` to detect `lift`. */
function usersFor(users: number, seLog: number, lift: number, alpha: number, power: number): number {
  const k = ((normalQuantile(1 - alpha / 2) + normalQuantile(power)) * seLog) / Math.log(1 + lift);
  return Math.ceil(users * k * k);
}

export function decide(ab: ReplayResult, domains: string[], rules: DecisionRules): DomainDecision[] {
  const control = ab.control;
  const treatments = ab.arms.filter((a) => a.name !== control);
  const familySize = ab.lifts.filter((l) => l.family === 'primary').length;
  // Sizing "not enough data" at the level the correction will demand (Bonferroni's, Holm's first step).
  const alphaEff = rules.correction === 'holm' ? rules.alpha / Math.max(1, familySize) : rules.alpha;
  return domains.map((domain) => {
    const cells = ab.results.filter((r) => r.domain === domain && r.segment === 'all');
    const cellOf = (arm: Arm): ArmResult => cells.find((r) => r.arm === arm.name)!;
    const lift = (arm: Arm, metric: 'ctr' | 'ctcvr'): LiftResult =>
      ab.lifts.find((l) => l.arm === arm.name && l.metric === metric && l.domain === domain && l.segment === 'all')!;
    const users = cells.reduce((s, r) => s + r.users, 0);
    const srm = sampleRatioMismatch(
      ab.arms.map((a) => cellOf(a).users),
      ab.arms.map((a) => a.share),
    );
    const maxUserShare = Math.max(...cells.map((r) => r.maxUserShare));
    const truth = treatments.map((a) => ({ arm: a.name, trueLift: lift(a, 'ctr').trueLift })).sort((x, y) => y.trueLift - x.trueLift)[0];
    const trueBest = truth && truth.trueLift > 0 ? truth.arm : control;
    const base = { domain, users, srmPValue: srm.pValue, maxUserShare, trueBest, trueBestLift: truth && truth.trueLift > 0 ? truth.trueLift : 0 };
    const out = (decision: Decision, arm: string | null, l: LiftResult | null, reason: string, usersNeeded = Number.NaN): DomainDecision => ({
      ...base,
      decision,
      arm,
      lift: l?.lift ?? Number.NaN,
      ciLow: l?.ciLow ?? Number.NaN,
      ciHigh: l?.ciHigh ?? Number.NaN,
      pAdjusted: l?.pAdjusted ?? Number.NaN,
      usersNeeded,
      trafficMultiple: usersNeeded / users,
      reason,
      correct: decision === 'ship' || decision === 'keep' ? arm === trueBest : null,
    });

    if (srm.pValue < 0.001) return out('unreliable', null, null, `users are not split as configured here (SRM p = ${srm.pValue.toExponential(1)})`);
    if (maxUserShare > DOMINANT_USER)
      return out(
        'unreliable',
        null,
        null,
        `one user makes ${(100 * maxUserShare).toFixed(1)}% of an arm's impressions here; user-clustered intervals under-cover`,
      );

    const primary = treatments.map((a) => ({ arm: a, ctr: lift(a, 'ctr'), guard: lift(a, 'ctcvr') }));
    const winners = primary.filter((p) => p.ctr.tested && p.ctr.pAdjusted < rules.alpha && p.ctr.lift > 0).sort((x, y) => y.ctr.lift - x.ctr.lift);
    const safe = winners.filter((p) => p.guard.tested && p.guard.ciLow > -rules.guardrailMargin);
    if (safe.length) {
      const w = safe[0];
      return out('ship', w.arm.name, w.ctr, `${w.arm.name} ${pct(w.ctr.lift)} CTR [${pct(w.ctr.ciLow)}, ${pct(w.ctr.ciHigh)}], conversions non-inferior`);
    }
    const breached = winners.find((p) => p.guard.tested && p.guard.ciHigh < -rules.guardrailMargin);
    if (breached)
      return out(
        'keep',
        control,
        breached.ctr,
        `${breached.arm.name} wins CTR but loses conversions (${pct(breached.guard.lift)}, beyond the −${pct(rules.guardrailMargin).slice(1)} guardrail)`,
      );
    if (primary.length && primary.every((p) => p.ctr.tested && p.ctr.ciHigh < rules.minLift)) {
      const best = [...primary].sort((x, y) => y.ctr.ciHigh - x.ctr.ciHigh)[0];
      return out('keep', control, best.ctr, `every arm's interval rules out a ${pct(rules.minLift)} lift (best upper end ${pct(best.ctr.ciHigh)})`);
    }
    // Not decided: the traffic at which the minimum detectable lift would reach minLift, for the
    // arm that needs the most; an arm below the small-cell floor is scaled up to it first.
    const needs = primary.map((p) => {
      const cu = cellOf(p.arm).users + cellOf(ab.arms.find((a) => a.name === control)!).users;
      if (p.ctr.tested && p.ctr.seLog > 0) return usersFor(cu, p.ctr.seLog, rules.minLift, alphaEff, rules.power);
      const t = cellOf(p.arm);
      const c = cellOf(ab.arms.find((a) => a.name === control)!);
      const scale = Math.max(rules.minUsers / Math.max(1, Math.min(t.users, c.users)), rules.minClicks / Math.max(1, Math.min(t.clicks, c.clicks)));
      return Math.ceil(cu * scale);
    });
    const needed = Math.max(...needs, users);
    const guardOpen = winners.length > 0;
    const best = [...primary].sort((x, y) => (y.ctr.lift || -Infinity) - (x.ctr.lift || -Infinity))[0];
    const reason = guardOpen
      ? `${winners[0].arm.name} wins CTR, but its conversions are not yet shown within the −${pct(rules.guardrailMargin).slice(1)} guardrail`
      : primary.some((p) => !p.ctr.tested)
        ? `fewer than ${rules.minUsers} users or ${rules.minClicks} clicks in an arm`
        : `the test cannot yet tell a ${pct(rules.minLift)} lift from none`;
    return out(
      'not enough data',
      null,
      best?.ctr ?? null,
      `${reason}; needs ~${needed.toLocaleString('en')} users (×${(needed / users).toFixed(1)} the traffic)`,
      needed,
    );
  });
}
