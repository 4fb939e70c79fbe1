// The log's arms: each as the policy it ran (from --policy, else its own log's frequencies), as a
// fitted scenario's policy arm, and its A/B test replayed in the fitted world beside the real one.
import type { Db } from '../../store/db.js';
import { loadDataset, logArms, loggedDisplays } from '../../store/logs.js';
import type { PolicyArm } from '../../scenario/schema.js';
import type { SlotPolicy } from '../../ope/logged.js';
import type { PolicySpec } from '../../scenario/policy.js';
import { UserError } from '../../util/errors.js';
import type { World } from '../../world/world.js';
import { readOpenLog, targetPolicy } from '../readout.js';
import { simulateTest, type DomainTruth, type SimulatedArm } from '../simulated-test.js';
import type { Fitted } from './moments.js';
import { round6 } from './scenario.js';

/** The real test beside the same test in the fitted world, per domain and treatment arm. */
export interface AbComparison {
  domain: string;
  arm: string;
  real: { lift: number; ciLow: number; ciHigh: number; decision: string };
  simulated: { lift: number; ciLow: number; ciHigh: number; decision: string };
  /** The treatment's true lift in the fitted world (its policies' true CTRs there). */
  trueLift: number;
  /** Over the simulated test's replicates: the lift's 2.5%, 50%, 97.5% points, each decision's share, and the share of replicates whose lift is below the real one. */
  replicates: number;
  liftRange: [number, number, number];
  decisionShares: Record<string, number>;
  realLiftRank: number;
}

/** Each arm of the log as a policy: its probabilities per domain (from --policy, else its own log's frequencies) and its displays. */
export async function armPolicies(
  db: Db,
  dataset: string,
  f: Fitted,
  policies: { name: string; spec: PolicySpec }[],
): Promise<(SimulatedArm & { spec: PolicySpec })[]> {
  const K = f.positionBias.length;
  const arms: (SimulatedArm & { spec: PolicySpec })[] = [];
  const control = (await loadDataset(db, dataset)).control;
  for (const arm of (await logArms(db, dataset)).sort((a, b) => (a === control ? -1 : b === control ? 1 : 0))) {
    const spec = policies.find((p) => p.spec.arm === arm) ?? {
      name: `${arm} (own log's frequencies)`,
      spec: { kind: 'empirical', arm, estimate: 'frequency' } as PolicySpec,
    };
    const perDomain: SlotPolicy[] = [];
    const displays: number[] = [];
    for (const d of f.domains) {
      const own = await loggedDisplays(db, dataset, d.source, arm);
      const n = d.clickModel.itemIds.length;
      // A logger whose every propensity is 1/n is the uniform policy itself, not its sample's frequencies.
      const uniform = !policies.some((p) => p.spec.arm === arm) && own.propensity.every((x) => Math.abs(x - 1 / n) < 1e-9);
      const p = uniform
        ? { items: n, positions: K, p: new Float64Array(n * K).fill(1 / n) }
        : await targetPolicy(spec.spec, spec.name, d.source, d.clickModel.itemIds, K, async () => own);
      if (!p) throw new UserError(`fit: ${spec.name} gives no probabilities for domain '${d.source}'`);
      perDomain.push(p);
      displays.push(own.item.length);
    }
    arms.push({ name: arm, policies: perDomain, displays, spec: spec.spec });
  }
  return arms;
}

/** An arm's policy as a fitted scenario's abtest.policies entry: uniform if it is, BTS by its prior when given one, else its table. */
export function policyArmOf(a: SimulatedArm & { spec: PolicySpec }, f: Fitted): PolicyArm {
  if (a.policies.every((p) => p.p.every((x) => Math.abs(x - 1 / p.items) < 1e-9))) return { kind: 'uniform' };
  const spec = a.spec;
  if (spec.kind === 'thompson-prior')
    return {
      kind: 'thompson-prior',
      domains: Object.fromEntries(
        f.domains.map((d) => {
          const t = spec.domains[d.source];
          const names = t.items ?? t.alpha.map((_, k) => String(k));
          const at = d.clickModel.itemIds.map((id) => names.indexOf(id));
          return [d.name, { alpha: at.map((k) => t.alpha[k]), beta: at.map((k) => t.beta[k]) }];
        }),
      ),
    };
  return {
    kind: 'table',
    domains: Object.fromEntries(
      f.domains.map((d, k) => {
        const p = a.policies[k];
        return [
          d.name,
          { probabilities: Array.from({ length: p.items }, (_, j) => Array.from({ length: p.positions }, (_, q) => round6(p.p[j * p.positions + q]))) },
        ];
      }),
    ),
  };
}

/** Replay the log's A/B test in the fitted world, with the log's own policies as arms and its traffic per arm and domain. */
export async function abComparison(db: Db, dataset: string, f: Fitted, w: World, arms: SimulatedArm[], seed: number): Promise<AbComparison[]> {
  const real = await readOpenLog(db, { dataset, policies: [] });
  const truth: DomainTruth[] = f.domains.map((d, k) => ({
    name: d.source,
    bias: w.truth.bias[k],
    items: Float64Array.from(w.items.catalogues[k], (i) => w.truth.itemLogit![k][i]),
    positions: Float64Array.from(w.truth.positionLogit![k]),
  }));
  const control = arms.findIndex((a) => a.name === real.ab.control);
  const sim = simulateTest(truth, arms, control, real.rules, seed);
  const out: AbComparison[] = [];
  for (const d of f.domains)
    for (const a of arms) {
      if (a.name === real.ab.control) continue;
      const at = (ab: typeof real.ab) => ab.lifts.find((l) => l.arm === a.name && l.domain === d.source && l.metric === 'ctr' && l.segment === 'all')!;
      const decisionOf = (ds: typeof real.decisions) => {
        const x = ds.find((y) => y.domain === d.source)!;
        return x.decision + (x.arm ? `: ${x.arm}` : '');
      };
      const rl = at(real.ab);
      const sl = at(sim.ab);
      const ctr = (arm: string) => sim.trueCtr.find((x) => x.arm === arm && x.domain === d.source)!.ctr;
      const spread = sim.spread.find((x) => x.arm === a.name && x.domain === d.source)!;
      out.push({
        domain: d.source,
        arm: a.name,
        real: { lift: rl.lift, ciLow: rl.ciLow, ciHigh: rl.ciHigh, decision: decisionOf(real.decisions) },
        simulated: { lift: sl.lift, ciLow: sl.ciLow, ciHigh: sl.ciHigh, decision: decisionOf(sim.decisions) },
        trueLift: ctr(a.name) / ctr(real.ab.control) - 1,
        replicates: spread.replicates,
        liftRange: spread.lift,
        decisionShares: spread.decisions,
        realLiftRank: spread.lifts.filter((x) => x < rl.lift).length / Math.max(1, spread.lifts.length),
      });
    }
  return out;
}
