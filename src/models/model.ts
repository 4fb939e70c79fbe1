// The strategy interface: every modelling strategy is a Model built from the shared blocks.
import type * as tf from '@tensorflow/tfjs-core';
import type { TrainingConfig } from '../scenario/schema.js';
import type { Batch, Dataset } from '../data/dataset.js';
import type { History } from '../data/history.js';
import type { stream } from '../world/rng.js';
import type { Params } from './blocks.js';
import type { LossWeighting } from './weighting.js';

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

/**
 * The training settings that belong to some strategies only (the rest — epochs, batch size, learning
 * rate, embedding width, hidden and tower layers, patience, L2, loss weights — every strategy reads).
 */
export const STRATEGY_SETTINGS = ['experts', 'levels', 'specificExperts', 'loraRank', 'softSharing', 'sluiceOrthogonality', 'hamurRank', 'maml'] as const;
export type StrategySetting = (typeof STRATEGY_SETTINGS)[number];

export interface StrategyInfo {
  name: string;
  /** The strategy-specific settings it reads (a test checks the list against what it reads); none when absent. */
  settings?: readonly StrategySetting[];
  /** One line: what it is and the paper it follows. */
  summary: string;
  create(ctx: StrategyContext): Model;
  /**
   * Training time relative to shared-bottom's (1 when absent), from measured samples/s on the default
   * scenario: a pool starts the slowest first so the last worker is not left with it.
   */
  cost?: number;
  /** 'per-domain': independent per-domain models, trained one domain at a time. */
  kind?: 'plain' | 'maml' | 'per-domain';
  /**
   * Train exactly as this other strategy does (its initial weights and batch order): a variant that
   * differs only in how it serves (maml-serve) then has the same weights, so an A/B test of the two
   * measures the serving alone.
   */
  trainsAs?: string;
  /**
   * What in the training settings this strategy cannot train with, as the field and the reason (null
   * when it can): checked before anything is generated, for a scenario's strategies at load and for
   * those a flag names when a command resolves them.
   */
  refuse?(config: TrainingConfig): { field: string; reason: string } | null;
}

export interface Predictions {
  click: Float32Array;
  /** pCTCVR = pCTR · pCVR for conversion models. */
  ctcvr?: Float32Array;
}

export interface StepContext {
  ds: Dataset;
  /** Training-period rows: the only rows a step may learn from. */
  train: Int32Array;
  history: History;
  rng: ReturnType<typeof stream>;
  /** Domain / task loss weights (training.lossWeights), when set. */
  weighting?: LossWeighting | null;
}

/** A model's extra loss term for one step (MAML's meta loss), prepared outside the gradient tape. */
export interface StepLoss {
  loss(): tf.Scalar;
  dispose(): void;
}

export interface Trainable extends Model {
  stepLoss?(ctx: StepContext): StepLoss | null;
  /** Own scoring (e.g. per-user adaptation) instead of plain forward passes. */
  predictRows?(ds: Dataset, rows: Int32Array, history: History, supportDs?: Dataset): Predictions;
}

/** Rows scored per forward pass when predicting. */
export const PREDICT_CHUNK = 4096;
