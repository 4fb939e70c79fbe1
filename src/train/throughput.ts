// Training throughput of a strategy: optimiser steps on real batches, timed after a warm-up, with the
// same loss and step as the trainer (no validation, no early stopping).
import * as tf from '@tensorflow/tfjs-core';
import { adam } from './adam.js';
import type { TrainingConfig } from '../scenario/schema.js';
import { Params } from '../models/blocks.js';
import type { StrategyInfo } from '../models/model.js';
import { stream } from '../world/rng.js';
import { epochBatches, rowsByDomain, type Dataset } from '../data/dataset.js';
import type { History } from '../data/history.js';
import type { Trainable } from '../models/model.js';
import { priorOf, trainStep } from './step.js';
import { lossWeighting } from '../models/weighting.js';

export function trainingThroughput(
  info: StrategyInfo,
  ds: Dataset,
  train: Int32Array,
  history: History,
  config: TrainingConfig,
  batchSize: number,
  steps = 30,
  warmup = 5,
): number {
  const rng = stream(1, `bench:${info.name}`);
  const batches = epochBatches(rowsByDomain(ds, train), batchSize, rng).filter((b) => b.rows.length === batchSize);
  if (batches.length === 0) throw new Error(`trainingThroughput: no domain has a full batch of ${batchSize} rows`);
  const params = new Params(1, `bench-${info.name}/`);
  const model = info.create({ data: ds, config, params, prior: priorOf(ds, train) }) as Trainable;
  const weighting = lossWeighting(config, ds.domainNames, params);
  const optimizer = adam(config.learningRate);
  // As the trainer does: a per-domain model's step differentiates only its batch's domain's variables.
  const varsOf = (d: number) => (info.kind === 'per-domain' ? params.list.filter((v) => v.name.includes(`/domain${d}/`)) : params.list);
  const byDomainVars = Array.from({ length: ds.domains }, (_, d) => varsOf(d));
  let samples = 0;
  let t0 = 0;
  for (let k = 0; k < warmup + steps; k++) {
    if (k === warmup) t0 = performance.now();
    const spec = batches[k % batches.length];
    const loss = trainStep(model, optimizer, byDomainVars[spec.domain], ds, spec, { ds, train, history, rng, weighting }, config);
    loss.dataSync();
    loss.dispose();
    if (k >= warmup) samples += spec.rows.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  optimizer.dispose();
  tf.dispose([...params.list, ...params.state]);
  return samples / seconds;
}
