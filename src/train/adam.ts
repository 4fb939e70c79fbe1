// Adam with one update for all variables of a step instead of one per variable.
//
// tfjs's AdamOptimizer runs ~14 kernels per variable per step (moments, bias correction, update);
// a model with 60–100 variables spends more time dispatching those small kernels than computing
// them. This optimiser concatenates the step's gradients, moments and values into flat vectors,
// runs the same element-wise arithmetic once, and splits the results back: the same operations in
// the same order on every element, so the values are bit-identical to tfjs's Adam (test: adam.test).
// Semantics kept from tfjs: a variable without a gradient in a step is left alone (its moments do not
// decay), and the bias correction advances once per step for all variables.
import * as tf from '@tensorflow/tfjs-core';

export class FusedAdam extends tf.AdamOptimizer {
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999) {
    super(learningRate, beta1, beta2);
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const pairs = (Array.isArray(variableGradients) ? variableGradients.map((g) => [g.name, g.tensor] as const) : Object.entries(variableGradients)).filter(
      (p): p is readonly [string, tf.Tensor] => p[1] != null,
    );
    if (pairs.length === 0) return;
    const self = this as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable; learningRate: number; beta1: number; beta2: number; epsilon: number };
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
    const sizes = vars.map((x) => x.size);
    const flat = (ts: tf.Tensor[]) => (ts.length === 1 ? tf.reshape(ts[0], [-1]) : tf.concat(ts.map((t) => tf.reshape(t, [-1]))));
    tf.tidy(() => {
      const oneMinusAccBeta1 = tf.sub(1, self.accBeta1);
      const oneMinusAccBeta2 = tf.sub(1, self.accBeta2);
      const gradient = flat(pairs.map((p) => p[1]));
      const firstMoment = flat(vars.map((x) => this.m.get(x.name)!));
      const secondMoment = flat(vars.map((x) => this.v.get(x.name)!));
      const value = flat(vars);
      // The arithmetic of tfjs's AdamOptimizer.applyGradients, term for term.
      const newFirstMoment = tf.add(tf.mul(firstMoment, self.beta1), tf.mul(gradient, 1 - self.beta1));
      const newSecondMoment = tf.add(tf.mul(secondMoment, self.beta2), tf.mul(tf.square(gradient), 1 - self.beta2));
      const biasCorrectedFirstMoment = tf.div(newFirstMoment, oneMinusAccBeta1);
      const biasCorrectedSecondMoment = tf.div(newSecondMoment, oneMinusAccBeta2);
      const newValue = tf.add(tf.mul(tf.div(biasCorrectedFirstMoment, tf.add(tf.sqrt(biasCorrectedSecondMoment), self.epsilon)), -self.learningRate), value);
      // Back into per-variable tensors through one read each: the backends' SplitV slices one output
      // at a time (wasm: ~1.5 ms per split of 60 parts), slower than the whole update.
      const scatter = (t: tf.Tensor, into: (k: number) => tf.Variable) => {
        const data = t.dataSync() as Float32Array;
        let at = 0;
        vars.forEach((x, k) => {
          into(k).assign(tf.tensor(data.subarray(at, at + sizes[k]), x.shape, 'float32'));
          at += sizes[k];
        });
      };
      scatter(newFirstMoment, (k) => this.m.get(vars[k].name)!);
      scatter(newSecondMoment, (k) => this.v.get(vars[k].name)!);
      scatter(newValue, (k) => vars[k]);
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    (this as unknown as { incrementIterations(): void }).incrementIterations();
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
  }
}

/** The trainer's optimiser: Adam with tfjs's defaults (β₁ 0.9, β₂ 0.999, backend ε), fused. */
export function adam(learningRate: number): tf.Optimizer {
  return new FusedAdam(learningRate);
}
