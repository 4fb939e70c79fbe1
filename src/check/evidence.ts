// Over a check's seeds, each domain's A/B decisions beside the offline evidence for the same arms:
// the treatment strategy's test AUC minus the control's on that domain, seed by seed, with a
// Student-t interval over seeds. Seeds are independent worlds drawn from the same scenario, so this
// says whether the A/B verdict holds across worlds and whether offline training agrees with it —
// and, where the A/B test cannot decide, whether the offline evidence points one way (a reason to
// plan a larger test, never a licence to ship: offline AUC gains do not always become online wins).
import type { Db } from '../store/db.js';
import { offlineValue, runDecisions } from '../store/run-data.js';
import type { Scenario } from '../scenario/schema.js';
import { judge } from './judge.js';
import type { SeedRun } from './runs.js';

export interface ArmEvidence {
  arm: string;
  /** Per seed: treatment AUC − control AUC on the domain (test period). */
  deltas: number[];
  mean: number;
  ciLow: number;
  ciHigh: number;
  /** In how many seeds the A/B test shipped this arm. */
  ships: number;
}

export interface DomainEvidence {
  domain: string;
  seeds: number;
  /** Per seed, in seed order: the A/B decision ('ship arm', 'keep', 'not enough data', 'unreliable'). */
  decisions: string[];
  keeps: number;
  arms: ArmEvidence[];
  /** The two read together, in one line. */
  verdict: string;
}

const auc = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;

/** The A/B decisions and offline evidence of every domain over a scenario's seed runs (none without an abtest block). */
export async function domainEvidence(db: Db, s: Scenario, runs: SeedRun[], confidence = 0.95): Promise<DomainEvidence[]> {
  if (!s.abtest) return [];
  const control = s.abtest.control;
  const treatments = s.abtest.arms.filter((a) => a !== control);
  const perRun = await Promise.all(runs.map((r) => runDecisions(db, r.runId)));
  const out: DomainEvidence[] = [];
  for (const { name: domain } of s.domains) {
    const decisions = perRun.map((ds) => {
      const d = ds.find((x) => x.domain === domain);
      return d ? (d.decision === 'ship' ? `ship ${d.arm}` : String(d.decision)) : 'none';
    });
    const arms: ArmEvidence[] = [];
    for (const arm of treatments) {
      const deltas: number[] = [];
      for (const r of runs) {
        const cell = { target: 'click' as const, scope: 'domain' as const, key: domain };
        const t = await offlineValue(db, r.runId, 'auc', { ...cell, strategy: arm });
        const c = await offlineValue(db, r.runId, 'auc', { ...cell, strategy: control });
        deltas.push(t === null || c === null ? Number.NaN : t - c);
      }
      const j = judge(deltas, { atLeast: 0, over: 'mean', confidence });
      arms.push({ arm, deltas, mean: j.mean, ciLow: j.ciLow, ciHigh: j.ciHigh, ships: decisions.filter((d) => d === `ship ${arm}`).length });
    }
    const n = runs.length;
    const keeps = decisions.filter((d) => d === 'keep').length;
    out.push({ domain, seeds: n, decisions, keeps, arms, verdict: readEvidence(arms, keeps, n, confidence) });
  }
  return out;
}

/** The combined reading of one domain: what the A/B test decided across seeds, and whether offline agrees. */
export function readEvidence(arms: ArmEvidence[], keeps: number, n: number, confidence = 0.95): string {
  const level = `${Math.round(confidence * 100)}% CI`;
  const offline = (a: ArmEvidence) =>
    Number.isFinite(a.ciLow)
      ? `offline ΔAUC ${auc(a.mean)} [${auc(a.ciLow)}, ${auc(a.ciHigh)}]`
      : `offline ΔAUC ${auc(a.mean)} (no interval from ${n} seed${n > 1 ? 's' : ''})`;
  const favours = (a: ArmEvidence) => a.ciLow > 0;
  const against = (a: ArmEvidence) => a.ciHigh < 0;
  const shipped = [...arms].sort((x, y) => y.ships - x.ships)[0];
  if (shipped && shipped.ships > n / 2)
    return against(shipped)
      ? `A/B ships ${shipped.arm} in ${shipped.ships} of ${n} seeds, but its ${offline(shipped)} says it ranks worse: look closer before shipping`
      : `SHIP ${shipped.arm}: A/B in ${shipped.ships} of ${n} seeds; ${offline(shipped)}${favours(shipped) ? ' agrees' : ''}`;
  if (keeps > n / 2) {
    const better = arms.find(favours);
    return `KEEP control: A/B in ${keeps} of ${n} seeds${better ? `; though ${better.arm}'s ${offline(better)} favours it (an offline gain that did not become an online one)` : ''}`;
  }
  const lead = [...arms].sort((x, y) => (y.mean || -Infinity) - (x.mean || -Infinity))[0];
  if (lead && favours(lead))
    return `A/B undecided (${n - keeps - arms.reduce((k, a) => k + a.ships, 0)} of ${n} seeds without a decision); ${lead.arm}'s ${offline(lead)} excludes 0 at ${level}: a reason to plan a larger test, not to ship`;
  return `A/B undecided; offline shows no reliable difference either (${lead ? offline(lead) : 'no treatment'})`;
}
