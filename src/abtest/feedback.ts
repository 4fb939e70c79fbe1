// Feedback loops (scenario.feedback): each participant is deployed to the whole replay period in
// rounds of serve → log → retrain on its own log. The replay's requests are cut into `rounds` equal
// slices in time order; a learner ranks each request by what its own log says so far, the clicks
// are drawn from the truth, and at the end of the round what it served and what was clicked joins
// its log. A learner only learns about what it showed (exposure bias), so what it shows more, it
// knows more about, and a learner that ranks by what was clicked shows it again (popularity
// amplification). Per round and domain: the catalogue's coverage, the concentration (Gini) of
// exposure over the catalogue and the true CTR of what was served.
//   popular   ranks by its log's clicks per item (ties at random): the most-clicked list
//   thompson  ranks by θ ~ Beta(1 + clicks, 1 + impressions − clicks) per item: Thompson sampling
// Both start from the logged training period's impressions of the domain (warmStart), or from an
// empty log (ties broken at random: the first round is a random slate). A/B arms join the loop
// too, as they are: a trained strategy is not retrained here (its exposure is the same every
// round), so they are the static baselines the learners drift away from. Outcomes come from the
// static truth (scenario.dynamics does not apply here) and the position curve.
import type { Scenario } from '../scenario/schema.js';
import { gammaDraw, stream } from '../world/rng.js';
import type { World } from '../world/world.js';
import { sliceRequests } from '../world/traffic.js';
import { rankSlates } from '../data/slates.js';

export type Feedback = NonNullable<Scenario['feedback']>;

export interface FeedbackRound {
  participant: string;
  /** 'learner' (retrains on its own log every round) or 'static' (an A/B arm as it is). */
  kind: 'learner' | 'static';
  round: number;
  domain: string;
  impressions: number;
  /** Share of the domain's catalogue shown at least once in the round. */
  coverage: number;
  /** Gini coefficient of the round's impressions over the domain's catalogue (0 even, → 1 all on one item). */
  gini: number;
  /** Share of the round's impressions that went to the domain's most-shown 1% of items (at least one item). */
  topShare: number;
  /** The true CTR of what was served (expected clicks per impression). */
  trueCtr: number;
  /** Clicks drawn. */
  clicks: number;
}

/** Gini coefficient of non-negative counts: 2 Σ i·x₍ᵢ₎ / (n Σ x) − (n + 1) / n over the ascending order. */
export function gini(counts: ArrayLike<number>): number {
  const x = Float64Array.from(counts).sort();
  const n = x.length;
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    total += x[i];
    weighted += (i + 1) * x[i];
  }
  return total > 0 ? (2 * weighted) / (n * total) - (n + 1) / n : 0;
}

/**
 * Every participant's rounds: the feedback block's learners, and the given static arms (name →
 * candidate scores of the replay). `click` is each replay candidate's true click probability.
 */
export function feedbackLoops(w: World, fb: Feedback, click: Float32Array, statics: Map<string, Float32Array>, bias: (pos: number) => number): FeedbackRound[] {
  const out: FeedbackRound[] = [];
  for (const [name, scores] of statics) out.push(...loop(w, fb.rounds, name, 'static', click, bias, (c0, c1) => scores.subarray(c0, c1)));
  for (const [name, learner] of Object.entries(fb.learners)) {
    const D = w.layout.domains.length;
    // Per domain, per item: impressions and clicks in the learner's log, from the logged training period.
    const imps = Array.from({ length: D }, () => new Float64Array(w.items.count));
    const clicks = Array.from({ length: D }, () => new Float64Array(w.items.count));
    const lg = w.logged;
    for (let i = 0; i < (learner.warmStart ? lg.n : 0); i++) {
      if (lg.period[i] !== 0) continue;
      imps[lg.domain[i]][lg.item[i]]++;
      clicks[lg.domain[i]][lg.item[i]] += lg.click[i];
    }
    const rng = stream(w.seed, `feedback:${name}`);
    const rq = w.replay;
    const rank = (c0: number, c1: number, from: number, to: number) => {
      const scores = new Float32Array(c1 - c0);
      for (let r = from; r < to; r++) {
        const d = rq.domain[r];
        for (let k = rq.candStart[r]; k < rq.candStart[r + 1]; k++) {
          const i = rq.candItems[k];
          if (learner.kind === 'popular') scores[k - c0] = clicks[d][i] + 0.5 * rng.next();
          else {
            const a = gammaDraw(1 + clicks[d][i], rng);
            scores[k - c0] = a / (a + gammaDraw(1 + imps[d][i] - clicks[d][i], rng));
          }
        }
      }
      return scores;
    };
    out.push(
      ...loop(w, fb.rounds, name, 'learner', click, bias, rank, (d, item, shown, clicked) => {
        imps[d][item] += shown;
        clicks[d][item] += clicked;
      }),
    );
  }
  return out;
}

/**
 * One participant's rounds. `scoresFor(c0, c1, from, to)` gives the scores of the round's candidates
 * (replay candidates c0 … c1 of requests from … to; a learner's from its log so far); `learn` takes
 * each round's served impressions and clicks at its end.
 */
function loop(
  w: World,
  rounds: number,
  name: string,
  kind: FeedbackRound['kind'],
  click: Float32Array,
  bias: (pos: number) => number,
  scoresFor: (c0: number, c1: number, from: number, to: number) => Float32Array,
  learn?: (domain: number, item: number, shown: number, clicked: number) => void,
): FeedbackRound[] {
  const rq = w.replay;
  const D = w.layout.domains.length;
  const slateOf = w.scenario.domains.map((d) => d.slate);
  const rng = stream(w.seed, `feedback:outcomes:${name}`);
  const out: FeedbackRound[] = [];
  for (let t = 0; t < rounds; t++) {
    const from = Math.floor((t * rq.n) / rounds);
    const to = Math.floor(((t + 1) * rq.n) / rounds);
    const c0 = rq.candStart[from];
    const sub = sliceRequests(rq, from, to, w.truth.dim);
    const sl = rankSlates(sub, slateOf, scoresFor(c0, rq.candStart[to], from, to));
    const shown = Array.from({ length: D }, () => new Float64Array(w.items.count));
    const clicked = Array.from({ length: D }, () => new Float64Array(w.items.count));
    const expected = new Float64Array(D);
    for (let q = 0; q < sub.n; q++) {
      const d = sub.domain[q];
      for (let j = sl.start[q]; j < sl.start[q + 1]; j++) {
        const k = c0 + sl.cand[j];
        const p = click[k] * bias(j - sl.start[q]);
        const i = rq.candItems[k];
        shown[d][i]++;
        expected[d] += p;
        if (rng.next() < p) clicked[d][i]++;
      }
    }
    for (let d = 0; d < D; d++) {
      const cat = w.items.catalogues[d];
      const exposure = Float64Array.from(cat, (i) => shown[d][i]);
      const total = exposure.reduce((a, b) => a + b, 0);
      const sorted = Float64Array.from(exposure).sort().reverse();
      const top = Math.max(1, Math.floor(cat.length / 100));
      let topSum = 0;
      for (let q = 0; q < top; q++) topSum += sorted[q];
      let clicks = 0;
      for (const i of cat) clicks += clicked[d][i];
      out.push({
        participant: name,
        kind,
        round: t + 1,
        domain: w.layout.domains[d],
        impressions: total,
        coverage: exposure.filter((x) => x > 0).length / cat.length,
        gini: gini(exposure),
        topShare: total > 0 ? topSum / total : NaN,
        trueCtr: total > 0 ? expected[d] / total : NaN,
        clicks,
      });
      if (learn) for (const i of cat) if (shown[d][i]) learn(d, i, shown[d][i], clicked[d][i]);
    }
  }
  return out;
}
