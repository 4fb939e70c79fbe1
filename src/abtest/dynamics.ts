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

/** Each item's kind (the similarBy feature's value, or the item itself with 'item') and how many kinds there are. */
export function itemKinds(w: World, d: Dynamics): { kinds: Int32Array; count: number } {
  if (d.similarBy === 'item') return { kinds: Int32Array.from({ length: w.items.count }, (_, i) => i), count: w.items.count };
  const j = w.layout.categorical.findIndex((f) => f.source === 'item' && (d.similarBy ? f.name === d.similarBy : f.name !== 'item_id'));
  const f = w.layout.categorical[j];
  const values = w.items.cat[j];
  if (!f || !values) throw new Error(`dynamics: no categorical item feature '${d.similarBy ?? '(first)'}' in the layout`);
  return { kinds: values, count: f.vocab + 1 };
}

/**
 * Users' remembered stocks, kept only for the (user, kind) pairs that were ever shown and decayed
 * lazily: a stock is stored with the user's visit count when it was last written, and read as
 * value · decay^(visits since). A user × kind table would not fit with item-level kinds.
 */
class Stocks {
  private readonly value = new Map<number, number>();
  private readonly stamp = new Map<number, number>();
  readonly visits: Int32Array;
  constructor(
    users: number,
    private readonly kinds: number,
    private readonly decay: number,
  ) {
    this.visits = new Int32Array(users);
  }
  get(u: number, kind: number): number {
    const key = u * this.kinds + kind;
    const v = this.value.get(key);
    return v === undefined ? 0 : v * this.decay ** (this.visits[u] - this.stamp.get(key)!);
  }
  add(u: number, kind: number): void {
    const key = u * this.kinds + kind;
    this.value.set(key, this.get(u, kind) + 1);
    this.stamp.set(key, this.visits[u]);
  }
}

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
  const { kinds, count } = itemKinds(w, d);
  const stocks = new Stocks(w.users.count, count, 2 ** (-1 / d.memory));
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
      let p = truth.click[k];
      // The logit falls by fatigue · s: p' = p / (p + (1 − p) · e^(fatigue · s)).
      if (d.fatigue > 0 && s > 0) p = p / (p + (1 - p) * Math.exp(d.fatigue * s));
      p *= biasAt[j - from];
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
