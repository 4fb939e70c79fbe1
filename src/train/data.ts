// Model inputs as columnar typed arrays, and batches of them as tensors. Categorical features map to
// rows of one concatenated embedding table (feature f's value v is row offset[f] + v; v = 0 means the
// domain does not log the feature and is masked); numeric features are standardised on training data.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../world/rng.js';
import { periodRows, type Impressions, type World } from '../world/world.js';

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
  domain: Uint8Array;
  user: Int32Array;
  time: Int32Array;
  click: Float32Array;
  conv: Float32Array;
  domains: number;
}

export function buildDataset(w: World): Dataset {
  const l: Impressions = w.logged;
  const { categorical, numeric } = w.layout;
  const fc = categorical.length;
  const fn = numeric.length;
  const offsets = new Int32Array(fc);
  let rowsTotal = 0;
  categorical.forEach((f, j) => {
    offsets[j] = rowsTotal;
    rowsTotal += f.vocab + 1;
  });
  const cat = new Int32Array(l.n * fc);
  const catMask = new Float32Array(l.n * fc);
  for (let j = 0; j < fc; j++) {
    const col = l.cat[j];
    const off = offsets[j];
    for (let r = 0; r < l.n; r++) {
      cat[r * fc + j] = off + col[r];
      catMask[r * fc + j] = col[r] > 0 ? 1 : 0;
    }
  }
  const num = new Float32Array(l.n * fn);
  const train = periodRows(l, 'train');
  for (let j = 0; j < fn; j++) {
    const col = l.num[j];
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
    const mean = c ? s / c : 0;
    const sd = c > 1 ? Math.sqrt(Math.max(1e-12, s2 / c - mean * mean)) : 1;
    for (let r = 0; r < l.n; r++) num[r * fn + j] = Number.isNaN(col[r]) ? 0 : (col[r] - mean) / sd;
  }
  return {
    n: l.n, fc, fn, tableRows: rowsTotal, offsets, cat, catMask, num, domain: l.domain, user: l.user, time: l.time,
    click: Float32Array.from(l.click), conv: Float32Array.from(l.conv), domains: w.layout.domains.length,
  };
}

export interface Batch {
  size: number;
  /** The batch's domain when all rows share one (training batches do), else -1. */
  domain: number;
  cat: tf.Tensor2D;
  catMask: tf.Tensor2D;
  num: tf.Tensor2D;
  domainIds: tf.Tensor1D;
  click: tf.Tensor1D;
  conv: tf.Tensor1D;
}

/** Tensors for the given rows; the caller disposes them with disposeBatch. */
export function makeBatch(ds: Dataset, rows: ArrayLike<number>, domain = -1): Batch {
  const b = rows.length;
  const cat = new Int32Array(b * ds.fc);
  const mask = new Float32Array(b * ds.fc);
  const num = new Float32Array(b * ds.fn);
  const dom = new Int32Array(b);
  const click = new Float32Array(b);
  const conv = new Float32Array(b);
  for (let k = 0; k < b; k++) {
    const r = rows[k];
    cat.set(ds.cat.subarray(r * ds.fc, (r + 1) * ds.fc), k * ds.fc);
    mask.set(ds.catMask.subarray(r * ds.fc, (r + 1) * ds.fc), k * ds.fc);
    if (ds.fn) num.set(ds.num.subarray(r * ds.fn, (r + 1) * ds.fn), k * ds.fn);
    dom[k] = ds.domain[r];
    click[k] = ds.click[r];
    conv[k] = ds.conv[r];
  }
  return {
    size: b, domain,
    cat: tf.tensor2d(cat, [b, ds.fc], 'int32'),
    catMask: tf.tensor2d(mask, [b, ds.fc]),
    num: tf.tensor2d(num, [b, ds.fn]),
    domainIds: tf.tensor1d(dom, 'int32'),
    click: tf.tensor1d(click),
    conv: tf.tensor1d(conv),
  };
}

export function disposeBatch(b: Batch): void {
  tf.dispose([b.cat, b.catMask, b.num, b.domainIds, b.click, b.conv]);
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
export function epochBatches(ds: Dataset, byDomain: Int32Array[], batchSize: number, rng: Rng): { domain: number; rows: Int32Array }[] {
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
