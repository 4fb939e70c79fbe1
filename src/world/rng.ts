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
  /** out[from..to) = the next to − from standard normals: exactly what as many normal() calls return. */
  normals(out: Float64Array, from: number, to: number): void;
}

/**
 * Baagøe's Alea generator (the algorithm of `seedrandom.alea`, seeded by seedrandom's own Mash, so a
 * stream's uniforms are exactly seedrandom's) as a class with its state in fields: the world draws
 * millions of numbers, and a monomorphic method V8 can inline beats three nested closures.
 */
class AleaStream implements Rng {
  // Declared, not defined: an ES2022 class field would start as undefined and leave V8 a tagged
  // field that boxes every double stored in it (3× slower draws, measured).
  declare private c: number;
  declare private s0: number;
  declare private s1: number;
  declare private s2: number;
  /** The second normal of the last Box–Muller pair, NaN when used. */
  declare private spare: number;
  constructor(key: string) {
    const st = (seedrandom.alea(key, { state: true }) as unknown as { state(): { c: number; s0: number; s1: number; s2: number } }).state();
    this.c = st.c;
    this.s0 = st.s0;
    this.s1 = st.s1;
    this.s2 = st.s2;
    this.spare = NaN;
  }
  next(): number {
    const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10; // 2^-32
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.c = t | 0;
    return (this.s2 = t - this.c);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const x = this.spare;
      this.spare = NaN;
      return x;
    }
    // Box–Muller; 1 - u keeps the log argument in (0, 1].
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  normals(out: Float64Array, from: number, to: number): void {
    let j = from;
    if (j < to && !Number.isNaN(this.spare)) {
      out[j++] = this.spare;
      this.spare = NaN;
    }
    // The state in locals for the bulk of the pairs (the same arithmetic as next()).
    let c = this.c;
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    for (; j + 1 < to; j += 2) {
      let t = 2091639 * s0 + c * 2.3283064365386963e-10;
      s0 = s1;
      s1 = s2;
      c = t | 0;
      s2 = t - c;
      const u = 1 - s2;
      t = 2091639 * s0 + c * 2.3283064365386963e-10;
      s0 = s1;
      s1 = s2;
      c = t | 0;
      s2 = t - c;
      const r = Math.sqrt(-2 * Math.log(u));
      out[j] = r * Math.cos(2 * Math.PI * s2);
      out[j + 1] = r * Math.sin(2 * Math.PI * s2);
    }
    this.c = c;
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    if (j < to) out[j] = this.normal();
  }
}

export function stream(seed: number, name: string): Rng {
  return new AleaStream(`crossab:${seed}:${name}`);
}

/** A non-zero 31-bit seed for tfjs ops, which treat 0 as "unseeded". */
export function tfSeed(seed: number, name: string): number {
  const prng = seedrandom.alea(`crossab-tf:${seed}:${name}`);
  return 1 + Math.floor(prng() * 0x7ffffffe);
}

/**
 * Sampling from a fixed discrete distribution by inverse CDF: the smallest index whose cumulative
 * weight exceeds a uniform draw. A guide table (Chen & Asau's cutpoint method) with 16 buckets per
 * outcome (4 past 8,192 outcomes, to stay in cache) starts the search next to the answer; a bucket
 * that lies wholly inside one outcome's interval (15 in 16 of them) stores that outcome directly, so
 * most draws cost one lookup. The index returned is exactly the one a binary search over the same
 * CDF returns.
 */
export class Discrete {
  declare private readonly cdf: Float64Array;
  /**
   * Per bucket [j/G, (j+1)/G): ~i (negative) when every u in it maps to outcome i, else the smallest
   * index whose CDF exceeds j/G, where the scan starts.
   */
  declare private readonly guide: Int32Array;
  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    const cdf = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += weights[i];
      cdf[i] = acc;
    }
    if (!(acc > 0)) throw new Error('Discrete: weights must have a positive sum');
    for (let i = 0; i < n; i++) cdf[i] /= acc;
    const G = (n <= 8192 ? 16 : 4) * n;
    const guide = new Int32Array(G);
    // A margin far above the rounding of u · G (≤ 2⁻⁵³ relative) keeps a bucket marked whole only when
    // it is whole for every u that floor(u · G) puts in it.
    const eps = 1e-13;
    let i = 0;
    for (let j = 0; j < G; j++) {
      const lo = j / G;
      while (i < n - 1 && cdf[i] <= lo) i++;
      const whole = (i === 0 || cdf[i - 1] < lo - eps) && (cdf[i] > (j + 1) / G + eps || i === n - 1);
      guide[j] = whole ? ~i : i;
    }
    this.cdf = cdf;
    this.guide = guide;
  }
  get size(): number {
    return this.cdf.length;
  }
  sample(rng: Rng): number {
    const u = rng.next();
    const g = this.guide[(u * this.guide.length) | 0];
    if (g < 0) return ~g;
    const cdf = this.cdf;
    let i = g;
    // The scan back covers u · G rounding up to the next bucket; the scan forward, the bucket.
    while (i > 0 && cdf[i - 1] > u) i--;
    while (i < cdf.length - 1 && cdf[i] <= u) i++;
    return i;
  }
  /**
   * Draw until `want` distinct outcomes are found or `maxTries` draws are spent (sampling without
   * replacement by rejection), writing ids[outcome] to out[at…]. `mark[i] === stamp` means outcome i
   * is taken; a fresh stamp per call saves clearing `mark`. Returns how many were found.
   */
  distinct(rng: Rng, want: number, maxTries: number, mark: Int32Array, stamp: number, ids: Int32Array, out: Int32Array, at: number): number {
    let got = 0;
    for (let tries = 0; got < want && tries < maxTries; tries++) {
      const i = this.sample(rng);
      if (mark[i] === stamp) continue;
      mark[i] = stamp;
      out[at + got++] = ids[i];
    }
    return got;
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

/** A Gamma(shape, 1) draw (Marsaglia & Tsang 2000; shape < 1 by the boost U^(1/shape)). */
export function gammaDraw(shape: number, rng: Rng): number {
  if (shape < 1) return gammaDraw(shape + 1, rng) * rng.next() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
