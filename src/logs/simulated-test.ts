// The real log's A/B test run again in a fitted world: the same two policies as arms, each given by
// its action probabilities per domain, item and position (the uniform logger; BTS by a policy file
// or its own log's frequencies), on as many displays per arm and domain as the log had, with clicks
// drawn from the world's truth — read by the same readout and decision engine as the real test.
// A slate is drawn position by position, each item ∝ π(item, position) among those not yet shown;
// that keeps the first position's marginals exactly and the later ones approximately (the real
// policies' slates are not given). The world's truth gives each policy's true CTR, so the
// simulated test also says what the real one could not: the lift it was looking for. It simulates
// no conversions, so its decisions have no guardrail (as a log without conversions has none).
import { decide, type DomainDecision } from '../abtest/decide.js';
import { observedReadout, type Observations } from '../abtest/observed.js';
import type { ReplayResult } from '../abtest/readout.js';
import type { SlotPolicy } from '../ope/logged.js';
import type { DecisionRules } from '../scenario/schema.js';
import { stream } from '../world/rng.js';

/** A fitted domain's click model as the world holds it: p = σ(bias + item + position). */
export interface DomainTruth {
  name: string;
  bias: number;
  items: Float64Array;
  positions: Float64Array;
}

export interface SimulatedArm {
  name: string;
  /** Per domain (in DomainTruth order). */
  policies: SlotPolicy[];
  /** Displays per domain, as many as the real log's arm had. */
  displays: number[];
}

export interface SimulatedTest {
  /** The first replicate, read and decided as the real test is. */
  ab: ReplayResult;
  decisions: DomainDecision[];
  /** Per arm and domain: the policy's true CTR in the fitted world. */
  trueCtr: { arm: string; domain: string; ctr: number }[];
  /** Over every replicate, per treatment arm and domain: the lift's 2.5%, 50% and 97.5% points and how often each decision came out. */
  spread: { arm: string; domain: string; replicates: number; lift: [number, number, number]; lifts: number[]; decisions: Record<string, number> }[];
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function drawSlate(p: SlotPolicy, rng: ReturnType<typeof stream>, out: Int32Array, shown: Uint8Array): void {
  shown.fill(0);
  for (let k = 0; k < p.positions; k++) {
    let total = 0;
    for (let a = 0; a < p.items; a++) if (!shown[a]) total += p.p[a * p.positions + k];
    let u = rng.next() * total;
    let pick = -1;
    for (let a = 0; a < p.items; a++) {
      if (shown[a]) continue;
      pick = a;
      u -= p.p[a * p.positions + k];
      if (u < 0) break;
    }
    // A position whose remaining mass is 0 takes the first item not yet shown.
    if (total <= 0) for (pick = 0; shown[pick]; pick++);
    out[k] = pick;
    shown[pick] = 1;
  }
}

/** One arm's true CTR on one domain: the mean click probability over 20 times the test's slates (Monte Carlo error ~1/20 of the test's). */
function trueCtrOf(t: DomainTruth, policy: SlotPolicy, displays: number, rng: ReturnType<typeof stream>): number {
  const K = t.positions.length;
  const slate = new Int32Array(K);
  const shown = new Uint8Array(policy.items);
  let expected = 0;
  let n = 0;
  for (let r = 0; r < 20 * Math.ceil(displays / K); r++) {
    drawSlate(policy, rng, slate, shown);
    for (let k = 0; k < K; k++, n++) expected += sigmoid(t.bias + t.items[slate[k]] + t.positions[k]);
  }
  return n ? expected / n : Number.NaN;
}

/** One run of the test: the log's displays per arm and domain, slates from the policies, clicks from the truth. */
function once(
  truth: DomainTruth[],
  arms: SimulatedArm[],
  control: number,
  rules: DecisionRules,
  rng: ReturnType<typeof stream>,
): { ab: ReplayResult; decisions: DomainDecision[] } {
  const K = truth[0].positions.length;
  const slate = new Int32Array(K);
  const rows: { arm: number; domain: number; click: number }[] = [];
  arms.forEach((arm, a) =>
    truth.forEach((t, d) => {
      const policy = arm.policies[d];
      const shown = new Uint8Array(policy.items);
      for (let i = 0; i < arm.displays[d]; i += K) {
        drawSlate(policy, rng, slate, shown);
        for (let k = 0; k < K && i + k < arm.displays[d]; k++)
          rows.push({ arm: a, domain: d, click: rng.next() < sigmoid(t.bias + t.items[slate[k]] + t.positions[k]) ? 1 : 0 });
      }
    }),
  );
  // Every display is its own unit, as in the real readout; the arms ran side by side, so their rows interleave in time.
  const time = Float64Array.from(rows, () => rng.next());
  const order = Array.from(rows, (_, i) => i).sort((x, y) => time[x] - time[y]);
  const N = rows.length;
  const o: Observations = {
    arms: arms.map((x) => x.name),
    domains: truth.map((t) => t.name),
    arm: Int32Array.from(order, (i) => rows[i].arm),
    domain: Int32Array.from(order, (i) => rows[i].domain),
    unit: Int32Array.from(order, (_, j) => j),
    units: N,
    time: Float64Array.from(order, (i) => time[i]),
    rows: new Float64Array(N).fill(1),
    clicks: Float64Array.from(order, (i) => rows[i].click),
    conversions: new Float64Array(N),
  };
  const ab = observedReadout(o, { control, split: null, rules: { ...rules, looks: 1 }, lookEnds: [1] });
  return { ab, decisions: decide(ab, o.domains, rules, rules.method, 'displays', false) };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];

export function simulateTest(truth: DomainTruth[], arms: SimulatedArm[], control: number, rules: DecisionRules, seed: number, replicates = 100): SimulatedTest {
  const rng = stream(seed, 'simulated-test');
  const trueCtr = arms.flatMap((arm) => truth.map((t, d) => ({ arm: arm.name, domain: t.name, ctr: trueCtrOf(t, arm.policies[d], arm.displays[d], rng) })));
  const ctr = (arm: string, domain: string) => trueCtr.find((x) => x.arm === arm && x.domain === domain)!.ctr;
  const runs = Array.from({ length: replicates }, () => once(truth, arms, control, rules, rng));
  const treatments = arms.filter((_, a) => a !== control);
  const spread = treatments.flatMap((arm) =>
    truth.map((t) => {
      const lifts = runs
        .map((r) => r.ab.lifts.find((l) => l.arm === arm.name && l.domain === t.name && l.metric === 'ctr' && l.segment === 'all')!.lift)
        .filter(Number.isFinite);
      lifts.sort((x, y) => x - y);
      const decisions: Record<string, number> = {};
      for (const r of runs) {
        const d = r.decisions.find((x) => x.domain === t.name)!;
        const key = d.decision + (d.arm ? `: ${d.arm}` : '');
        decisions[key] = (decisions[key] ?? 0) + 1 / replicates;
      }
      return {
        arm: arm.name,
        domain: t.name,
        replicates,
        lift: [quantile(lifts, 0.025), quantile(lifts, 0.5), quantile(lifts, 0.975)] as [number, number, number],
        lifts,
        decisions,
      };
    }),
  );
  // Graded as a simulated test is: the truth here is the fitted world's.
  const decisions = runs[0].decisions.map((d) => {
    const best = treatments
      .map((x) => ({ arm: x.name, lift: ctr(x.name, d.domain) / ctr(arms[control].name, d.domain) - 1 }))
      .sort((x, y) => y.lift - x.lift)[0];
    const trueBest = best && best.lift >= rules.minLift ? best.arm : arms[control].name;
    return { ...d, trueBest, trueBestLift: best?.lift ?? Number.NaN, correct: d.decision === 'ship' || d.decision === 'keep' ? d.arm === trueBest : null };
  });
  return { ab: runs[0].ab, decisions, trueCtr, spread };
}
