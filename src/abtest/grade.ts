// How often a decision procedure is right: the same world and the same trained models, the users
// re-randomised K times (salts 1..K; the slates are ranked once), each readout decided and graded
// against the truth. The procedures graded side by side:
//   plain, cuped, sequential  the rules of decide.ts with each method's evidence (sequential stops
//                             at the first decisive look)
//   naive                     what a reader of a plain readout does: ship the largest lift significant
//                             at α without correction, else keep the control
//   peeking                   the naive reader looking at every look and shipping at the first
//                             significant one
// Beside right / false ship / missed win, each rule's true return: the true lift it shipped, losses
// included, against the oracle's (the best arm's true lift when it wins). Where every arm truly wins,
// shipping whatever is significant looks right most often; where true lifts are small and some
// negative, the return is what tells a careful rule from a reckless one.
// No platform that sees only real traffic can report these numbers; they are why one simulates first.
import { GRADED_METHODS } from '../scenario/metrics.js';
import type { DecisionRules } from '../scenario/schema.js';
import { decide, type DomainDecision } from './decide.js';
import { evidenceOf } from './evidence.js';
import type { ReplayResult } from './readout.js';

const METHODS = GRADED_METHODS;
export type GradedMethod = (typeof METHODS)[number];

export interface DomainGrade {
  domain: string;
  method: GradedMethod;
  assignments: number;
  /** Shares of the assignments that ended in each decision. */
  ship: number;
  keep: number;
  notEnoughData: number;
  unreliable: number;
  /** Shipped the true best arm, or kept the control when no arm truly beats it by minLift. */
  correct: number;
  /** Shipped an arm whose true lift is ≤ 0. */
  falseShip: number;
  /** An arm truly beats the control by at least minLift, and it was not shipped. */
  missedWin: number;
  /**
   * The true return: the mean over assignments of the true lift of what was shipped (a keep, or no
   * decision, returns 0; a ship that truly loses returns its loss). A rule that ships small true
   * losses as often as small wins gains nothing, however often it is "significant".
   */
  trueReturn: number;
  /** The oracle's return: the largest true lift of any arm, or 0 when none beats the control. */
  oracleReturn: number;
  /** trueReturn as a share of oracleReturn; NaN when no arm truly beats the control. */
  returnShare: number;
  /** Mean of (estimated − true) lift of the arm shipped, over the ships: what a ship overstates. */
  overstatement: number;
  /** Share of the primary family's intervals (tested cells) that hold the true lift: the method's interval, or its confidence sequence. */
  coverage: number;
  /** A/A arms only (the control's strategy in a second arm; NaN without one): the share of their tests significant at α before any correction. */
  aaFalsePositive: number;
  /** Mean width of the primary tests' intervals on the log scale, ln((1 + high) / (1 + low)). */
  intervalWidth: number;
  /** CUPED: the mean share of the plain estimate's variance removed; NaN for the other methods. */
  varianceReduction: number;
  /** Mean look (1-based) at which decided assignments became final. */
  meanLook: number;
}

interface Chosen {
  domain: string;
  decision: DomainDecision['decision'];
  arm: string | null;
  lift: number;
  look: number | null;
}

/** The naive reading of a readout: the largest lift with p < α (uncorrected) ships, else keep. */
export function naiveDecisions(ab: ReplayResult, domains: string[], alpha: number): Chosen[] {
  return domains.map((domain) => {
    const cands = ab.lifts
      .filter((l) => l.metric === 'ctr' && l.segment === 'all' && l.domain === domain && l.pValue < alpha && l.lift > 0)
      .sort((a, b) => b.lift - a.lift);
    const w = cands[0];
    return { domain, decision: w ? 'ship' : 'keep', arm: w ? w.arm : ab.control, lift: w ? w.lift : Number.NaN, look: Math.max(1, ab.looks.length) };
  });
}

/** The naive reader who peeks: at each look, the largest uncorrected significant lift ships and the test stops. */
export function peekingDecisions(ab: ReplayResult, domains: string[], alpha: number): Chosen[] {
  return domains.map((domain) => {
    for (let l = 0; l < ab.looks.length; l++) {
      const w = ab.looks[l].cells.filter((c) => c.domain === domain && c.metric === 'ctr' && c.pValue < alpha && c.lift > 0).sort((a, b) => b.lift - a.lift)[0];
      if (w) return { domain, decision: 'ship', arm: w.arm, lift: w.lift, look: l + 1 };
    }
    return { domain, decision: 'keep', arm: ab.control, lift: Number.NaN, look: Math.max(1, ab.looks.length) };
  });
}

interface Tally {
  ship: number;
  keep: number;
  notEnoughData: number;
  unreliable: number;
  correct: number;
  falseShip: number;
  missedWin: number;
  over: number;
  returned: number;
  ships: number;
  covered: number;
  intervals: number;
  width: number;
  aaTests: number;
  aaSignificant: number;
  reduction: number;
  reductions: number;
  look: number;
  decided: number;
}

const empty = (): Tally => ({
  ship: 0,
  keep: 0,
  notEnoughData: 0,
  unreliable: 0,
  correct: 0,
  falseShip: 0,
  missedWin: 0,
  over: 0,
  returned: 0,
  ships: 0,
  covered: 0,
  intervals: 0,
  width: 0,
  aaTests: 0,
  aaSignificant: 0,
  reduction: 0,
  reductions: 0,
  look: 0,
  decided: 0,
});

/** Grade every method over salts 1..K of `readout` (a re-randomised replay of one trained world). */
export function gradeDecisions(readout: (salt: number) => ReplayResult, domains: string[], rules: DecisionRules, k: number): DomainGrade[] {
  const tallies = new Map<string, Tally>();
  const at = (domain: string, method: GradedMethod) => {
    const key = `${method}|${domain}`;
    let t = tallies.get(key);
    if (!t) tallies.set(key, (t = empty()));
    return t;
  };
  // The true lifts do not depend on the assignment: the oracle is the same for every salt.
  const oracle = new Map<string, number>();
  for (let salt = 1; salt <= k; salt++) {
    const ab = readout(salt);
    const primary = (arm: string, domain: string) => ab.lifts.find((l) => l.arm === arm && l.metric === 'ctr' && l.domain === domain && l.segment === 'all');
    const trueLift = (arm: string, domain: string) => primary(arm, domain)?.trueLift ?? 0;
    const controlStrategy = ab.arms.find((a) => a.name === ab.control)!.strategy;
    const aaArms = new Set(ab.arms.filter((a) => a.name !== ab.control && a.strategy === controlStrategy).map((a) => a.name));
    const byRules = new Map((['plain', 'cuped', 'sequential'] as const).map((m) => [m, decide(ab, domains, rules, m)]));
    const trueBest = new Map(byRules.get('plain')!.map((d) => [d.domain, d.trueBest]));
    for (const domain of domains)
      oracle.set(
        domain,
        Math.max(
          0,
          ...ab.arms
            .filter((a) => a.name !== ab.control)
            .map((a) => trueLift(a.name, domain))
            .filter(Number.isFinite),
        ),
      );
    const chosen: [GradedMethod, Chosen[]][] = [
      ...[...byRules].map(([m, ds]) => [m, ds] as [GradedMethod, Chosen[]]),
      ['naive', naiveDecisions(ab, domains, rules.alpha)],
      ['peeking', peekingDecisions(ab, domains, rules.alpha)],
    ];
    for (const [method, ds] of chosen) {
      for (const d of ds) {
        const t = at(d.domain, method);
        if (d.decision === 'ship') t.ship++;
        else if (d.decision === 'keep') t.keep++;
        else if (d.decision === 'not enough data') t.notEnoughData++;
        else t.unreliable++;
        const best = trueBest.get(d.domain)!;
        const shipped = d.decision === 'ship' ? d.arm! : null;
        if ((d.decision === 'ship' || d.decision === 'keep') && d.arm === best) t.correct++;
        if (shipped && trueLift(shipped, d.domain) <= 0) t.falseShip++;
        if (best !== ab.control && shipped !== best) t.missedWin++;
        if (shipped) {
          t.ships++;
          t.over += d.lift - trueLift(shipped, d.domain);
          t.returned += trueLift(shipped, d.domain);
        }
        if (d.look !== null && (d.decision === 'ship' || d.decision === 'keep')) {
          t.decided++;
          t.look += d.look;
        }
      }
    }
    for (const l of ab.lifts) {
      if (l.family !== 'primary' || !l.tested) continue;
      for (const method of METHODS) {
        const t = at(l.domain, method);
        // The naive readers read the plain interval.
        const e = evidenceOf(l, method === 'naive' || method === 'peeking' ? 'plain' : method);
        if (Number.isFinite(e.ciLow) && Number.isFinite(l.trueLift)) {
          t.intervals++;
          if (e.ciLow <= l.trueLift && l.trueLift <= e.ciHigh) t.covered++;
          t.width += Math.log((1 + e.ciHigh) / (1 + e.ciLow));
        }
        if (method === 'cuped' && Number.isFinite(l.varianceReduction)) {
          t.reductions++;
          t.reduction += l.varianceReduction;
        }
        if (aaArms.has(l.arm)) {
          const significant =
            method === 'peeking'
              ? ab.looks.some((look) => look.cells.some((c) => c.arm === l.arm && c.domain === l.domain && c.metric === 'ctr' && c.pValue < rules.alpha))
              : e.pValue < rules.alpha;
          t.aaTests++;
          if (significant) t.aaSignificant++;
        }
      }
    }
  }
  const ratio = (a: number, b: number) => (b ? a / b : Number.NaN);
  const out: DomainGrade[] = [];
  for (const method of METHODS) {
    for (const domain of domains) {
      const t = at(domain, method);
      out.push({
        domain,
        method,
        assignments: k,
        ship: t.ship / k,
        keep: t.keep / k,
        notEnoughData: t.notEnoughData / k,
        unreliable: t.unreliable / k,
        correct: t.correct / k,
        falseShip: t.falseShip / k,
        missedWin: t.missedWin / k,
        trueReturn: t.returned / k,
        oracleReturn: oracle.get(domain) ?? Number.NaN,
        returnShare: (oracle.get(domain) ?? 0) > 0 ? t.returned / k / oracle.get(domain)! : Number.NaN,
        overstatement: ratio(t.over, t.ships),
        coverage: ratio(t.covered, t.intervals),
        aaFalsePositive: ratio(t.aaSignificant, t.aaTests),
        intervalWidth: ratio(t.width, t.intervals),
        varianceReduction: method === 'cuped' ? ratio(t.reduction, t.reductions) : Number.NaN,
        meanLook: ratio(t.look, t.decided),
      });
    }
  }
  return out;
}
