// The gate-weighted mix of experts, Σ_k gate[:, k] · expert_k (MMoE, PLE, AdaTT…), as one kernel
// forward and one backward on wasm. tfjs builds it from a stack, a broadcast product and a sum, and
// differentiates it through an unstack, two products and a sum: seven kernels and their copies of
// the n experts. Here each expert is read once each way, the same float operations in the same order
// (the products added expert by expert from zero; each gate gradient a dot product in column order),
// so every value is the same to the bit (test/tf/mix.test.ts). Other backends use tfjs's ops.
import * as tf from '@tensorflow/tfjs-core';
import { wasmHeap } from './simd.js';

const FORWARD = 'CrossabMix';
const BACKWARD = 'CrossabMixGrad';

const experts = (inputs: Record<string, tf.TensorInfo>, n: number) => Array.from({ length: n }, (_, k) => inputs[`e${k}`]);

const forwardKernel: tf.KernelConfig = {
  kernelName: FORWARD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { n } = attrs as { n: number };
    const gate = (inputs as Record<string, tf.TensorInfo>).gate;
    const es = experts(inputs as Record<string, tf.TensorInfo>, n);
    const heap = wasmHeap()!;
    const [rows, h] = es[0].shape;
    const out = heap.output([rows, h]);
    for (let k = 0; k < n; k++) heap.kernels.mixAdd(heap.at(out), heap.at(es[k]), heap.at(gate), n, k, rows, h, k === 0);
    return out;
  },
};

const backwardKernel: tf.KernelConfig = {
  kernelName: BACKWARD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { n } = attrs as { n: number };
    const { gate, dy } = inputs as Record<string, tf.TensorInfo>;
    const es = experts(inputs as Record<string, tf.TensorInfo>, n);
    const heap = wasmHeap()!;
    const [rows, h] = es[0].shape;
    const dGate = heap.output([rows, n]);
    const dEs = es.map(() => heap.output([rows, h]));
    for (let k = 0; k < n; k++) heap.kernels.mixGrad(heap.at(dy), heap.at(es[k]), heap.at(gate), heap.at(dEs[k]), heap.at(dGate), n, k, rows, h);
    return [dGate, ...dEs];
  },
};

/** Register the mix kernels for wasm (when crossab's SIMD kernels load); idempotent. */
export function installMixKernels(): void {
  if (tf.getKernel(FORWARD, 'wasm') || !wasmHeap()) return;
  tf.registerKernel(forwardKernel);
  tf.registerKernel(backwardKernel);
}

const withGradient = tf.customGrad((...args: unknown[]) => {
  const save = args.pop() as tf.GradSaveFunc;
  const [gate, ...es] = args as tf.Tensor2D[];
  const named = (ts: tf.Tensor[]) => {
    const inputs: Record<string, tf.Tensor> = { gate: ts[0] };
    ts.slice(1).forEach((e, k) => {
      inputs[`e${k}`] = e;
    });
    return inputs;
  };
  const value = tf.engine().runKernel(FORWARD, named([gate, ...es]) as tf.NamedTensorMap, { n: es.length } as never) as tf.Tensor2D;
  // Saved, not read from this closure: the forward pass's tensors are disposed before the backward.
  save([gate, ...es]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.engine().runKernel(BACKWARD, { ...named(saved), dy } as tf.NamedTensorMap, { n: es.length } as never) as tf.Tensor[],
  };
});

/** Σ_k gate[:, k] · experts[k] for a gate [B, n] and n experts [B, h]. */
export function mix(gate: tf.Tensor2D, es: tf.Tensor2D[]): tf.Tensor2D {
  const h = es[0].shape[1];
  const fast =
    tf.getBackend() === 'wasm' &&
    tf.getKernel(FORWARD, 'wasm') &&
    gate.rank === 2 &&
    gate.shape[1] === es.length &&
    es.every((e) => e.rank === 2 && e.dtype === 'float32' && e.shape[0] === gate.shape[0] && e.shape[1] === h);
  if (!fast) {
    const stacked = tf.stack(es, 1) as tf.Tensor3D; // [B, n, h]
    return tf.sum(tf.mul(stacked, tf.expandDims(gate, 2)), 1) as tf.Tensor2D;
  }
  return withGradient(gate, ...es) as tf.Tensor2D;
}
