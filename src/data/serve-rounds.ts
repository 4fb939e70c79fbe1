// Serving in rounds, the mechanics every feedback-loop participant shares — a count-based learner
// (abtest/feedback.ts) and a trained arm retraining on its own log (train/feedback-retrain.ts): the
// replay's requests are cut into `rounds` equal slices in time order; each round the participant's
// scores rank the slice's candidates, the clicks are drawn from the truth (position curve applied),
// and after every `every` rounds what it served since its last update goes to `learn`. Per round and
// domain: the catalogue's coverage, the concentration (Gini) of exposure and the true CTR served.
// With feedback.itemState, items wear out: an item's click probability is scaled by
// exp(−decay · its exposure relative to an even spread over the domain's catalogue), exposure carried
// from round to round with a share `recovery` forgotten each round. The state belongs to the world
// being served, not to a participant: in an A/B test inside the loops both arms wear out the same items.
// With itemState.by, each value of a user feature is a market of its own, whose items wear apart.
// With feedback.userState, users tire of the kinds of items they were shown (world/memory.ts): the
// memory is the user's, across domains, so what one domain shows lowers another's clicks.
import { heldReplay, type World } from '../world/world.js';
import { fatigued, itemKinds, Stocks } from '../world/memory.js';
import { sliceRequests } from '../world/traffic.js';
import { stream } from '../world/rng.js';
import { rankSlates } from './slates.js';

export interface FeedbackRound {
  participant: string;
  /** 'learner' (a count-based learner), 'retrained' (a trained arm fine-tuned on its own log) or 'static' (an arm as it is). */
  kind: 'learner' | 'retrained' | 'static';
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
 * After a round: each catalogue's exposure (a domain's, or one market's of a domain) forgets a share
 * `recovery` and adds the round's impressions; an item's wear is exp(−decay · exposure / mean exposure
 * over the catalogue).
 */
export function wearOut(
  state: { decay: number; recovery: number },
  catalogues: readonly ArrayLike<number>[],
  exposure: Float64Array[],
  shown: Float64Array[],
  wear: Float64Array[],
): void {
  catalogues.forEach((cat, d) => {
    let total = 0;
    for (let q = 0; q < cat.length; q++) {
      const i = cat[q];
      exposure[d][i] = exposure[d][i] * (1 - state.recovery) + shown[d][i];
      total += exposure[d][i];
    }
    const even = total / cat.length;
    for (let q = 0; q < cat.length; q++) wear[d][cat[q]] = even > 0 ? Math.exp((-state.decay * exposure[d][cat[q]]) / even) : 1;
  });
}

/** What a participant served since its last update: replay candidate indices, in serving order, their requests, and whether each was clicked. */
export interface Served {
  cand: Int32Array;
  request: Int32Array;
  domain: Uint8Array;
  clicked: Uint8Array;
}

export interface RoundsOptions {
  rounds: number;
  /** Update after every this many rounds (the retrain cadence); the last round's log is never learnt from, as nothing follows it. */
  every: number;
  name: string;
  kind: FeedbackRound['kind'];
  /** Each replay candidate's true click probability at the first position. */
  click: Float32Array;
  bias: (pos: number) => number;
  /** The scores of the round's candidates: replay candidates c0 … c1 of requests from … to. */
  scoresFor(c0: number, c1: number, from: number, to: number): Float32Array;
  learn?(served: Served): void;
  /** Every served slot as it is drawn: its replay request, candidate, whether it was clicked and its click probability (position applied). */
  observe?(request: number, cand: number, clicked: number, p: number): void;
  /** The clicks' stream name (default the participant's): participants that share it draw the same uniform for the same served slot. */
  outcomes?: string;
}

/** One participant's rounds. Clicks come from the stream 'feedback:outcomes:<name or outcomes>' of the world's seed. */
export function serveInRounds(w: World, o: RoundsOptions): FeedbackRound[] {
  const { rq } = heldReplay(w, 'feedback');
  const D = w.layout.domains.length;
  const slateOf = w.scenario.domains.map((d) => d.slate);
  const rng = stream(w.seed, `feedback:outcomes:${o.outcomes ?? o.name}`);
  const out: FeedbackRound[] = [];
  const state = w.scenario.feedback?.itemState;
  // Wear is kept per (domain, market): one market per domain unless itemState.by names a user feature.
  const market = state?.by ? w.users.cat[w.layout.categorical.findIndex((f) => f.name === state.by)]! : null;
  const M = market ? w.layout.categorical.find((f) => f.name === state!.by)!.vocab + 1 : 1;
  const markets = Array.from({ length: D * M }, (_, x) => w.items.catalogues[Math.floor(x / M)]);
  const carried = Array.from({ length: D * M }, () => new Float64Array(w.items.count));
  const wear = Array.from({ length: D * M }, () => new Float64Array(w.items.count).fill(1));
  const tiring = w.scenario.feedback?.userState;
  const { kinds, count } = tiring ? itemKinds(w, tiring.similarBy, 'feedback.userState') : { kinds: new Int32Array(0), count: 0 };
  const stocks = tiring ? new Stocks(w.users.count, count, tiring.memory) : null;
  let cand: number[] = [];
  let requestLog: number[] = [];
  let domainLog: number[] = [];
  let clickedLog: number[] = [];
  for (let t = 0; t < o.rounds; t++) {
    const from = Math.floor((t * rq.n) / o.rounds);
    const to = Math.floor(((t + 1) * rq.n) / o.rounds);
    const c0 = rq.candStart[from];
    const sub = sliceRequests(rq, from, to, w.truth.dim);
    const sl = rankSlates(sub, slateOf, o.scoresFor(c0, rq.candStart[to], from, to));
    const shown = Array.from({ length: D }, () => new Float64Array(w.items.count));
    const shownIn = market ? Array.from({ length: D * M }, () => new Float64Array(w.items.count)) : shown;
    const clicked = Array.from({ length: D }, () => new Float64Array(w.items.count));
    const expected = new Float64Array(D);
    for (let q = 0; q < sub.n; q++) {
      const d = sub.domain[q];
      const u = sub.user[q];
      const m = market ? d * M + market[u] : d;
      if (stocks) stocks.visits[u]++;
      for (let j = sl.start[q]; j < sl.start[q + 1]; j++) {
        const k = c0 + sl.cand[j];
        const i = rq.candItems[k];
        const p = stocks
          ? fatigued(o.click[k] * wear[m][i], tiring!.fatigue, stocks.get(u, kinds[i])) * o.bias(j - sl.start[q])
          : o.click[k] * o.bias(j - sl.start[q]) * wear[m][i];
        shown[d][i]++;
        if (market) shownIn[m][i]++;
        expected[d] += p;
        const c = rng.next() < p ? 1 : 0;
        clicked[d][i] += c;
        o.observe?.(from + q, k, c, p);
        if (o.learn) {
          cand.push(k);
          requestLog.push(from + q);
          domainLog.push(d);
          clickedLog.push(c);
        }
      }
      // The slate joins the user's memory after the visit, as in the test period's dynamics.
      if (stocks) for (let j = sl.start[q]; j < sl.start[q + 1]; j++) stocks.add(u, kinds[rq.candItems[c0 + sl.cand[j]]]);
    }
    if (state) wearOut(state, markets, carried, shownIn, wear);
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
        participant: o.name,
        kind: o.kind,
        round: t + 1,
        domain: w.layout.domains[d],
        impressions: total,
        coverage: exposure.filter((x) => x > 0).length / cat.length,
        gini: gini(exposure),
        topShare: total > 0 ? topSum / total : NaN,
        trueCtr: total > 0 ? expected[d] / total : NaN,
        clicks,
      });
    }
    if (o.learn && (t + 1) % o.every === 0 && t + 1 < o.rounds) {
      o.learn({ cand: Int32Array.from(cand), request: Int32Array.from(requestLog), domain: Uint8Array.from(domainLog), clicked: Uint8Array.from(clickedLog) });
      cand = [];
      requestLog = [];
      domainLog = [];
      clickedLog = [];
    }
  }
  return out;
}
