// A dense layer, y = act(x·W + b), as one kernel forward and one kernel backward on wasm.
//
// Inside a gradient tape tfjs does not fuse a dense layer: it records a product, a bias add and a
// ReLU, and their gradients run ~10 kernels (a step mask, a product, transposes, a sum, reshapes and
// copies), each paying the engine's per-kernel cost; for the default scenario's small layers that
// cost, not arithmetic, was most of a training step. Here the forward is one SIMD kernel and the
// backward one kernel computing dx, dW and db together. Every value is tfjs's to the bit (the same
// products in the same order, the bias where tfjs adds it, ReLU and its gradient as tfjs's kernels
// compute them; test/tf/dense.test.ts). Other backends use tfjs's fused op.
import * as tf from '@tensorflow/tfjs-core';
import { wasmHeap } from './simd.js';

export type Activation = 'relu' | 'linear';

const FORWARD = 'CrossabDense';
const BACKWARD = 'CrossabDenseGrad';

type Backend = { disposeData(id: object): void };

const forwardKernel: tf.KernelConfig = {
  kernelName: FORWARD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { x, w, b } = inputs as { x: tf.TensorInfo; w: tf.TensorInfo; b: tf.TensorInfo };
    const heap = wasmHeap()!;
    const [rows, k] = x.shape;
    const n = w.shape[1];
    const y = heap.output([rows, n]);
    const { relu, biasFirst } = attrs as { relu: boolean; biasFirst: boolean };
    heap.kernels.matmulNN(heap.at(x), heap.at(w), heap.at(y), heap.at(b), rows, k, n, relu, biasFirst);
    return y;
  },
};

const backwardKernel: tf.KernelConfig = {
  kernelName: BACKWARD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x, w, y, dy } = inputs as { x: tf.TensorInfo; w: tf.TensorInfo; y: tf.TensorInfo; dy: tf.TensorInfo };
    const heap = wasmHeap()!;
    const at = heap.at;
    const [rows, k] = x.shape;
    const n = w.shape[1];
    const dx = heap.output([rows, k]);
    const dw = heap.output([k, n]);
    const db = heap.output([n]);
    const wT = heap.output([n, k]);
    // The pre-activation's gradient: dy · step(y) for ReLU (y > 0 exactly where x·W + b > 0).
    const dz = (attrs as { relu: boolean }).relu ? heap.output([rows, n]) : dy;
    if (dz !== dy) heap.kernels.reluGrad(at(dy), at(y), at(dz), rows * n);
    heap.kernels.transpose(at(w), at(wT), k, n);
    heap.kernels.matmulNN(at(dz), at(wT), at(dx), 0, rows, n, k, false, false);
    heap.kernels.matmulTN(at(x), at(dz), at(dw), rows, k, n);
    heap.kernels.sumMiddle(at(dz), at(db), 1, rows, n);
    const be = backend as unknown as Backend;
    be.disposeData(wT.dataId);
    if (dz !== dy) be.disposeData(dz.dataId);
    return [dx, dw, db];
  },
};

/** Register the dense kernels for wasm (when crossab's SIMD kernels load); idempotent. */
export function installDenseKernels(): void {
  if (tf.getKernel(FORWARD, 'wasm') || !wasmHeap()) return;
  tf.registerKernel(forwardKernel);
  tf.registerKernel(backwardKernel);
  tf.registerKernel(bankBackward);
}

/**
 * Whether tfjs would fuse this layer, the bias starting XNNPACK's accumulator: always, except a ReLU
 * layer under a gradient tape, which it runs as product, then bias, then ReLU. The same choice, the
 * same bits.
 */
const fusesBias = (relu: boolean) => !relu || (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth === 0;

const withGradient = (relu: boolean) =>
  tf.customGrad((x, w, b, save) => {
    const biasFirst = fusesBias(relu);
    const y = tf.engine().runKernel(FORWARD, { x, w, b } as unknown as tf.NamedTensorMap, { relu, biasFirst } as never) as tf.Tensor2D;
    (save as tf.GradSaveFunc)([x as tf.Tensor, w as tf.Tensor, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws, ys] = saved;
        return tf.engine().runKernel(BACKWARD, { x: xs, w: ws, y: ys, dy } as unknown as tf.NamedTensorMap, { relu } as never) as tf.Tensor[];
      },
    };
  });
const reluLayer = withGradient(true);
const linearLayer = withGradient(false);

/** act(x·w + b) for x [rows, in], w [in, out], b [out]. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: Activation): tf.Tensor2D {
  const fast = tf.getBackend() === 'wasm' && tf.getKernel(FORWARD, 'wasm') && x.dtype === 'float32' && x.rank === 2 && w.rank === 2 && b.rank === 1;
  if (!fast) return tf.fused.matMul({ a: x, b: w, bias: b, activation }) as tf.Tensor2D;
  if (x.shape[1] !== w.shape[0] || b.shape[0] !== w.shape[1]) throw new Error(`dense: shapes ${x.shape} · ${w.shape} + ${b.shape} do not match`);
  return (activation === 'relu' ? reluLayer : linearLayer)(x, w, b) as tf.Tensor2D;
}

// A bank of n dense layers reading the same input (the first layers of a mixture's experts): the
// forward is n products (each output column's sum is the same whether the weights sit side by side
// or not); the backward's dx is one product over all n layers' columns in order, as tfjs computes
// it for the weights side by side (concat, one product, split), so the bits do not change, without
// the concats and splits of weights, biases, outputs and their gradients.
const BANK = 'CrossabDenseBank';
const BANK_GRAD = 'CrossabDenseBankGrad';
const bankName = (n: number) => `${BANK}${n}`;

const bankForward = (n: number): tf.KernelConfig => ({
  kernelName: bankName(n),
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const named = inputs as Record<string, tf.TensorInfo>;
    const { relu, biasFirst } = attrs as { relu: boolean; biasFirst: boolean };
    const heap = wasmHeap()!;
    const x = named.x;
    const [rows, k] = x.shape;
    return Array.from({ length: n }, (_, i) => {
      const w = named[`w${i}`];
      const h = w.shape[1];
      const y = heap.output([rows, h]);
      heap.kernels.matmulNN(heap.at(x), heap.at(w), heap.at(y), heap.at(named[`b${i}`]), rows, k, h, relu, biasFirst);
      return y;
    });
  },
});

const bankBackward: tf.KernelConfig = {
  kernelName: BANK_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const named = inputs as Record<string, tf.TensorInfo>;
    const { relu, n } = attrs as { relu: boolean; n: number };
    const heap = wasmHeap()!;
    const at = heap.at;
    const x = named.x;
    const [rows, k] = x.shape;
    const widths = Array.from({ length: n }, (_, i) => named[`w${i}`].shape[1]);
    const total = widths.reduce((a, b) => a + b, 0);
    // dz of all layers side by side [rows, Σh], and the weights transposed and stacked [Σh, k].
    const dz = heap.output([rows, total]);
    const wT = heap.output([total, k]);
    const dws = widths.map((h) => heap.output([k, h]));
    const dbs = widths.map((h) => heap.output([h]));
    const dx = heap.output([rows, k]);
    const scratch = heap.output([rows, Math.max(...widths)]);
    let col = 0;
    for (let i = 0; i < n; i++) {
      const h = widths[i];
      const dzi = relu ? scratch : named[`dy${i}`];
      if (relu) heap.kernels.reluGrad(at(named[`dy${i}`]), at(named[`y${i}`]), at(scratch), rows * h);
      heap.kernels.matmulTN(at(x), at(dzi), at(dws[i]), rows, k, h);
      heap.kernels.sumMiddle(at(dzi), at(dbs[i]), 1, rows, h);
      heap.kernels.placeColumns(at(dzi), at(dz), rows, h, total, col);
      heap.kernels.transpose(at(named[`w${i}`]), at(wT) + 4 * col * k, k, h);
      col += h;
    }
    heap.kernels.matmulNN(at(dz), at(wT), at(dx), 0, rows, total, k, false, false);
    const be = backend as unknown as Backend;
    for (const t of [dz, wT, scratch]) be.disposeData(t.dataId);
    return [dx, ...dws, ...dbs];
  },
};

function installBank(n: number): void {
  if (tf.getKernel(bankName(n), 'wasm')) return;
  tf.registerKernel(bankForward(n));
  const ws = Array.from({ length: n }, (_, i) => `w${i}`);
  tf.registerGradient({
    kernelName: bankName(n),
    inputsToSave: ['x', ...ws],
    outputsToSave: new Array<boolean>(n).fill(true),
    gradFunc: (dys, saved, attrs) => {
      const [x, ...rest] = saved;
      const inputs: Record<string, tf.Tensor> = { x };
      for (let i = 0; i < n; i++) {
        inputs[`w${i}`] = rest[i];
        inputs[`y${i}`] = rest[n + i];
        inputs[`dy${i}`] = (dys as tf.Tensor[])[i];
      }
      const [dx, ...grads] = tf
        .engine()
        .runKernel(BANK_GRAD, inputs as tf.NamedTensorMap, { relu: (attrs as { relu: boolean }).relu, n } as never) as tf.Tensor[];
      const out: Record<string, () => tf.Tensor> = { x: () => dx };
      for (let i = 0; i < n; i++) {
        out[`w${i}`] = () => grads[i];
        out[`b${i}`] = () => grads[n + i];
      }
      return out;
    },
  });
}

/** n dense layers act(x·w_i + b_i) on one input x [rows, in]; the outputs in order. */
export function denseBank(x: tf.Tensor2D, ws: tf.Tensor2D[], bs: tf.Tensor1D[], activation: Activation): tf.Tensor2D[] {
  const fast = tf.getBackend() === 'wasm' && tf.getKernel(FORWARD, 'wasm') && x.dtype === 'float32' && x.rank === 2;
  if (!fast || ws.length === 1) {
    if (ws.length === 1) return [dense(x, ws[0], bs[0], activation)];
    const wide = tf.fused.matMul({ a: x, b: tf.concat(ws, 1) as tf.Tensor2D, bias: tf.concat(bs), activation }) as tf.Tensor2D;
    return tf.split(
      wide,
      ws.map((w) => w.shape[1]),
      1,
    ) as tf.Tensor2D[];
  }
  ws.forEach((w, i) => {
    if (w.shape[0] !== x.shape[1] || bs[i].shape[0] !== w.shape[1])
      throw new Error(`denseBank: layer ${i}'s shapes ${w.shape} + ${bs[i].shape} do not match ${x.shape}`);
  });
  const n = ws.length;
  installBank(n);
  const relu = activation === 'relu';
  const biasFirst = fusesBias(relu);
  const inputs: Record<string, tf.Tensor> = { x };
  ws.forEach((w, i) => {
    inputs[`w${i}`] = w;
    inputs[`b${i}`] = bs[i];
  });
  return tf.engine().runKernel(bankName(n), inputs as tf.NamedTensorMap, { relu, biasFirst } as never) as tf.Tensor2D[];
}
