// The strategy interface: every modelling strategy is a Model built from the shared blocks.
import type * as tf from '@tensorflow/tfjs-core';
import type { TrainingConfig } from '../scenario/schema.js';
import type { Batch, Dataset } from '../data/dataset.js';
import type { Params } from './blocks.js';

export interface StrategyContext {
  /** Domains, embedding table size and field counts of the data. */
  data: Pick<Dataset, 'domains' | 'tableRows' | 'fc' | 'fn' | 'commonCat'>;
  config: TrainingConfig;
  params: Params;
  /** Logits of the training base rates: clicks per domain and overall, conversions given a click per domain. */
  prior: Prior;
}

export interface Prior {
  click: number[];
  clickAll: number;
  cvr: number[];
}

/** Logits: click, and (for conversion models) the logit of pCVR = P(conversion | click). */
export interface Outputs {
  click: tf.Tensor1D;
  cvr?: tf.Tensor1D;
  /** Or the logit of P(click and conversion) itself, learned on every impression (AITM). */
  ctcvr?: tf.Tensor1D;
  /** An extra training loss the model computes with its outputs (AITM's calibrator). */
  penalty?: tf.Scalar;
}

export interface Model {
  /** True when the model predicts conversion (ESMM: pCTCVR = pCTR · pCVR; AITM: pCTCVR directly). */
  readonly conversion: boolean;
  forward(b: Batch, training: boolean): Outputs;
  /** Called after each optimiser step (e.g. to update moving statistics recorded in forward). */
  afterStep?(): void;
}

export interface StrategyInfo {
  name: string;
  /** One line: what it is and the paper it follows. */
  summary: string;
  create(ctx: StrategyContext): Model;
  /** 'per-domain': independent per-domain models, trained one domain at a time. */
  kind?: 'plain' | 'maml' | 'per-domain';
}
