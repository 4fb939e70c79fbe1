// From a readout to a decision per domain: SHIP an arm, KEEP the control, NOT ENOUGH DATA (with the
// traffic that would decide it) or UNRELIABLE (why). The decision uses only what a real test would
// see; the truth is used afterwards, to grade it.
//   unreliable       the domain's users are not split as configured (SRM p < 0.001), or an arm there
//                    has fewer effective users than the rules ask (one heavy user's luck then moves
//                    the estimate and user-clustered intervals under-cover)
//   ship             an arm's CTR lift is significant after the correction across the primary family
//                    and positive, and its conversions per impression are non-inferior (the interval's
//                    lower end above −guardrailMargin); the largest such lift
//   keep             every arm's interval rules out the smallest lift worth shipping (upper end below
//                    minLift), or a winner breached the guardrail
//   not enough data  anything else; the users needed for the minimum detectable lift to reach minLift,
//                    or, for a CTR winner its guardrail holds back, for its conversions to clear the margin
// The evidence is the method's: the plain delta-method interval, CUPED's, or (sequential) the
// confidence sequence at each look, where the decision is final at the first look that ships or keeps.
import type { DecisionRules } from '../scenario/schema.js';
import type { Arm, ArmResult, LiftResult, ReplayResult } from './readout.js';
import { evidenceOf, fromLook, type Evidence } from './evidence.js';
import { normalCdf, normalQuantile } from './stats/distributions.js';
import { usersToDetect } from './stats/power.js';
import { sequentialInflation } from './stats/sequential.js';
import { sampleRatioMismatch } from './stats/srm.js';
import { signedPercent as pct } from '../util/format.js';

export type Decision = 'ship' | 'keep' | 'not enough data' | 'unreliable';
export type Method = DecisionRules['method'];

export interface DomainDecision {
  domain: string;
  /** The control arm. */
  control: string;
  method: Method;
  decision: Decision;
  /** The arm shipped, or the control when kept; null without a decision. */
  arm: string | null;
  /** The deciding (or best) arm's CTR lift, its interval and corrected p-value, by the method. */
  lift: number;
  ciLow: number;
  ciHigh: number;
  pAdjusted: number;
  /** The look (1-based) at which the decision became final: the first decisive one when sequential, the last otherwise; null without a decision. */
  look: number | null;
  /** Users in the domain over all arms, and (not enough data) how many would decide it. */
  users: number;
  usersNeeded: number;
  trafficMultiple: number;
  srmPValue: number;
  maxUserShare: number;
  /** The fewest effective users of any arm here. */
  effectiveUsers: number;
  /**
   * The guardrail's non-inferiority power for the deciding (or best) arm: the chance its conversions'
   * lower bound clears −guardrailMargin if the arm truly does them no harm; NaN without one.
   */
  guardrailPower: number;
  reason: string;
  /** The reason in a few words, for a one-row-per-domain summary (the lift and interval stand beside it). */
  brief: string;
  /** The arm the lift and interval are about (the one shipped, or the best one); null without evidence. */
  evidenceArm: string | null;
  /** Graded against the truth: the best treatment if its true lift reaches minLift, else the control. */
  trueBest: string;
  /** The best treatment's true lift. */
  trueBestLift: number;
  /** Whether SHIP / KEEP chose trueBest; null without a decision. */
  correct: boolean | null;
}

interface Candidate {
  arm: Arm;
  ctr: Evidence;
  guard: Evidence;
}

/**
 * `unit` names what the test randomised and counts (a simulated test's users; a real log's impressions
 * or sessions). `guarded`: conversions were measured, so a winner must clear the guardrail; a log
 * without conversions cannot, and is decided on clicks alone.
 */
export function decide(
  ab: ReplayResult,
  domains: string[],
  rules: DecisionRules,
  method: Method = rules.method,
  unit = 'users',
  guarded = true,
): DomainDecision[] {
  const control = ab.control;
  const controlArm = ab.arms.find((a) => a.name === control)!;
  const treatments = ab.arms.filter((a) => a.name !== control);
  const familySize = ab.lifts.filter((l) => l.family === 'primary').length;
  // Sizing "not enough data" at the level the correction will demand (Bonferroni's, Holm's first step).
  const alphaEff = rules.correction === 'holm' ? rules.alpha / Math.max(1, familySize) : rules.alpha;
  // The guardrail's one-sided non-inferiority level; α/2 is the lower end of the two-sided interval.
  const guardAlpha = rules.guardrailAlpha ?? rules.alpha / 2;
  const zGuard = normalQuantile(1 - guardAlpha);
  /**
   * The conversions' one-sided bounds at the guardrail's level: at α/2 they are the two-sided
   * interval's ends as the method computed them; the sequence's own ends when sequential (it is
   * always valid at α).
   */
  const guardBounds = (g: Evidence): { low: number; high: number } =>
    method === 'sequential' || guardAlpha === rules.alpha / 2 || !(g.seLog > 0)
      ? { low: g.ciLow, high: g.ciHigh }
      : { low: Math.expm1(Math.log1p(g.lift) - zGuard * g.seLog), high: Math.expm1(Math.log1p(g.lift) + zGuard * g.seLog) };
  const guardPower = (g: Evidence | undefined): number =>
    g?.tested && g.seLog > 0 && rules.guardrailMargin > 0 ? normalCdf(-Math.log1p(-rules.guardrailMargin) / g.seLog - zGuard) : Number.NaN;
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
    // The arm with the fewest effective users, whose heaviest user the reason names.
    const thinnest = cells.reduce((x, y) => (y.effectiveUsers < x.effectiveUsers ? y : x));
    const effective = thinnest.effectiveUsers;
    // Too few effective users for the delta method: decide on the user-level jackknife when the
    // replay made one (fixed-horizon methods, down to jackknifeMinEffectiveUsers), else refuse.
    const jackknifed =
      effective < rules.minEffectiveUsers &&
      method !== 'sequential' &&
      effective >= rules.jackknifeMinEffectiveUsers &&
      treatments.some((a) => Number.isFinite(lift(a, 'ctr').jackknifeSeLog));
    const truth = treatments.map((a) => ({ arm: a.name, trueLift: lift(a, 'ctr').trueLift })).sort((x, y) => y.trueLift - x.trueLift)[0];
    // What the rules should conclude with the truth in hand: ship the best arm if it truly wins by at
    // least minLift (the smallest lift declared worth shipping), else keep the control.
    const trueBest = truth && truth.trueLift >= rules.minLift ? truth.arm : control;
    const base = {
      domain,
      control,
      method,
      users,
      srmPValue: srm.pValue,
      maxUserShare,
      effectiveUsers: effective,
      trueBest,
      trueBestLift: truth ? truth.trueLift : 0,
    };
    const out = (
      decision: Decision,
      arm: string | null,
      e: Evidence | null,
      [reason, brief]: [string, string],
      look: number | null,
      usersNeeded = Number.NaN,
      guard?: Evidence,
      evidenceArm: string | null = decision === 'ship' ? arm : null,
    ): DomainDecision => ({
      ...base,
      decision,
      arm,
      lift: e?.lift ?? Number.NaN,
      ciLow: e?.ciLow ?? Number.NaN,
      ciHigh: e?.ciHigh ?? Number.NaN,
      pAdjusted: e?.pAdjusted ?? Number.NaN,
      look,
      usersNeeded,
      trafficMultiple: usersNeeded / users,
      guardrailPower: guarded ? guardPower(guard) : Number.NaN,
      reason: jackknifed && decision !== 'unreliable' ? `${reason} (user jackknife: ${effective.toFixed(0)} effective ${unit})` : reason,
      brief,
      evidenceArm: e ? evidenceArm : null,
      correct: decision === 'ship' || decision === 'keep' ? arm === trueBest : null,
    });

    if (srm.pValue < 0.001)
      return out(
        'unreliable',
        null,
        null,
        [`${unit} are not split as configured here (SRM p = ${srm.pValue.toExponential(1)})`, 'arms not split as set (SRM)'],
        null,
      );
    if (effective < rules.minEffectiveUsers && !jackknifed)
      return out(
        'unreliable',
        null,
        null,
        [
          `an arm here has ${effective.toFixed(0)} effective ${unit} (fewer than ${rules.minEffectiveUsers}; one user makes ${(100 * thinnest.maxUserShare).toFixed(1)}% of its impressions): user-clustered intervals under-cover`,
          `${effective.toFixed(0)} effective ${unit} (< ${rules.minEffectiveUsers})`,
        ],
        null,
      );

    const judge = (cands: Candidate[], look: number, final: boolean): DomainDecision | null => {
      const winners = cands.filter((p) => p.ctr.tested && p.ctr.pAdjusted < rules.alpha && p.ctr.lift > 0).sort((x, y) => y.ctr.lift - x.ctr.lift);
      const safe = guarded ? winners.filter((p) => p.guard.tested && guardBounds(p.guard).low > -rules.guardrailMargin) : winners;
      if (safe.length) {
        const w = safe[0];
        return out(
          'ship',
          w.arm.name,
          w.ctr,
          [
            `${w.arm.name} ${pct(w.ctr.lift)} CTR [${pct(w.ctr.ciLow)}, ${pct(w.ctr.ciHigh)}], ${guarded ? 'conversions non-inferior' : 'no conversions measured (no guardrail)'}`,
            guarded ? 'conversions non-inferior' : 'no guardrail measured',
          ],
          look,
          Number.NaN,
          w.guard,
        );
      }
      const breached = winners.find((p) => p.guard.tested && guardBounds(p.guard).high < -rules.guardrailMargin);
      if (breached)
        return out(
          'keep',
          control,
          breached.ctr,
          [
            `${breached.arm.name} wins CTR but loses conversions (${pct(breached.guard.lift)}, beyond the −${pct(rules.guardrailMargin).slice(1)} guardrail)`,
            `loses conversions (${pct(breached.guard.lift)})`,
          ],
          look,
          Number.NaN,
          breached.guard,
          breached.arm.name,
        );
      if (cands.length && cands.every((p) => p.ctr.tested && p.ctr.ciHigh < rules.minLift)) {
        const best = [...cands].sort((x, y) => y.ctr.ciHigh - x.ctr.ciHigh)[0];
        return out(
          'keep',
          control,
          best.ctr,
          [`every arm's interval rules out a ${pct(rules.minLift)} lift (best upper end ${pct(best.ctr.ciHigh)})`, `rules out ${pct(rules.minLift)}`],
          look,
          Number.NaN,
          best.guard,
          best.arm.name,
        );
      }
      if (!final) return null;
      // Not decided: the traffic at which the minimum detectable lift would reach minLift, for the
      // arm that needs the most; an arm below the small-cell floor is scaled up to it first.
      const c = cellOf(controlArm);
      // The users at which an estimate of standard error seLog (on cu users) reaches `effect` with the
      // rules' power at level `alpha`; a cell below the small-cell floor is scaled up to it first.
      const toReach = (p: Candidate, e: Evidence, effect: number, alpha: number): number => {
        const t = cellOf(p.arm);
        const cu = t.users + c.users;
        const inflation = method === 'sequential' ? sequentialInflation(alpha) ** 2 : 1;
        if (e.tested && e.seLog > 0) return Math.ceil(usersToDetect(cu, e.seLog, effect, alpha, rules.power) * inflation);
        const scale = Math.max(rules.minUsers / Math.max(1, Math.min(t.users, c.users)), rules.minClicks / Math.max(1, Math.min(t.clicks, c.clicks)));
        return Math.ceil(cu * scale);
      };
      // A CTR winner held back by its guardrail waits for its conversions, not for its CTR: sized for
      // their interval's lower end to clear −guardrailMargin if the arm truly does them no harm (the
      // guardrail is a one-sided test at its own level, outside the primary family's correction).
      const needed = winners.length
        ? Math.max(toReach(winners[0], winners[0].guard, -rules.guardrailMargin, 2 * guardAlpha), users)
        : Math.max(...cands.map((p) => toReach(p, p.ctr, rules.minLift, alphaEff)), users);
      const best = [...cands].sort((x, y) => (y.ctr.lift || -Infinity) - (x.ctr.lift || -Infinity))[0];
      const reason = winners.length
        ? `${winners[0].arm.name} wins CTR, but its conversions are not yet shown within the −${pct(rules.guardrailMargin).slice(1)} guardrail (conversions ${pct(winners[0].guard.lift)} [${pct(winners[0].guard.ciLow)}, ${pct(winners[0].guard.ciHigh)}])`
        : cands.some((p) => !p.ctr.tested)
          ? `fewer than ${rules.minUsers} ${unit} or ${rules.minClicks} clicks in an arm`
          : `the test cannot yet tell a ${pct(rules.minLift)} lift from none`;
      const m = needed / users;
      const multiple = `×${m >= 10 ? m.toFixed(0) : m.toFixed(1)} traffic`;
      const brief = winners.length
        ? `conversions not yet safe; ${multiple}`
        : cands.some((p) => !p.ctr.tested)
          ? `too few users or clicks; ${multiple}`
          : `${multiple} to see ${pct(rules.minLift)}`;
      return out(
        'not enough data',
        null,
        best?.ctr ?? null,
        [`${reason}; needs ~${needed.toLocaleString('en')} ${unit} (×${(needed / users).toFixed(1)} the traffic)`, brief],
        null,
        needed,
        (winners[0] ?? best)?.guard,
        best?.arm.name ?? null,
      );
    };

    const looks = Math.max(1, ab.looks.length);
    if (method !== 'sequential') {
      const cands = treatments.map((a) => ({ arm: a, ctr: evidenceOf(lift(a, 'ctr'), method), guard: evidenceOf(lift(a, 'ctcvr'), method) }));
      return judge(cands, looks, true)!;
    }
    for (let l = 0; l < ab.looks.length; l++) {
      const at = (arm: Arm, metric: 'ctr' | 'ctcvr') => ab.looks[l].cells.find((c) => c.arm === arm.name && c.domain === domain && c.metric === metric)!;
      const cands = treatments.map((a) => ({ arm: a, ctr: fromLook(at(a, 'ctr')), guard: fromLook(at(a, 'ctcvr')) }));
      const d = judge(cands, l + 1, l === ab.looks.length - 1);
      if (d) return d;
    }
    throw new Error('decide: a sequential readout without looks');
  });
}
