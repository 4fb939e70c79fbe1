// Training: Adam over single-domain batches in seeded random order, early stopping on the validation
// period's mean per-domain AUC (the best epoch's weights are restored), and a loss / AUC curve per epoch.
import * as tf from '@tensorflow/tfjs-core';
import { adam } from './adam.js';
import type { TrainingConfig } from '../scenario/schema.js';
import { Params } from '../models/blocks.js';
import { lossWeighting, type LossWeighting } from '../models/weighting.js';
import { priorOf, trainStep } from './step.js';
import { PREDICT_CHUNK, type Model, type Predictions, type StrategyInfo, type Trainable } from '../models/model.js';
import { auc } from '../metrics/auc.js';
import { silent, type KeptEpoch, type Listener } from '../util/events.js';
import { stream } from '../world/rng.js';
import { BatchColumns, disposeBatch, epochBatches, makeBatch, rowsByDomain, type Dataset } from '../data/dataset.js';
import type { History } from '../data/history.js';

export interface EpochPoint {
  /** The domain whose model this epoch trained (one model per domain); null for a model of every domain. */
  domain: string | null;
  epoch: number;
  loss: number;
  validAuc: number;
  seconds: number;
}

export interface Trained {
  strategy: string;
  model: Model;
  params: Params;
  curve: EpochPoint[];
  bestEpoch: number;
  seconds: number;
  samplesPerSecond: number;
  /** Probabilities for dataset rows (indexed by row; other entries are 0). */
  predict(rows: Int32Array): Predictions;
  /** Probabilities for rows of another dataset (replay candidates); per-user history from the logged data. */
  score(other: Dataset, rows: Int32Array): Predictions;
  /** The loss weighting it trained with (training.lossWeights: GradNorm's final task weights, the learned log-variances), or null. */
  weighting: LossWeighting | null;
  /** The variables a batch of domain `d` trains: a per-domain strategy's own for d, else all. */
  varsFor(d: number): tf.Variable[];
  dispose(): void;
}

/** Plain forward-pass predictions, one domain and chunk at a time. */
export function predictPlain(model: Model, ds: Dataset, rows: Int32Array): Predictions {
  const click = new Float32Array(ds.n);
  const ctcvr = model.conversion ? new Float32Array(ds.n) : undefined;
  const columns = new BatchColumns();
  for (const [d, dr] of rowsByDomain(ds, rows).entries()) {
    for (let s = 0; s < dr.length; s += PREDICT_CHUNK) {
      const chunk = dr.subarray(s, Math.min(dr.length, s + PREDICT_CHUNK));
      const b = makeBatch(ds, chunk, d, columns);
      let pc: Float32Array = new Float32Array(0);
      let pv: Float32Array | null = null;
      tf.tidy(() => {
        const out = model.forward(b, false);
        const c = tf.sigmoid(out.click);
        pc = c.dataSync() as Float32Array;
        if (out.cvr) pv = tf.mul(c, tf.sigmoid(out.cvr)).dataSync() as Float32Array;
        else if (out.ctcvr) pv = tf.sigmoid(out.ctcvr).dataSync() as Float32Array;
      });
      disposeBatch(b);
      for (let k = 0; k < chunk.length; k++) click[chunk[k]] = pc[k];
      if (ctcvr && pv) for (let k = 0; k < chunk.length; k++) ctcvr[chunk[k]] = (pv as Float32Array)[k];
    }
  }
  return { click, ctcvr };
}

/** Mean over domains of the AUC on `rows` (domains without both labels are skipped). */
export function meanDomainAuc(ds: Dataset, scores: Float32Array, rows: Int32Array): number {
  const per = rowsByDomain(ds, rows)
    .map((dr) => auc(scores, ds.click, dr))
    .filter((x) => !Number.isNaN(x));
  return per.length ? per.reduce((a, b) => a + b, 0) / per.length : NaN;
}

interface LoopArgs {
  name: string;
  model: Trainable;
  vars: tf.Variable[];
  state: tf.Variable[];
  ds: Dataset;
  byDomain: Int32Array[];
  valid: Int32Array;
  epochs: number;
  patience: number;
  config: TrainingConfig;
  rng: ReturnType<typeof stream>;
  split: { train: Int32Array; valid: Int32Array };
  history: History;
  predict: (rows: Int32Array) => Predictions;
  onEvent: Listener;
  weighting: LossWeighting | null;
  /** Aborting it stops training at the next group of steps. */
  signal?: AbortSignal;
  /** The domain a per-domain strategy's model trains, named in its epoch events. */
  domain?: string;
}

const keptOf = (r: { curve: EpochPoint[]; bestEpoch: number }, domain: string | null): KeptEpoch => ({
  domain,
  epoch: r.bestEpoch,
  ran: r.curve.length,
  validAuc: r.curve[r.bestEpoch - 1]?.validAuc ?? NaN,
});

/** Epochs of Adam over the given domains' batches with early stopping; restores the best epoch. */
async function trainLoop(a: LoopArgs): Promise<{ curve: EpochPoint[]; bestEpoch: number; samples: number }> {
  const { model, ds, config } = a;
  const optimizer = adam(config.learningRate);
  const curve: EpochPoint[] = [];
  let best = -Infinity;
  let bestEpoch = 0;
  let snapshot: tf.Tensor[] | null = null;
  let sinceBest = 0;
  let samples = 0;
  const all = [...a.vars, ...a.state];
  for (let epoch = 1; epoch <= a.epochs; epoch++) {
    const te = performance.now();
    const batches = epochBatches(a.byDomain, config.batchSize, a.rng);
    let lossSum = 0;
    let lossCount = 0;
    const pending: tf.Scalar[] = [];
    for (let k = 0; k < batches.length; k++) {
      const loss = trainStep(
        model,
        optimizer,
        a.vars,
        ds,
        batches[k],
        { ds, train: a.split.train, history: a.history, rng: a.rng, weighting: a.weighting },
        config,
      );
      samples += batches[k].rows.length;
      pending.push(loss);
      // Reading the loss forces a sync; do it in groups and yield so listeners can draw.
      if (pending.length === 32 || k === batches.length - 1) {
        for (const p of pending) {
          lossSum += p.dataSync()[0];
          lossCount++;
          p.dispose();
        }
        pending.length = 0;
        const elapsed = (performance.now() - te) / 1000;
        const eta = (elapsed / (k + 1)) * (batches.length - k - 1) + (elapsed / (k + 1)) * batches.length * (a.epochs - epoch);
        a.onEvent({ type: 'step', strategy: a.name, epoch, step: k + 1, steps: batches.length, loss: lossSum / lossCount, etaSeconds: eta });
        await new Promise((r) => setImmediate(r));
        a.signal?.throwIfAborted();
      }
    }
    const validAuc = meanDomainAuc(ds, a.predict(a.valid).click, a.valid);
    const seconds = (performance.now() - te) / 1000;
    const loss = lossSum / Math.max(1, lossCount);
    curve.push({ domain: a.domain ?? null, epoch, loss, validAuc, seconds });
    if (validAuc > best) {
      best = validAuc;
      bestEpoch = epoch;
      sinceBest = 0;
      tf.dispose(snapshot ?? []);
      snapshot = all.map((v) => tf.clone(v));
    } else sinceBest++;
    const stopped = sinceBest >= a.patience;
    a.onEvent({
      type: 'epoch',
      strategy: a.name,
      domain: a.domain,
      epoch,
      epochs: a.epochs,
      loss,
      validAuc,
      seconds,
      etaSeconds: stopped ? 0 : seconds * (a.epochs - epoch),
      stopped,
    });
    if (stopped) break;
  }
  if (snapshot) {
    all.forEach((v, k) => v.assign(snapshot![k]));
    tf.dispose(snapshot);
  }
  optimizer.dispose();
  return { curve, bestEpoch, samples };
}

export async function fitStrategy(
  info: StrategyInfo,
  ds: Dataset,
  split: { train: Int32Array; valid: Int32Array },
  history: History,
  config: TrainingConfig,
  seed: number,
  onEvent: Listener = silent,
  signal?: AbortSignal,
): Promise<Trained> {
  const params = new Params(seed, `${info.trainsAs ?? info.name}/`);
  const model = info.create({ data: ds, config, params, prior: priorOf(ds, split.train) }) as Trainable;
  const weighting = lossWeighting(config, ds.domainNames, params);
  const rng = stream(seed, `train:${info.trainsAs ?? info.name}`);
  const byDomain = rowsByDomain(ds, split.train);
  const predict = (rows: Int32Array) => (model.predictRows ? model.predictRows(ds, rows, history) : predictPlain(model, ds, rows));
  const t0 = performance.now();
  onEvent({ type: 'strategy', strategy: info.name, status: 'start' });
  const common = { name: info.name, model, ds, config, rng, split, history, predict, onEvent, weighting, signal };
  let curve: EpochPoint[] = [];
  let bestEpoch = 0;
  let samples = 0;
  const kept: KeptEpoch[] = [];
  if (info.kind === 'per-domain') {
    // Independent models: each domain trains alone, with as many optimiser steps as the largest
    // domain gets (a small domain's model is otherwise under-trained, not just data-starved) and
    // its own early stopping on its own validation rows.
    const validByDomain = rowsByDomain(ds, split.valid);
    const largest = Math.max(...byDomain.map((r) => r.length));
    const perDomain = byDomain.map((rows, d) => {
      const scale = rows.length ? Math.min(50, Math.max(1, Math.round(largest / rows.length))) : 1;
      const mine = (v: tf.Variable) => v.name.includes(`/domain${d}/`);
      return { d, rows, scale, vars: params.list.filter(mine), state: params.state.filter(mine) };
    });
    const curves: EpochPoint[][] = [];
    for (const p of perDomain) {
      if (p.rows.length === 0) continue;
      const only = byDomain.map((r, k) => (k === p.d ? r : new Int32Array(0)));
      const r = await trainLoop({
        ...common,
        vars: p.vars,
        state: p.state,
        byDomain: only,
        valid: validByDomain[p.d],
        epochs: config.epochs * p.scale,
        patience: config.patience * p.scale,
        domain: ds.domainNames[p.d],
      });
      kept.push(keptOf(r, ds.domainNames[p.d]));
      curves.push(r.curve);
      samples += r.samples;
      bestEpoch = Math.max(bestEpoch, Math.ceil(r.bestEpoch / p.scale));
    }
    // Every domain model's curve, each marked with its domain.
    curve = curves.flat();
  } else {
    const r = await trainLoop({
      ...common,
      vars: params.list,
      state: params.state,
      byDomain,
      valid: split.valid,
      epochs: config.epochs,
      patience: config.patience,
    });
    curve = r.curve;
    bestEpoch = r.bestEpoch;
    samples = r.samples;
    kept.push(keptOf(r, null));
  }
  const seconds = (performance.now() - t0) / 1000;
  const samplesPerSecond = samples / seconds;
  onEvent({ type: 'strategy', strategy: info.name, status: 'end', seconds, samplesPerSecond, kept });
  return {
    strategy: info.name,
    model,
    params,
    weighting,
    curve,
    bestEpoch,
    seconds,
    samplesPerSecond,
    predict,
    score: (other, rows) => (model.predictRows ? model.predictRows(other, rows, history, ds) : predictPlain(model, other, rows)),
    varsFor: (d) => (info.kind === 'per-domain' ? params.list.filter((v) => v.name.includes(`/domain${d}/`)) : params.list),
    dispose: () => tf.dispose([...params.list, ...params.state]),
  };
}

/**
 * Incremental training of a trained model on new rows (an arm's own served log): `epochs` passes of
 * Adam over them in single-domain batches, no validation and no early stopping — the update a
 * production model gets from yesterday's logs. `train` is the original training period (MAML's meta
 * step samples its users there). Returns the mean batch loss.
 */
export function fineTune(
  t: Trained,
  ds: Dataset,
  rows: Int32Array,
  ctx: { train: Int32Array; history: History },
  config: TrainingConfig,
  epochs: number,
  optimizer: tf.Optimizer,
  rng: ReturnType<typeof stream>,
): number {
  const model = t.model as Trainable;
  let sum = 0;
  let count = 0;
  for (let e = 0; e < epochs; e++) {
    for (const b of epochBatches(rowsByDomain(ds, rows), config.batchSize, rng)) {
      const loss = trainStep(model, optimizer, t.varsFor(b.domain), ds, b, { ds, train: ctx.train, history: ctx.history, rng }, config);
      sum += loss.dataSync()[0];
      count++;
      loss.dispose();
    }
  }
  return count ? sum / count : NaN;
}
