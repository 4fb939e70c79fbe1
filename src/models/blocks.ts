// Building blocks shared by every strategy: feature embedding with masking, dense layers, MLPs,
// experts, gates and towers. Every initialiser is seeded from the run seed and the block's name.
import * as tf from '@tensorflow/tfjs-core';
import { tfSeed } from '../world/rng.js';
import { dense, denseBank, type Activation } from '../tf/dense.js';
import { mix } from '../tf/mix.js';
import { embed } from '../tf/embed.js';
import type { Batch } from '../data/dataset.js';

/**
 * Owns the variables of a model and names them uniquely; gives each a derived non-zero seed. A
 * `shapesOnly` instance allocates nothing: it records each variable's name and shape, so a model's
 * size can be known before it is built (a stand-in with `name`, `shape` and `size` is returned).
 */
export class Params {
  /** Trainable variables, and state that is saved with them but not trained (e.g. moving statistics). */
  readonly list: tf.Variable[] = [];
  readonly state: tf.Variable[] = [];
  constructor(
    private readonly seed: number,
    private readonly prefix = '',
    private readonly shapesOnly = false,
  ) {}
  scope(name: string): Params {
    const child = new Params(this.seed, `${this.prefix}${name}/`, this.shapesOnly);
    (child as { list: tf.Variable[] }).list = this.list;
    (child as { state: tf.Variable[] }).state = this.state;
    return child;
  }
  /** He-uniform weights (variance 2 / fan-in): keeps ReLU stacks from shrinking into dead units. */
  he(name: string, shape: number[]): tf.Variable {
    const fanIn = shape.length > 1 ? shape[shape.length - 2] : shape[0];
    const limit = Math.sqrt(6 / fanIn);
    return this.add(name, shape, () => tf.randomUniform(shape, -limit, limit, 'float32', tfSeed(this.seed, this.prefix + name)));
  }
  /** Glorot-uniform weights (for linear outputs and gates). */
  glorot(name: string, shape: number[]): tf.Variable {
    const fanIn = shape.length > 1 ? shape[shape.length - 2] : shape[0];
    const fanOut = shape[shape.length - 1];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return this.add(name, shape, () => tf.randomUniform(shape, -limit, limit, 'float32', tfSeed(this.seed, this.prefix + name)));
  }
  normal(name: string, shape: number[], sd: number): tf.Variable {
    return this.add(name, shape, () => tf.truncatedNormal(shape, 0, sd, 'float32', tfSeed(this.seed, this.prefix + name)));
  }
  /** A variable starting at the given values. */
  values(name: string, shape: number[], values: number[], trainable = true): tf.Variable {
    return this.add(name, shape, () => tf.tensor(values, shape, 'float32'), trainable);
  }
  constant(name: string, shape: number[], value: number, trainable = true): tf.Variable {
    return this.add(name, shape, () => tf.fill(shape, value), trainable);
  }
  /** Change a variable's starting values (e.g. shrink them); nothing to do for a shapes-only model. */
  adjust(v: tf.Variable, change: (x: tf.Variable) => tf.Tensor): void {
    if (!this.shapesOnly) tf.tidy(() => v.assign(change(v)));
  }
  private add(name: string, shape: number[], init: () => tf.Tensor, trainable = true): tf.Variable {
    const full = `${this.prefix}${name}#${uid++}`;
    let v: tf.Variable;
    if (this.shapesOnly) v = { name: full, shape, size: shape.reduce((a, b) => a * b, 1), dtype: 'float32' } as unknown as tf.Variable;
    else {
      const t = init();
      v = tf.variable(t, trainable, full);
      t.dispose();
    }
    (trainable ? this.list : this.state).push(v);
    return v;
  }
}
let uid = 0;

export type { Activation };

export class Dense {
  readonly w: tf.Variable;
  readonly b: tf.Variable;
  constructor(
    p: Params,
    name: string,
    readonly inDim: number,
    readonly outDim: number,
    readonly activation: Activation = 'relu',
    biasInit = 0,
  ) {
    this.w = activation === 'relu' ? p.he(`${name}/w`, [inDim, outDim]) : p.glorot(`${name}/w`, [inDim, outDim]);
    this.b = p.constant(`${name}/b`, [outDim], biasInit);
  }
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return dense(x, this.w as tf.Tensor2D, this.b as tf.Tensor1D, this.activation);
  }
}

export class MLP {
  readonly layers: Dense[];
  readonly outDim: number;
  constructor(p: Params, name: string, inDim: number, hidden: number[], lastActivation: Activation = 'relu') {
    let d = inDim;
    this.layers = hidden.map((h, k) => {
      const layer = new Dense(p, `${name}/${k}`, d, h, k === hidden.length - 1 ? lastActivation : 'relu');
      d = h;
      return layer;
    });
    this.outDim = d;
  }
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return this.layers.reduce((h, l) => l.apply(h), x);
  }
}

/** A tower: an MLP ending in one logit per row. */
export class Tower {
  readonly mlp: MLP;
  readonly head: Dense;
  /** `prior`: the logit of the label's base rate; starting there keeps the first steps from killing ReLUs. */
  constructor(p: Params, name: string, inDim: number, hidden: number[], prior = 0) {
    this.mlp = new MLP(p, `${name}/mlp`, inDim, hidden);
    this.head = new Dense(p, `${name}/head`, this.mlp.outDim, 1, 'linear', prior);
  }
  apply(x: tf.Tensor2D): tf.Tensor1D {
    return tf.reshape(this.head.apply(this.mlp.apply(x)), [-1]) as tf.Tensor1D;
  }
}

/** What a gate mixed in one forward pass: its weights [B, n] and the n experts' outputs, under the gate's name within the model. */
export interface GateRecord {
  gate: string;
  weights: tf.Tensor2D;
  experts: tf.Tensor2D[];
}

// A diagnostic forward pass (train/experts.ts) records every mixture it computes; null otherwise.
let probe: { names: Map<number, string>; gates: GateRecord[] } | null = null;

/** Runs `f` (a forward pass, inside the caller's tidy) and returns the mixtures it computed: every gate and what it mixed. */
export function recordMixtures(f: () => void): GateRecord[] {
  probe = { names: new Map(), gates: [] };
  try {
    f();
    return probe.gates;
  } finally {
    probe = null;
  }
}

/** Mark `weights` as the gate called `name`, so a diagnostic pass (recordMixtures) reports it under that name; returns them. */
export function namedGate(weights: tf.Tensor2D, name: string): tf.Tensor2D {
  probe?.names.set(weights.id, name);
  return weights;
}

/** A softmax gate over `n` experts: [B, in] → [B, n]. */
export class Gate {
  readonly dense: Dense;
  /** Its name within the model ('gate1', 'level0/gateShared'): the variable's, without the strategy and the weight. */
  readonly name: string;
  constructor(
    p: Params,
    name: string,
    inDim: number,
    readonly n: number,
  ) {
    this.dense = new Dense(p, name, inDim, n, 'linear');
    this.name = this.dense.w.name.replace(/^[^/]*\//, '').replace(/\/w#\d+$/, '');
  }
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return namedGate(tf.softmax(this.dense.apply(x)) as tf.Tensor2D, this.name);
  }
}

/** The Gate NU's scale γ (PEPNet, KDD 2023, §3.2): a gate's factors lie in (0, γ). */
export const GATE_SCALE = 2;

/** The Gate NU (PPNet / PEPNet / POSO): γ·σ(W₂·relu(W₁x + b₁) + b₂), its output layer at zero (a transparent gate). */
export class GateNU {
  readonly hidden: Dense;
  readonly out: Dense;
  constructor(p: Params, name: string, inDim: number, hiddenDim: number, outDim: number) {
    this.hidden = new Dense(p, `${name}/0`, inDim, hiddenDim);
    this.out = new Dense(p, `${name}/1`, hiddenDim, outDim, 'linear');
    p.adjust(this.out.w, (w) => tf.zerosLike(w));
  }
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.mul(GATE_SCALE, tf.sigmoid(this.out.apply(this.hidden.apply(x)))) as tf.Tensor2D;
  }
}

/** Σ_k gate[:, k] · experts[k] for experts of equal width. */
export function mixExperts(gate: tf.Tensor2D, experts: tf.Tensor2D[]): tf.Tensor2D {
  if (probe) probe.gates.push({ gate: probe.names.get(gate.id) ?? 'gate', weights: gate, experts });
  return mix(gate, experts);
}

/**
 * Experts of one architecture applied to the same input: their first layers (the widest: they read
 * the embedded features) run as one bank (tf/dense.ts: the weights side by side, without copying
 * them side by side on wasm), the deeper layers per expert. Same variables (and initial values) as
 * applying each MLP alone. Returns the n expert outputs.
 */
export function applyExperts(experts: MLP[], x: tf.Tensor2D): tf.Tensor2D[] {
  if (experts.length <= 1) return experts.map((e) => e.apply(x));
  const first = experts.map((e) => e.layers[0]);
  const parts = denseBank(
    x,
    first.map((l) => l.w as tf.Tensor2D),
    first.map((l) => l.b as tf.Tensor1D),
    first[0].activation,
  );
  return experts.map((e, k) => e.layers.slice(1).reduce((h, l) => l.apply(h), parts[k]));
}

/**
 * One level of a multi-level expert network (PLE, AdaTT): each domain's experts read that domain's
 * input and the shared experts the shared input. On the first level all inputs are the features, so
 * every expert runs in one product.
 */
export function levelExperts(
  perDomain: MLP[][],
  shared: MLP[],
  inputs: tf.Tensor2D[],
  sharedIn: tf.Tensor2D,
  first: boolean,
): { domain: tf.Tensor2D[][]; shared: tf.Tensor2D[] } {
  if (!first) return { domain: perDomain.map((es, d) => applyExperts(es, inputs[d])), shared: applyExperts(shared, sharedIn) };
  const all = applyExperts([...perDomain.flat(), ...shared], sharedIn);
  let at = 0;
  const domain = perDomain.map((g) => all.slice(at, (at += g.length)));
  return { domain, shared: all.slice(at) };
}

/**
 * Embedding of a domain's logged features: one concatenated table for all categorical fields (one
 * gather, one segment-sum in the gradient), masked where a domain does not log a field, followed by
 * the standardised numeric fields. Output width: fc · dim + fn.
 */
export class FeatureEmbedding {
  readonly table: tf.Variable;
  readonly outDim: number;
  constructor(
    p: Params,
    name: string,
    tableRows: number,
    readonly fc: number,
    readonly fn: number,
    readonly dim: number,
  ) {
    this.table = p.normal(`${name}/table`, [tableRows, dim], 0.05);
    this.outDim = fc * dim + fn;
  }
  apply(b: Batch): tf.Tensor2D {
    return embed(this.table as tf.Tensor2D, b, this.fc, this.fn, this.dim);
  }
}

/** A learned embedding of the domain ID: [B] int → [B, dim]. */
export class DomainEmbedding {
  readonly table: tf.Variable;
  constructor(
    p: Params,
    name: string,
    domains: number,
    readonly dim: number,
  ) {
    this.table = p.normal(`${name}/domain`, [domains, dim], 0.05);
  }
  apply(b: Batch): tf.Tensor2D {
    return tf.gather(this.table, b.domainIds) as tf.Tensor2D;
  }
}
