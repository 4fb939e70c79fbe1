// How often the decision procedure is right: the same world and the same trained models, the users
// re-randomised K times (salts 1..K; the slates are ranked once), each readout decided and graded
// against the truth. Two procedures are graded side by side:
//   decisions  the rules of decide.ts (correction, power, guardrail, small cells, reliability)
//   naive      what a reader of a plain readout does: ship the largest lift significant at α without
//              correction, else keep the control
// No platform that sees only real traffic can report these numbers; they are why one simulates first.
import type { DecisionRules } from '../scenario/schema.js';
import { decide, type DomainDecision } from './decide.js';
import type { ReplayResult } from './replay.js';

export type Method = 'decisions' | 'naive';

export interface DomainGrade {
  domain: string;
  method: Method;
  assignments: number;
  /** Shares of the assignments that ended in each decision. */
  ship: number;
  keep: number;
  notEnoughData: number;
  unreliable: number;
  /** Shipped the true best arm, or kept the control when no arm truly beats it. */
  correct: number;
  /** Shipped an arm whose true lift is ≤ 0. */
  falseShip: number;
  /** An arm truly beats the control, and it was not shipped. */
  missedWin: number;
  /** Mean of (estimated − true) lift of the arm shipped, over the ships: what a ship overstates. */
  overstatement: number;
  /** Share of the primary family's intervals (tested cells) that hold the true lift. */
  coverage: number;
}

/** The naive reading of a readout: the largest lift with p < α (uncorrected) ships, else keep. */
export function naiveDecisions(ab: ReplayResult, domains: string[], alpha: number): { domain: string; arm: string | null; lift: number; trueLift: number }[] {
  return domains.map((domain) => {
    const cands = ab.lifts
      .filter((l) => l.metric === 'ctr' && l.segment === 'all' && l.domain === domain && l.pValue < alpha && l.lift > 0)
      .sort((a, b) => b.lift - a.lift);
    const w = cands[0];
    return { domain, arm: w ? w.arm : null, lift: w ? w.lift : 0, trueLift: w ? w.trueLift : 0 };
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
  ships: number;
}

const empty = (): Tally => ({ ship: 0, keep: 0, notEnoughData: 0, unreliable: 0, correct: 0, falseShip: 0, missedWin: 0, over: 0, ships: 0 });

/** Grade both procedures over salts 1..K of `readout` (a re-randomised replay of one trained world). */
export function gradeDecisions(readout: (salt: number) => ReplayResult, domains: string[], rules: DecisionRules, k: number): DomainGrade[] {
  const tallies = new Map<string, Tally>();
  const cover = new Map<string, { n: number; hit: number }>();
  const at = (domain: string, method: Method) => {
    const key = `${method}|${domain}`;
    let t = tallies.get(key);
    if (!t) tallies.set(key, (t = empty()));
    return t;
  };
  for (let salt = 1; salt <= k; salt++) {
    const ab = readout(salt);
    const trueLift = (arm: string, domain: string) =>
      ab.lifts.find((l) => l.arm === arm && l.metric === 'ctr' && l.domain === domain && l.segment === 'all')?.trueLift ?? 0;
    const decided: DomainDecision[] = decide(ab, domains, rules);
    for (const d of decided) {
      const t = at(d.domain, 'decisions');
      if (d.decision === 'ship') t.ship++;
      else if (d.decision === 'keep') t.keep++;
      else if (d.decision === 'not enough data') t.notEnoughData++;
      else t.unreliable++;
      if (d.correct) t.correct++;
      const shipped = d.decision === 'ship' ? d.arm! : null;
      if (shipped && trueLift(shipped, d.domain) <= 0) t.falseShip++;
      if (d.trueBest !== ab.control && shipped !== d.trueBest) t.missedWin++;
      if (shipped) {
        t.ships++;
        t.over += d.lift - trueLift(shipped, d.domain);
      }
    }
    for (const n of naiveDecisions(ab, domains, rules.alpha)) {
      const t = at(n.domain, 'naive');
      const best = decided.find((d) => d.domain === n.domain)!.trueBest;
      if (n.arm) {
        t.ship++;
        t.ships++;
        t.over += n.lift - n.trueLift;
        if (n.trueLift <= 0) t.falseShip++;
      } else t.keep++;
      if ((n.arm ?? ab.control) === best) t.correct++;
      if (best !== ab.control && n.arm !== best) t.missedWin++;
    }
    for (const l of ab.lifts) {
      if (l.family !== 'primary' || !l.tested || l.covered === null) continue;
      const c = cover.get(l.domain) ?? { n: 0, hit: 0 };
      c.n++;
      if (l.covered) c.hit++;
      cover.set(l.domain, c);
    }
  }
  const out: DomainGrade[] = [];
  for (const method of ['decisions', 'naive'] as const) {
    for (const domain of domains) {
      const t = at(domain, method);
      const c = cover.get(domain);
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
        overstatement: t.ships ? t.over / t.ships : Number.NaN,
        coverage: c?.n ? c.hit / c.n : Number.NaN,
      });
    }
  }
  return out;
}
