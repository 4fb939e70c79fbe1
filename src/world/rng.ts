// Named, independent random streams: each component of the world draws from its own stream so that
// changing one part of a scenario (a domain's size, a new feature) does not reshuffle the others.
import seedrandom from 'seedrandom';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal. */
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
}

export function stream(seed: number, name: string): Rng {
  const prng = seedrandom.alea(`crossab:${seed}:${name}`);
  let spare = NaN;
  return {
    next: () => prng(),
    int: (n) => Math.floor(prng() * n),
    normal: () => {
      if (!Number.isNaN(spare)) {
        const s = spare;
        spare = NaN;
        return s;
      }
      // Box–Muller; 1 - u keeps the log argument in (0, 1].
      const u = 1 - prng();
      const v = prng();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

/** A non-zero 31-bit seed for tfjs ops, which treat 0 as "unseeded". */
export function tfSeed(seed: number, name: string): number {
  const prng = seedrandom.alea(`crossab-tf:${seed}:${name}`);
  return 1 + Math.floor(prng() * 0x7ffffffe);
}

/**
 * Sampling from a fixed discrete distribution by inverse CDF: the smallest index whose cumulative
 * weight exceeds a uniform draw. A guide table (Chen & Asau's cutpoint method) starts the search next
 * to the answer, so a draw costs O(1) expected instead of a binary search's log₂ n steps; the index
 * returned is exactly the one a binary search over the same CDF returns.
 */
export class Discrete {
  private readonly cdf: Float64Array;
  /** guide[j]: the smallest index whose CDF exceeds j / guide.length. */
  private readonly guide: Int32Array;
  constructor(weights: ArrayLike<number>) {
    this.cdf = new Float64Array(weights.length);
    let acc = 0;
    for (let i = 0; i < weights.length; i++) {
      acc += weights[i];
      this.cdf[i] = acc;
    }
    if (!(acc > 0)) throw new Error('Discrete: weights must have a positive sum');
    for (let i = 0; i < this.cdf.length; i++) this.cdf[i] /= acc;
    const m = this.cdf.length;
    this.guide = new Int32Array(m);
    let i = 0;
    for (let j = 0; j < m; j++) {
      while (i < m - 1 && this.cdf[i] <= j / m) i++;
      this.guide[j] = i;
    }
  }
  get size(): number {
    return this.cdf.length;
  }
  sample(rng: Rng): number {
    const u = rng.next();
    const cdf = this.cdf;
    let i = this.guide[Math.floor(u * cdf.length)];
    // The scan back covers u · m rounding up to the next bucket; the scan forward, the bucket.
    while (i > 0 && cdf[i - 1] > u) i--;
    while (i < cdf.length - 1 && cdf[i] <= u) i++;
    return i;
  }
}

/** Weights 1/(rank+1)^s over a random order of n entries: Zipf popularity with shuffled identities. */
export function zipfWeights(n: number, s: number, rng: Rng): Float64Array {
  const order = permutation(n, rng);
  const w = new Float64Array(n);
  for (let r = 0; r < n; r++) w[order[r]] = 1 / Math.pow(r + 1, s);
  return w;
}

/** Zipf weights by value index (value 0 most frequent): for categorical value frequencies. */
export function zipfByRank(n: number, s: number): Float64Array {
  const w = new Float64Array(n);
  for (let r = 0; r < n; r++) w[r] = 1 / Math.pow(r + 1, s);
  return w;
}

export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
