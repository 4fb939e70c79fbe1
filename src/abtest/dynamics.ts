// A test period that moves (scenario.dynamics): what a user was shown changes what they do next.
// Each impression adds one to the user's remembered stock of its item's kind (the similarBy
// feature), which halves every `memory` of their visits; fatigue lowers a kind's click logit by
// `fatigue` per unit of stock, and after each visit the user leaves for the rest of the test with
//   h = min(1, leave · e^(boredom · s̄)) · (1 − perClick)^clicks,   s̄ = the slate's mean stock.
// A user is in one arm for the whole test and users do not affect each other, so a user's path
// under an arm is the path they would have had the whole population served that arm: the true
// long-term totals follow exactly from one pass per strategy. Given that the user is still there,
// the stock depends only on what was shown (not on clicks) and a visit's clicks are independent
// slot by slot, so E[h] = min(1, leave · e^(boredom · s̄)) · Π_j (1 − perClick · p_j) and the chance
// of still being there is the product of (1 − E[h]) over the user's earlier visits.
import type { Scenario } from '../scenario/schema.js';
import { heldReplay, type World } from '../world/world.js';
import { fatigued, itemKinds, Stocks } from '../world/memory.js';

/** One strategy's replay under the dynamics, request by request, for a user who is still there. */
export interface DynamicPath {
  /** Per slate entry: the click probability (position bias and fatigue included). */
  clickP: Float32Array;
  /** Per request: the expected clicks and conversions of the visit. */
  expClicks: Float64Array;
  expConvs: Float64Array;
  /** Per request: the leave probability before clicks are counted, min(1, leave · e^(boredom · s̄)). */
  leave: Float64Array;
  /** Per request: the probability that the user is still in the test when it comes. */
  alive: Float64Array;
}

export type Dynamics = NonNullable<Scenario['dynamics']>;

/**
 * The path of one strategy's slates (`start`, `cand` into the replay candidates) through the test:
 * each visit's click probabilities from the candidates' static ones (`click`, `conv`), the position
 * curve and the user's stock; a visit first ages the user's memory by one visit, reads it, then adds the slate.
 */
export function dynamicPath(
  w: World,
  d: Dynamics,
  slates: { start: Int32Array; cand: Int32Array },
  truth: { click: Float32Array; conv: Float32Array },
  biasAt: Float64Array,
): DynamicPath {
  const { rq } = heldReplay(w, 'dynamics');
  const { kinds, count } = itemKinds(w, d.similarBy, 'dynamics');
  const stocks = new Stocks(w.users.count, count, d.memory);
  const alive = new Float64Array(w.users.count).fill(1);
  const ret = d.retention;
  const out: DynamicPath = {
    clickP: new Float32Array(slates.start[rq.n]),
    expClicks: new Float64Array(rq.n),
    expConvs: new Float64Array(rq.n),
    leave: new Float64Array(rq.n),
    alive: new Float64Array(rq.n),
  };
  for (let r = 0; r < rq.n; r++) {
    const u = rq.user[r];
    stocks.visits[u]++;
    let mean = 0;
    let stay = 1;
    let clicks = 0;
    let convs = 0;
    const from = slates.start[r];
    const to = slates.start[r + 1];
    for (let j = from; j < to; j++) {
      const k = slates.cand[j];
      const s = stocks.get(u, kinds[rq.candItems[k]]);
      mean += s;
      const p = fatigued(truth.click[k], d.fatigue, s) * biasAt[j - from];
      out.clickP[j] = p;
      clicks += p;
      convs += p * truth.conv[k];
      if (ret) stay *= 1 - ret.perClick * p;
    }
    for (let j = from; j < to; j++) stocks.add(u, kinds[rq.candItems[slates.cand[j]]]);
    out.expClicks[r] = clicks;
    out.expConvs[r] = convs;
    out.alive[r] = alive[u];
    if (ret) {
      const leave = Math.min(1, ret.leave * Math.exp((ret.boredom * mean) / Math.max(1, to - from)));
      out.leave[r] = leave;
      alive[u] *= 1 - leave * stay;
    }
  }
  return out;
}
