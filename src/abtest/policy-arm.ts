// A policy as an A/B arm beside the strategies: every replay request's candidates get scores whose
// order is the policy's slate, drawn afresh per request (the replay shows each request's top k):
//   uniform         i.i.d. uniform scores: a uniformly random slate, the random logger
//   thompson-prior  θ ~ Beta(α, β) per candidate item: Bernoulli Thompson sampling ranking by its draws
//   table           log π(item, position 1) + Gumbel noise: a Plackett–Luce slate whose first position
//                   has the table's probabilities (later positions follow from them, not the table)
//   explore         logit(p̂) / temperature + Gumbel noise, p̂ a trained strategy's click prediction:
//                   a Plackett–Luce slate with first-position probabilities ∝ exp(logit(p̂) / temperature)
// Scores come from a stream of the salt-free seed, so every assignment of a graded test sees the
// same slates, as it does for a trained strategy's.
import type { PolicyArm } from '../scenario/schema.js';
import { gammaDraw, stream } from '../world/rng.js';
import { heldReplay, type World } from '../world/world.js';
import { exploreScore, rankSlates } from '../data/slates.js';

/** The arm's candidate scores; `base`: for 'explore', the strategy's own candidate predictions. */
export function policyScores(w: World, name: string, policy: PolicyArm, base?: Float32Array): Float32Array {
  const { rq } = heldReplay(w, 'a policy arm (abtest.policies)');
  const scores = new Float32Array(rq.candItems.length);
  const rng = stream(w.seed, `policy-arm:${name}`);
  if (policy.kind === 'explore') {
    if (!base) throw new Error(`policy '${name}': no candidate predictions of '${policy.strategy}'`);
    for (let k = 0; k < scores.length; k++) scores[k] = exploreScore(base[k], policy.temperature, rng.next());
    return scores;
  }
  // Each domain's catalogue position of every item.
  const at = w.scenario.domains.map((_, d) => {
    const m = new Map<number, number>();
    w.items.catalogues[d].forEach((item, j) => m.set(item, j));
    return m;
  });
  for (let r = 0; r < rq.n; r++) {
    const d = rq.domain[r];
    const dom = w.scenario.domains[d].name;
    for (let k = rq.candStart[r]; k < rq.candStart[r + 1]; k++) {
      const j = at[d].get(rq.candItems[k]) ?? -1;
      if (policy.kind === 'uniform') scores[k] = rng.next();
      else if (j < 0)
        scores[k] = -Infinity; // not in the domain's catalogue: a policy of the catalogue never shows it
      else if (policy.kind === 'thompson-prior') {
        const p = policy.domains[dom];
        const x = gammaDraw(p.alpha[j], rng);
        scores[k] = x / (x + gammaDraw(p.beta[j], rng));
      } else {
        const p = policy.domains[dom].probabilities[j]?.[0] ?? 0;
        scores[k] = (p > 0 ? Math.log(p) : -1e30) - Math.log(-Math.log(1 - rng.next()));
      }
    }
  }
  return scores;
}

/**
 * An arm's slates on the replay requests as a policy: per domain, the share of requests showing
 * each catalogue item at each position (catalogue order) — a context-free summary of a strategy
 * that an off-policy estimate on real logs can take as its target.
 */
export function slateMarginals(w: World, scores: Float32Array): { domain: string; items: number; positions: number; p: Float64Array }[] {
  const { rq } = heldReplay(w, 'a policy arm (abtest.policies)');
  const slates = w.scenario.domains.map((d) => d.slate);
  const out = w.scenario.domains.map((d, k) => ({
    domain: d.name,
    items: w.items.catalogues[k].length,
    positions: d.slate,
    p: new Float64Array(w.items.catalogues[k].length * d.slate),
  }));
  const at = w.scenario.domains.map((_, d) => new Map(Array.from(w.items.catalogues[d], (item, j) => [item, j])));
  const sl = rankSlates(rq, slates, scores);
  const requests = new Float64Array(slates.length);
  for (let r = 0; r < rq.n; r++) {
    const d = rq.domain[r];
    requests[d]++;
    for (let k = 0; k < sl.start[r + 1] - sl.start[r]; k++) {
      const j = at[d].get(rq.candItems[sl.cand[sl.start[r] + k]]);
      if (j !== undefined) out[d].p[j * slates[d] + k]++;
    }
  }
  for (const [d, o] of out.entries()) for (let j = 0; j < o.p.length; j++) o.p[j] /= Math.max(1, requests[d]);
  return out;
}
