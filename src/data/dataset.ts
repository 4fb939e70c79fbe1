// Model inputs as columnar typed arrays, and batches of them as tensors. Categorical features map to
// rows of one concatenated embedding table (feature f's value v is row offset[f] + v; v = 0 means the
// domain does not log the feature and is masked); numeric features are standardised on training data.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../world/rng.js';
import { periodRows, type Impressions } from '../world/impressions.js';
import type { World } from '../world/world.js';

export interface Dataset {
  n: number;
  /** Number of categorical / numeric fields. */
  fc: number;
  fn: number;
  /** Rows of the concatenated embedding table. */
  tableRows: number;
  offsets: Int32Array;
  /** [n × fc] embedding-table row per field. */
  cat: Int32Array;
  /** [n × fc] 1 where the field is logged, else 0. */
  catMask: Float32Array;
  /** [n × fn] standardised value, 0 where absent. */
  num: Float32Array;
  /** Training-period mean and standard deviation of each numeric feature. */
  numMean: Float64Array;
  numSd: Float64Array;
  domain: Uint8Array;
  user: Int32Array;
  time: Int32Array;
  click: Float32Array;
  conv: Float32Array;
  domains: number;
  domainNames: string[];
  /** Per categorical field: 1 when every domain logs it (a common feature), else 0 (private or partial). */
  commonCat: Uint8Array;
  /** The user's experience at the row: bucket of their logged impressions before it (see ACTIVITY_BUCKETS). */
  activity: Uint8Array;
}

/** Upper bounds of the activity buckets: 0 (new), 1–3, 4–15, 16–63, 64 and more impressions before. */
export const ACTIVITY_BUCKETS = [0, 3, 15, 63];
export const ACTIVITY_LEVELS = ACTIVITY_BUCKETS.length + 1;

/** A numeric field's model input: standardised by the training period's statistics, 0 where absent (NaN). */
export const standardised = (mean: Float64Array, sd: Float64Array, j: number, v: number): number => (Number.isNaN(v) ? 0 : (v - mean[j]) / sd[j]);

export function activityBucket(before: number): number {
  let k = 0;
  while (k < ACTIVITY_BUCKETS.length && before > ACTIVITY_BUCKETS[k]) k++;
  return k;
}

export function buildDataset(w: World): Dataset {
  const l: Impressions = w.logged;
  const train = periodRows(l, 'train');
  // Numeric features are standardised with training-period statistics.
  const numMean = new Float64Array(l.num.length);
  const numSd = new Float64Array(l.num.length).fill(1);
  l.num.forEach((col, j) => {
    let s = 0;
    let s2 = 0;
    let c = 0;
    for (const r of train) {
      const v = col[r];
      if (Number.isNaN(v)) continue;
      s += v;
      s2 += v * v;
      c++;
    }
    numMean[j] = c ? s / c : 0;
    numSd[j] = c > 1 ? Math.sqrt(Math.max(1e-12, s2 / c - numMean[j] * numMean[j])) : 1;
  });
  const activity = Uint8Array.from(l.experience, activityBucket);
  return encode(w, l.n, l.cat, l.num, numMean, numSd, l.domain, l.user, l.time, Float32Array.from(l.click), Float32Array.from(l.conv), activity);
}

function encode(
  w: World,
  n: number,
  catCols: Int32Array[],
  numCols: Float32Array[],
  numMean: Float64Array,
  numSd: Float64Array,
  domain: Uint8Array,
  user: Int32Array,
  time: Int32Array,
  click: Float32Array,
  conv: Float32Array,
  activity: Uint8Array,
): Dataset {
  const { categorical } = w.layout;
  const fc = catCols.length;
  const fn = numCols.length;
  const offsets = new Int32Array(fc);
  let rowsTotal = 0;
  categorical.forEach((f, j) => {
    offsets[j] = rowsTotal;
    rowsTotal += f.vocab + 1;
  });
  const cat = new Int32Array(n * fc);
  const catMask = new Float32Array(n * fc);
  for (let j = 0; j < fc; j++) {
    const col = catCols[j];
    const off = offsets[j];
    for (let r = 0; r < n; r++) {
      cat[r * fc + j] = off + col[r];
      catMask[r * fc + j] = col[r] > 0 ? 1 : 0;
    }
  }
  const num = new Float32Array(n * fn);
  for (let j = 0; j < fn; j++) {
    const col = numCols[j];
    for (let r = 0; r < n; r++) num[r * fn + j] = standardised(numMean, numSd, j, col[r]);
  }
  return {
    n,
    fc,
    fn,
    tableRows: rowsTotal,
    offsets,
    cat,
    catMask,
    num,
    numMean,
    numSd,
    domain,
    user,
    time,
    click,
    conv,
    domains: w.layout.domains.length,
    domainNames: w.layout.domains,
    activity,
    commonCat: Uint8Array.from(w.layout.categorical, (_, j) => (w.layout.exposesCat.every((d) => d[j]) ? 1 : 0)),
  };
}

/**
 * `base` with room for `extra` more rows after its own, and a way to fill them with rows copied from
 * a dataset of the same encoding (the replay candidates) under a label of the caller's: the rows a
 * model serves during the test, joining the logged ones as what it can learn from.
 */
export function withRoom(base: Dataset, extra: number): { ds: Dataset; put(src: Dataset, r: number, at: number, click: number): void } {
  const n = base.n + extra;
  const { fc, fn } = base;
  const grow = <T extends Int32Array | Float32Array | Uint8Array>(a: T, width: number, make: (n: number) => T): T => {
    const out = make(n * width);
    out.set(a);
    return out;
  };
  const ds: Dataset = {
    ...base,
    n,
    cat: grow(base.cat, fc, (k) => new Int32Array(k)),
    catMask: grow(base.catMask, fc, (k) => new Float32Array(k)),
    num: grow(base.num, fn, (k) => new Float32Array(k)),
    domain: grow(base.domain, 1, (k) => new Uint8Array(k)),
    user: grow(base.user, 1, (k) => new Int32Array(k)),
    time: grow(base.time, 1, (k) => new Int32Array(k)),
    click: grow(base.click, 1, (k) => new Float32Array(k)),
    conv: grow(base.conv, 1, (k) => new Float32Array(k)),
    activity: grow(base.activity, 1, (k) => new Uint8Array(k)),
  };
  return {
    ds,
    put(src, r, at, click) {
      ds.cat.set(src.cat.subarray(r * fc, (r + 1) * fc), at * fc);
      ds.catMask.set(src.catMask.subarray(r * fc, (r + 1) * fc), at * fc);
      ds.num.set(src.num.subarray(r * fn, (r + 1) * fn), at * fn);
      ds.domain[at] = src.domain[r];
      ds.user[at] = src.user[r];
      ds.time[at] = src.time[r];
      ds.activity[at] = src.activity[r];
      ds.click[at] = click;
      ds.conv[at] = 0;
    },
  };
}

export interface Batch {
  readonly size: number;
  /** The batch's domain when all rows share one (training batches do), else -1. */
  readonly domain: number;
  readonly cat: tf.Tensor2D;
  readonly catMask: tf.Tensor2D;
  readonly num: tf.Tensor2D;
  readonly domainIds: tf.Tensor1D;
  /** Activity bucket per row (int32). */
  readonly activity: tf.Tensor1D;
  readonly click: tf.Tensor1D;
  readonly conv: tf.Tensor1D;
}

/**
 * A batch whose rarely used columns (domain ids, activity, conversions) become tensors only when a
 * model reads them: most steps need three of the seven, and each tensor costs an allocation and a
 * copy into the backend. A column made inside a tidy is kept, so it lives until disposeBatch.
 */
class ColumnBatch implements Batch {
  private tensors: Partial<Record<'domainIds' | 'activity' | 'conv', tf.Tensor1D>> = {};
  constructor(
    readonly size: number,
    readonly domain: number,
    readonly cat: tf.Tensor2D,
    readonly catMask: tf.Tensor2D,
    readonly num: tf.Tensor2D,
    readonly click: tf.Tensor1D,
    private readonly columns: { domainIds: Int32Array; activity: Int32Array; conv: Float32Array },
  ) {}
  private column(name: 'domainIds' | 'activity' | 'conv'): tf.Tensor1D {
    const values = this.columns[name];
    this.tensors[name] ??= tf.keep(tf.tensor1d(values, values instanceof Int32Array ? 'int32' : 'float32'));
    return this.tensors[name];
  }
  get domainIds(): tf.Tensor1D {
    return this.column('domainIds');
  }
  get activity(): tf.Tensor1D {
    return this.column('activity');
  }
  get conv(): tf.Tensor1D {
    return this.column('conv');
  }
  dispose(): void {
    tf.dispose([this.cat, this.catMask, this.num, this.click, ...Object.values(this.tensors)]);
    this.tensors = {};
  }
}

/**
 * makeBatch's columns, kept for the next batch of a loop that disposes each batch before making the
 * next (predictPlain's chunks): fresh arrays cost their first touch, several times the copy itself.
 */
export class BatchColumns {
  private buf = { rows: 0, cat: new Int32Array(0), mask: new Float32Array(0), num: new Float32Array(0), ints: new Int32Array(0), floats: new Float32Array(0) };
  /** Views of b rows' columns: cat and mask [b × fc], num [b × fn], domain ids and activity, click and conversion. */
  take(b: number, fc: number, fn: number) {
    if (b > this.buf.rows) {
      const n = Math.max(b, this.buf.rows * 2);
      this.buf = {
        rows: n,
        cat: new Int32Array(n * fc),
        mask: new Float32Array(n * fc),
        num: new Float32Array(n * fn),
        ints: new Int32Array(2 * n),
        floats: new Float32Array(2 * n),
      };
    }
    const { cat, mask, num, ints, floats, rows: n } = this.buf;
    return {
      cat: cat.subarray(0, b * fc),
      mask: mask.subarray(0, b * fc),
      num: num.subarray(0, b * fn),
      dom: ints.subarray(0, b),
      act: ints.subarray(n, n + b),
      click: floats.subarray(0, b),
      conv: floats.subarray(n, n + b),
    };
  }
}

const freshColumns = (b: number, fc: number, fn: number) => new BatchColumns().take(b, fc, fn);

/** Tensors for the given rows; the caller disposes them with disposeBatch (before `columns` fills the next batch). */
export function makeBatch(ds: Dataset, rows: ArrayLike<number>, domain = -1, columns?: BatchColumns): Batch {
  const b = rows.length;
  const { fc, fn } = ds;
  const { cat, mask, num, dom, act, click, conv } = columns ? columns.take(b, fc, fn) : freshColumns(b, fc, fn);
  // Plain index loops over columns held in locals: a subarray per row and column, or a property load per element through a polymorphic `ds` (logged rows, replay candidates), cost more than the copies.
  const { cat: dsCat, catMask: dsMask, num: dsNum, domain: dsDomain, activity: dsActivity, click: dsClick, conv: dsConv } = ds;
  for (let k = 0; k < b; k++) {
    const r = rows[k];
    for (let j = 0, from = r * fc, to = k * fc; j < fc; j++) {
      cat[to + j] = dsCat[from + j];
      mask[to + j] = dsMask[from + j];
    }
    for (let j = 0, from = r * fn, to = k * fn; j < fn; j++) num[to + j] = dsNum[from + j];
    dom[k] = dsDomain[r];
    act[k] = dsActivity[r];
    click[k] = dsClick[r];
    conv[k] = dsConv[r];
  }
  return new ColumnBatch(b, domain, tf.tensor2d(cat, [b, fc], 'int32'), tf.tensor2d(mask, [b, fc]), tf.tensor2d(num, [b, fn]), tf.tensor1d(click), {
    domainIds: dom,
    activity: act,
    conv,
  });
}

export function disposeBatch(b: Batch): void {
  if (b instanceof ColumnBatch) b.dispose();
  else tf.dispose([b.cat, b.catMask, b.num, b.domainIds, b.activity, b.click, b.conv]);
}

/** Rows split by domain. */
export function rowsByDomain(ds: Dataset, rows: Int32Array): Int32Array[] {
  const counts = new Int32Array(ds.domains);
  for (const r of rows) counts[ds.domain[r]]++;
  const out = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(ds.domains);
  for (const r of rows) out[ds.domain[r]][fill[ds.domain[r]]++] = r;
  return out;
}

/**
 * One epoch of single-domain batches in random order: rows are shuffled within each domain and cut
 * into batches; the batch order is shuffled, so each domain is visited in proportion to its data.
 */
export function epochBatches(byDomain: Int32Array[], batchSize: number, rng: Rng): { domain: number; rows: Int32Array }[] {
  const batches: { domain: number; rows: Int32Array }[] = [];
  byDomain.forEach((rows, d) => {
    const r = rows.slice();
    for (let i = r.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = r[i];
      r[i] = r[j];
      r[j] = t;
    }
    for (let s = 0; s < r.length; s += batchSize) batches.push({ domain: d, rows: r.subarray(s, Math.min(r.length, s + batchSize)) });
  });
  for (let i = batches.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [batches[i], batches[j]] = [batches[j], batches[i]];
  }
  return batches;
}
