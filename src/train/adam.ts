// Adam with one update for all variables of a step instead of one per variable.
//
// Where tensor data is memory this process can reach, each variable is updated in one pass with no
// kernels: on wasm by crossab's SIMD kernel on the backend's heap (moments in heap memory of the
// optimiser's own), on cpu by a JS loop (moments in plain arrays). Every operation is rounded to
// float32 as tfjs's kernels round it (+, ×, ÷ and √ are correctly rounded in all three, and wasm has
// no fused multiply-add), so the values stay tfjs's Adam to the bit. The new values go to new tensor
// data, never over the old: tfjs-wasm caches packed weights by tensor id, so a variable written in
// place would leave its matrix products reading the old values.
// On another backend (tfjs-node) the update is the kernel form below:
//
// tfjs's AdamOptimizer runs ~14 kernels per variable per step (moments, bias correction, update);
// a model with 60–100 variables spends more time dispatching those small kernels than computing
// them. This optimiser concatenates the step's gradients, moments and values into flat vectors,
// runs the same element-wise arithmetic once, and splits the results back: the same operations in
// the same order on every element, so the values are bit-identical to tfjs's Adam (test: adam.test).
// Semantics kept from tfjs: a variable without a gradient in a step is left alone (its moments do not
// decay), and the bias correction advances once per step for all variables.
import * as tf from '@tensorflow/tfjs-core';
import { wasmHeap, type WasmHeap } from '../tf/simd.js';

const f32 = Math.fround;
/** Elements from which a variable gets an Adam update of its own in the kernel form (2^20: 4 MB). */
const ALONE = 2 ** 20;

/** The cpu backend's arrays behind float32 tensors, or null on another backend. */
type Memory = {
  view(t: tf.TensorInfo): Float32Array;
  /** New data for a variable's next values. */
  fresh(shape: number[]): { info: tf.TensorInfo; values: Float32Array };
};

function memoryOf(backend: tf.KernelBackend): Memory | null {
  const be = backend as unknown as {
    data?: { get(id: object): { values: unknown } };
    makeTensorInfo?(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
  };
  if (tf.getBackend() !== 'cpu' || !be.data || !be.makeTensorInfo) return null;
  return {
    fresh: (shape) => {
      const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
      return { info: be.makeTensorInfo!(shape, 'float32', values), values };
    },
    view: (t) => {
      const v = be.data!.get(t.dataId).values;
      if (!(v instanceof Float32Array)) throw new Error('FusedAdam: a float32 tensor without float32 data');
      return v;
    },
  };
}

/**
 * m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², x ← x − lr · (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε), each
 * operation rounded to float32 in tfjs's order (the arithmetic of AdamOptimizer.applyGradients).
 */
function adamInto(x: Float32Array, out: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, k: AdamConstants): void {
  const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, oneMinusAcc1, oneMinusAcc2, epsilon, minusLr } = k;
  for (let i = 0; i < g.length; i++) {
    const gi = g[i];
    const mi = f32(f32(m[i] * beta1) + f32(gi * oneMinusBeta1));
    const vi = f32(f32(v[i] * beta2) + f32(f32(gi * gi) * oneMinusBeta2));
    m[i] = mi;
    v[i] = vi;
    const mHat = f32(mi / oneMinusAcc1);
    const vHat = f32(vi / oneMinusAcc2);
    out[i] = f32(f32(f32(mHat / f32(f32(Math.sqrt(vHat)) + epsilon)) * minusLr) + x[i]);
  }
}

interface AdamConstants {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  oneMinusAcc1: number;
  oneMinusAcc2: number;
  epsilon: number;
  minusLr: number;
}

export class FusedAdam extends tf.AdamOptimizer {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  /** The moments of the in-place update, by variable name. */
  private readonly moments = new Map<string, { m: Float32Array; v: Float32Array }>();
  /** On wasm, the moments' byte offsets in the backend's heap. */
  private readonly heapMoments = new Map<string, { m: number; v: number }>();
  private heapFree: ((at: number) => void) | null = null;
  private mode: 'heap' | 'arrays' | 'kernels' | null = null;
  /** β₁ᵗ and β₂ᵗ in float32, as tfjs's accBeta variables hold them. */
  private acc1: number;
  private acc2: number;

  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999) {
    super(learningRate, beta1, beta2);
    this.acc1 = f32(beta1);
    this.acc2 = f32(beta2);
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const pairs = (Array.isArray(variableGradients) ? variableGradients.map((g) => [g.name, g.tensor] as const) : Object.entries(variableGradients)).filter(
      (p): p is readonly [string, tf.Tensor] => p[1] != null,
    );
    if (pairs.length === 0) return;
    const heap = wasmHeap();
    const memory = heap ? null : memoryOf(tf.backend());
    const mode = heap ? 'heap' : memory ? 'arrays' : 'kernels';
    // The moments live where the first step put them.
    if ((this.mode ??= mode) !== mode) throw new Error(`FusedAdam: the backend changed during training (${this.mode} → ${mode})`);
    if (heap) this.onHeap(pairs, heap);
    else if (memory) this.onArrays(pairs, memory);
    else this.withKernels(pairs);
    (this as unknown as { incrementIterations(): void }).incrementIterations();
  }

  /** The scalars as tfjs makes them: float32 tensors of the JS numbers (1 − β computed in double first). */
  private constants(): AdamConstants {
    const self = this as unknown as { learningRate: number; beta1: number; beta2: number; epsilon: number };
    return {
      beta1: f32(self.beta1),
      oneMinusBeta1: f32(1 - self.beta1),
      beta2: f32(self.beta2),
      oneMinusBeta2: f32(1 - self.beta2),
      oneMinusAcc1: f32(1 - this.acc1),
      oneMinusAcc2: f32(1 - this.acc2),
      epsilon: f32(self.epsilon),
      minusLr: f32(-self.learningRate),
    };
  }

  /** wasm: the SIMD kernel on the backend's heap, the moments in heap memory of this optimiser's own. */
  private onHeap(pairs: (readonly [string, tf.Tensor])[], heap: WasmHeap): void {
    const k = this.constants();
    for (const [name, g] of pairs) {
      const x = tf.engine().registeredVariables[name];
      if (g.dtype !== 'float32' || g.size !== x.size) throw new Error(`FusedAdam: gradient of ${name} does not match the variable`);
      let mv = this.heapMoments.get(name);
      if (!mv) {
        const bytes = 4 * x.size;
        mv = { m: heap.malloc(bytes), v: heap.malloc(bytes) };
        heap.f32().fill(0, mv.m >> 2, (mv.m + bytes) >> 2);
        heap.f32().fill(0, mv.v >> 2, (mv.v + bytes) >> 2);
        this.heapMoments.set(name, mv);
        this.heapFree = heap.free;
      }
      const next = heap.output(x.shape);
      heap.kernels.adam(
        heap.at(x),
        heap.at(next),
        heap.at(g),
        mv.m,
        mv.v,
        x.size,
        k.beta1,
        k.oneMinusBeta1,
        k.beta2,
        k.oneMinusBeta2,
        k.oneMinusAcc1,
        k.oneMinusAcc2,
        k.epsilon,
        k.minusLr,
      );
      const t = tf.engine().makeTensorFromTensorInfo(next);
      x.assign(t);
      t.dispose();
    }
    this.acc1 = f32(this.acc1 * k.beta1);
    this.acc2 = f32(this.acc2 * k.beta2);
  }

  /** cpu: the same arithmetic as a JS loop over the backend's arrays. */
  private onArrays(pairs: (readonly [string, tf.Tensor])[], memory: Memory): void {
    const k = this.constants();
    for (const [name, g] of pairs) {
      const x = tf.engine().registeredVariables[name];
      let mv = this.moments.get(name);
      if (!mv) this.moments.set(name, (mv = { m: new Float32Array(x.size), v: new Float32Array(x.size) }));
      if (g.dtype !== 'float32' || g.size !== x.size) throw new Error(`FusedAdam: gradient of ${name} does not match the variable`);
      // Allocate first: the views below must be made after the heap last grew.
      const next = memory.fresh(x.shape);
      adamInto(memory.view(x), next.values, memory.view(g), mv.m, mv.v, k);
      const t = tf.engine().makeTensorFromTensorInfo(next.info);
      x.assign(t);
      t.dispose();
    }
    this.acc1 = f32(this.acc1 * k.beta1);
    this.acc2 = f32(this.acc2 * k.beta2);
  }

  /**
   * The same update as kernels (backends whose memory is not ours: tfjs-node). Small variables are
   * concatenated into one update, so a step dispatches ~14 kernels instead of ~14 per variable; a
   * large one (an embedding table) is updated alone, since concatenating it would copy it three times
   * more per step. Results go back by SplitV inside the backend, not read into JavaScript and copied
   * back in variable by variable.
   */
  private withKernels(pairs: (readonly [string, tf.Tensor])[]): void {
    const self = this as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable; beta1: number; beta2: number };
    const vars = pairs.map(([name]) => tf.engine().registeredVariables[name]);
    for (const x of vars) {
      if (!this.m.has(x.name)) {
        this.m.set(
          x.name,
          tf.tidy(() => tf.zerosLike(x).variable(false)),
        );
        this.v.set(
          x.name,
          tf.tidy(() => tf.zerosLike(x).variable(false)),
        );
      }
    }
    const indices = vars.map((_, k) => k);
    const groups = [indices.filter((k) => vars[k].size < ALONE), ...indices.filter((k) => vars[k].size >= ALONE).map((k) => [k])].filter((g) => g.length > 0);
    for (const group of groups)
      this.updateKernels(
        group.map((k) => vars[k]),
        group.map((k) => pairs[k][1]),
      );
    tf.tidy(() => {
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
  }

  /** One Adam update of `vars` as one flat vector, in tfjs's AdamOptimizer.applyGradients arithmetic. */
  private updateKernels(vars: tf.Variable[], grads: tf.Tensor[]): void {
    const self = this as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable; learningRate: number; beta1: number; beta2: number; epsilon: number };
    const sizes = vars.map((x) => x.size);
    const flat = (ts: tf.Tensor[]) => (ts.length === 1 ? tf.reshape(ts[0], [-1]) : tf.concat(ts.map((t) => tf.reshape(t, [-1]))));
    tf.tidy(() => {
      const oneMinusAccBeta1 = tf.sub(1, self.accBeta1);
      const oneMinusAccBeta2 = tf.sub(1, self.accBeta2);
      const gradient = flat(grads);
      const firstMoment = flat(vars.map((x) => this.m.get(x.name)!));
      const secondMoment = flat(vars.map((x) => this.v.get(x.name)!));
      const value = flat(vars);
      // The arithmetic of tfjs's AdamOptimizer.applyGradients, term for term.
      const newFirstMoment = tf.add(tf.mul(firstMoment, self.beta1), tf.mul(gradient, 1 - self.beta1));
      const newSecondMoment = tf.add(tf.mul(secondMoment, self.beta2), tf.mul(tf.square(gradient), 1 - self.beta2));
      const biasCorrectedFirstMoment = tf.div(newFirstMoment, oneMinusAccBeta1);
      const biasCorrectedSecondMoment = tf.div(newSecondMoment, oneMinusAccBeta2);
      const newValue = tf.add(tf.mul(tf.div(biasCorrectedFirstMoment, tf.add(tf.sqrt(biasCorrectedSecondMoment), self.epsilon)), -self.learningRate), value);
      const scatter = (t: tf.Tensor, into: (k: number) => tf.Variable) => {
        const parts = vars.length === 1 ? [t] : tf.split(t, sizes);
        vars.forEach((x, k) => into(k).assign(tf.reshape(parts[k], x.shape)));
      };
      scatter(newFirstMoment, (k) => this.m.get(vars[k].name)!);
      scatter(newSecondMoment, (k) => this.v.get(vars[k].name)!);
      scatter(newValue, (k) => vars[k]);
    });
  }

  // The moments live in this class's maps, not in the base class's lists, so tfjs's (de)serialisation
  // of optimiser state would be wrong: refuse it rather than save zeros.
  override async getWeights(): Promise<never> {
    throw new Error('FusedAdam: saving optimiser state is not supported');
  }

  override async setWeights(): Promise<never> {
    throw new Error('FusedAdam: restoring optimiser state is not supported');
  }

  override dispose(): void {
    super.dispose();
    tf.dispose([...this.m.values(), ...this.v.values()]);
    this.m.clear();
    this.v.clear();
    this.moments.clear();
    for (const { m, v } of this.heapMoments.values()) {
      this.heapFree!(m);
      this.heapFree!(v);
    }
    this.heapMoments.clear();
  }
}

/** The trainer's optimiser: Adam with tfjs's defaults (β₁ 0.9, β₂ 0.999, backend ε), fused. */
export function adam(learningRate: number): tf.Optimizer {
  return new FusedAdam(learningRate);
}
