// What a user remembers of what they were shown, and how it tires them: each impression adds one to
// the user's stock of its item's kind, which halves every `memory` of their visits, and fatigue
// lowers a kind's click logit by `fatigue` per unit of stock. One model for the two places a user's
// path moves: the A/B test period (abtest/dynamics.ts) and the feedback loops (data/serve-rounds.ts),
// where a user's memory crosses domains, so what one domain shows changes another's clicks.
import type { World } from './world.js';

/** Each item's kind (the similarBy feature's value, or the item itself with 'item') and how many kinds there are. */
export function itemKinds(w: World, similarBy: string | undefined, block: string): { kinds: Int32Array; count: number } {
  if (similarBy === 'item') return { kinds: Int32Array.from({ length: w.items.count }, (_, i) => i), count: w.items.count };
  const j = w.layout.categorical.findIndex((f) => f.source === 'item' && (similarBy ? f.name === similarBy : f.name !== 'item_id'));
  const f = w.layout.categorical[j];
  const values = w.items.cat[j];
  if (!f || !values) throw new Error(`${block}: no categorical item feature '${similarBy ?? '(first)'}' in the layout`);
  return { kinds: values, count: f.vocab + 1 };
}

/** A click probability with its logit lowered by fatigue · stock: p / (p + (1 − p) · e^(fatigue · stock)). */
export const fatigued = (p: number, fatigue: number, stock: number): number => (fatigue > 0 && stock > 0 ? p / (p + (1 - p) * Math.exp(fatigue * stock)) : p);

/**
 * Users' remembered stocks, kept only for the (user, kind) pairs that were ever shown and decayed
 * lazily: a stock is stored with the user's visit count when it was last written, and read as
 * value · decay^(visits since). A user × kind table would not fit with item-level kinds.
 */
export class Stocks {
  private readonly value = new Map<number, number>();
  private readonly stamp = new Map<number, number>();
  readonly visits: Int32Array;
  private readonly decay: number;
  /** `memory`: the visits for a remembered impression's weight to halve. */
  constructor(
    users: number,
    private readonly kinds: number,
    memory: number,
  ) {
    this.visits = new Int32Array(users);
    this.decay = 2 ** (-1 / memory);
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
