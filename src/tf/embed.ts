// A batch's embedded features, [B, fc·dim + fn] (each categorical field's table row times the
// field's mask, then the numeric fields), as one kernel each way on wasm. tfjs runs a gather, a
// broadcast product, a reshape and a concat, and differentiates them through a slice, a product and
// a segment sum; the kernels do the same arithmetic in the same order in one pass (the masked
// product rounded, then added to its table row, rows in batch order), so the values are the same to
// the bit (test/tf/embed.test.ts). Other backends use tfjs's ops.
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/dataset.js';
import { wasmHeap } from './simd.js';

const FORWARD = 'CrossabEmbed';
const BACKWARD = 'CrossabEmbedGrad';

type Dims = { fc: number; fn: number; dim: number };

const forwardKernel: tf.KernelConfig = {
  kernelName: FORWARD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { table, ids, mask, num } = inputs as Record<string, tf.TensorInfo>;
    const { fc, fn, dim } = attrs as unknown as Dims;
    const heap = wasmHeap()!;
    const rows = ids.shape[0];
    const out = heap.output([rows, fc * dim + fn]);
    const bad = heap.kernels.embedRows(heap.at(table), heap.at(ids), heap.at(mask), heap.at(num), heap.at(out), rows, fc, fn, dim, table.shape[0]);
    if (bad > 0) throw new Error(`embedding: ${bad} feature ids are not in [0, ${table.shape[0] - 1}]`);
    return out;
  },
};

const backwardKernel: tf.KernelConfig = {
  kernelName: BACKWARD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { dy, ids, mask } = inputs as Record<string, tf.TensorInfo>;
    const { fc, fn, dim, tableRows } = attrs as unknown as Dims & { tableRows: number };
    const heap = wasmHeap()!;
    const out = heap.output([tableRows, dim]);
    heap.kernels.embedGrad(heap.at(dy), heap.at(ids), heap.at(mask), heap.at(out), ids.shape[0], fc, fn, dim, tableRows);
    return out;
  },
};

/** Register the embedding kernels for wasm (when crossab's SIMD kernels load); idempotent. */
export function installEmbedKernels(): void {
  if (tf.getKernel(FORWARD, 'wasm') || !wasmHeap()) return;
  tf.registerKernel(forwardKernel);
  tf.registerKernel(backwardKernel);
}

/**
 * The embedded features of `b` from `table` [rows, dim]: fc · dim masked embedding values, then the
 * fn numeric values. Only the table is differentiated; the batch's ids, mask and numbers are read by
 * the gradient from the batch, which its maker keeps until the step is over.
 */
export function embed(table: tf.Tensor2D, b: Batch, fc: number, fn: number, dim: number): tf.Tensor2D {
  if (tf.getBackend() === 'wasm' && tf.getKernel(FORWARD, 'wasm') && table.dtype === 'float32' && b.cat.dtype === 'int32') {
    const attrs = { fc, fn, dim };
    const op = tf.customGrad((t, _save) => ({
      value: tf
        .engine()
        .runKernel(FORWARD, { table: t, ids: b.cat, mask: b.catMask, num: b.num } as unknown as tf.NamedTensorMap, attrs as never) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor) =>
        tf
          .engine()
          .runKernel(
            BACKWARD,
            { dy, ids: b.cat, mask: b.catMask } as unknown as tf.NamedTensorMap,
            { ...attrs, tableRows: table.shape[0] } as never,
          ) as tf.Tensor,
    }));
    return op(table) as tf.Tensor2D;
  }
  const e = tf.gather(table, b.cat) as unknown as tf.Tensor3D; // [B, fc, dim]
  const masked = tf.mul(e, tf.expandDims(b.catMask, 2));
  const flat = tf.reshape(masked, [b.size, fc * dim]) as tf.Tensor2D;
  return fn > 0 ? tf.concat([flat, b.num], 1) : flat;
}
