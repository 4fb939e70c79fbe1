// A dense layer, y = act(x·W + b), as one kernel forward and one kernel backward on wasm.
//
// Inside a gradient tape tfjs does not fuse a dense layer: it records a product, a bias add and a
// ReLU, and their gradients run ~10 kernels (a step mask, a product, transposes, a sum, reshapes and
// copies), each paying the engine's per-kernel cost; for the default scenario's small layers that
// cost, not arithmetic, was most of a training step. Here the forward is one SIMD kernel and the
// backward one kernel computing dx, dW and db together. Every value is the unfused graph's to the
// bit (the same products in the same order, the bias added after, ReLU and its gradient as tfjs's
// kernels compute them; test/tf/dense.test.ts). Other backends use tfjs's fused op.
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
}

const withGradient = (relu: boolean) =>
  tf.customGrad((x, w, b, save) => {
    // tfjs fuses the layer (bias first, in XNNPACK's accumulator) except for a ReLU layer under a
    // gradient tape, which it runs as product, then bias, then ReLU: the same choice, the same bits.
    const biasFirst = !relu || (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth === 0;
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
