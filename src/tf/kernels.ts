// Kernels that tfjs lacks or runs slowly on the backends crossab uses without tfjs-node (embedding
// gradients: segment-sum.ts). wasm's BatchMatMul with transpose flags is ~8× slower than an explicit
// Transpose and a plain product, and every backward pass asks for transposed products. wasm's Slice
// (and SplitV and Unpack, which slice once per output) copies the whole input out of the heap for
// every slice, and its GatherV2 checks each index through a closure: a split of a [512, 512]
// activation into 8 experts took 4.8 ms, a batch's embedding gather 1.4 ms. Here they are copies
// inside the heap (same values, bit for bit); Identity (the engine clones every tensor a gradient will
// read) shares memory, as on cpu. Products, sums and means over leading axes, Tile and Neg, and the
// fused dense, mix and embedding kernels (dense.ts, mix.ts, embed.ts) run crossab's SIMD kernels
// (simd.ts) with the same bits as the tfjs kernels they replace.
import * as tf from '@tensorflow/tfjs-core';
import { wasmHeap } from './simd.js';
import { installDenseKernels } from './dense.js';
import { installMixKernels } from './mix.js';
import { installEmbedKernels } from './embed.js';
import { installSegmentSum } from './segment-sum.js';
import { at32, heap32, is32, type AnyBackend, type WasmBackend } from './wasm-heap.js';

/**
 * A·B, Aᵀ·B and A·Bᵀ on wasm by crossab's SIMD kernels, per batch: the same products in the same
 * order as tfjs-wasm's XNNPACK (so the same bits) without its per-call operator set-up, which
 * dominated small products (MAML's per-user towers: 64 products of 16 × 32 · 32 × 16), and for Aᵀ·B
 * without transposing the activations first. Float32 with equal batch dimensions (no broadcasting),
 * not both transposed; null otherwise (tfjs's kernel).
 */
function wasmMatMul(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean, be: WasmBackend): tf.TensorInfo | null {
  const heap = wasmHeap();
  const r = a.shape.length;
  if (!heap || (transposeA && transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32' || r < 2 || b.shape.length !== r) return null;
  const batch = a.shape.slice(0, r - 2);
  if (batch.some((d, k) => d !== b.shape[k])) return null;
  const [a0, a1] = a.shape.slice(r - 2);
  const [b0, b1] = b.shape.slice(r - 2);
  const [m, k] = transposeA ? [a1, a0] : [a0, a1];
  const [kb, n] = transposeB ? [b1, b0] : [b0, b1];
  if (k !== kb) return null;
  const out = be.makeOutput([...batch, m, n], 'float32');
  const count = batch.reduce((x, y) => x * y, 1);
  // A·Bᵀ: B's batches transposed into one scratch tensor first (B is the small operand: weights).
  const bT = transposeB ? be.makeOutput([...batch, n, k], 'float32') : null;
  const [aAt, bAt, cAt] = [heap.at(a), heap.at(bT ?? b), heap.at(out)];
  if (bT) for (let i = 0; i < count; i++) heap.kernels.transpose(heap.at(b) + 4 * i * n * k, bAt + 4 * i * n * k, n, k);
  for (let i = 0; i < count; i++) {
    const [ai, bi, ci] = [aAt + 4 * i * m * k, bAt + 4 * i * k * n, cAt + 4 * i * m * n];
    if (transposeA) heap.kernels.matmulTN(ai, bi, ci, k, m, n);
    else heap.kernels.matmulNN(ai, bi, ci, 0, m, k, n, false, false);
  }
  if (bT) (be as unknown as AnyBackend).disposeData(bT.dataId);
  return out;
}

/**
 * Sum (or mean) over a block of adjacent axes that does not include the last one (a bias gradient,
 * STAR's batch moments) by crossab's SIMD kernel: tfjs-wasm transposes the axes last first, which
 * took most of the time. The same bits (rows added in order). Null for other reductions.
 */
function wasmSumMiddle(x: tf.TensorInfo, axis: number | number[] | null | undefined, keepDims: boolean, be: WasmBackend, mean = false): tf.TensorInfo | null {
  const heap = wasmHeap();
  const r = x.shape.length;
  // No axis means every axis, the last included: tfjs's kernel.
  if (!heap || x.dtype !== 'float32' || r < 2 || axis == null || (Array.isArray(axis) && axis.some((a) => typeof a !== 'number'))) return null;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + r : a)))].sort((p, q) => p - q);
  if (axes.length === 0 || axes[axes.length - 1] >= r - 1 || axes.some((a, i) => i > 0 && a !== axes[i - 1] + 1)) return null;
  const size = (dims: number[]) => dims.reduce((p, q) => p * q, 1);
  const outer = size(x.shape.slice(0, axes[0]));
  const reduce = size(x.shape.slice(axes[0], axes[axes.length - 1] + 1));
  const inner = size(x.shape.slice(axes[axes.length - 1] + 1));
  const shape = keepDims ? x.shape.map((d, k) => (axes.includes(k) ? 1 : d)) : x.shape.filter((_, k) => !axes.includes(k));
  const out = be.makeOutput(shape, 'float32');
  if (outer * inner > 0) heap.kernels.sumMiddle(heap.at(x), heap.at(out), outer, reduce, inner);
  if (mean) {
    // tfjs-wasm's Mean: the same sum, divided by the count (a float32 division, as this store rounds it).
    const f = heap.f32();
    for (let i = heap.at(out) >> 2, end = i + outer * inner; i < end; i++) f[i] = f[i] / reduce;
  }
  return out;
}

/** Wrap wasm BatchMatMul so transposed operands are transposed explicitly first. */
function wasmTransposingMatMul(): void {
  const orig = tf.getKernel(tf.BatchMatMul, 'wasm');
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  if (!orig || !transpose || (orig as { crossabWrapped?: boolean }).crossabWrapped) return;
  const origFunc = orig.kernelFunc;
  const transposeLast = (t: tf.TensorInfo, backend: unknown): tf.TensorInfo => {
    const r = t.shape.length;
    const perm = [...Array(r).keys()];
    [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
    return transpose.kernelFunc({ inputs: { x: t }, backend: backend as never, attrs: { perm } }) as tf.TensorInfo;
  };
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  const wrapped: tf.KernelConfig & { crossabWrapped: boolean } = {
    ...orig,
    crossabWrapped: true,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const fast = wasmMatMul(a, b, transposeA, transposeB, backend as unknown as WasmBackend);
      if (fast) return fast;
      if (!transposeA && !transposeB) return origFunc({ inputs, backend, attrs });
      const aa = transposeA ? transposeLast(a, backend) : a;
      const bb = transposeB ? transposeLast(b, backend) : b;
      const out = origFunc({
        inputs: { a: aa, b: bb },
        backend,
        attrs: { ...(attrs as object), transposeA: false, transposeB: false } as never,
      });
      const be = backend as unknown as AnyBackend;
      if (aa !== a) be.disposeData(aa.dataId);
      if (bb !== b) be.disposeData(bb.dataId);
      return out;
    },
  };
  tf.registerKernel(wrapped);
}

/** x[begin : begin + size] for a float32 / int32 tensor: contiguous runs copied within the heap. */
function wasmSlice(be: WasmBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = be.makeOutput(size, x.dtype);
  const n = size.reduce((a, b) => a * b, 1);
  if (n === 0) return out;
  const heap = heap32(be, x.dtype);
  const src = at32(be, x);
  const dst = at32(be, out);
  // Trailing dimensions taken whole merge into one run.
  const r = x.shape.length;
  let inner = r - 1;
  while (inner > 0 && size[inner] === x.shape[inner] && begin[inner] === 0) inner--;
  const strides = new Array<number>(r);
  strides[r - 1] = 1;
  for (let k = r - 2; k >= 0; k--) strides[k] = strides[k + 1] * x.shape[k + 1];
  const run = size[inner] * strides[inner];
  const rows = n / run;
  const idx = new Array<number>(inner).fill(0);
  let base = 0;
  for (let k = 0; k <= inner; k++) base += begin[k] * strides[k];
  for (let row = 0, o = dst; row < rows; row++, o += run) {
    let off = base;
    for (let k = 0; k < inner; k++) off += idx[k] * strides[k];
    if (run >= 32) heap.copyWithin(o, src + off, src + off + run);
    else for (let j = 0; j < run; j++) heap[o + j] = heap[src + off + j];
    for (let k = inner - 1; k >= 0; k--) {
      if (++idx[k] < size[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** Inputs side by side along `axis` (their other dimensions equal): per outer index, one run per input. */
function wasmConcat(be: WasmBackend, inputs: tf.TensorInfo[], axis: number, outShape: number[]): tf.TensorInfo {
  const out = be.makeOutput(outShape, inputs[0].dtype);
  const heap = heap32(be, inputs[0].dtype);
  const outer = outShape.slice(0, axis).reduce((a, b) => a * b, 1);
  const runs = inputs.map((t) => t.shape.slice(axis).reduce((a, b) => a * b, 1));
  const starts = inputs.map((t) => at32(be, t));
  const width = runs.reduce((a, b) => a + b, 0);
  const dst = at32(be, out);
  for (let i = 0; i < inputs.length; i++) {
    const run = runs[i];
    if (run === 0) continue;
    let o = dst + runs.slice(0, i).reduce((a, b) => a + b, 0);
    for (let b = 0, src = starts[i]; b < outer; b++, src += run, o += width) {
      if (run >= 32) heap.copyWithin(o, src, src + run);
      else for (let j = 0; j < run; j++) heap[o + j] = heap[src + j];
    }
  }
  return out;
}

/** Slice, SplitV, Unpack, Concat, Pack, Tile and GatherV2 (axis 0) for 32-bit tensors on wasm, others by tfjs's kernels. */
function wasmCopyKernels(): void {
  const replace = (
    name: string,
    fast: (args: { inputs: Record<string, tf.TensorInfo>; backend: WasmBackend; attrs: Record<string, unknown> }) => tf.TensorInfo | tf.TensorInfo[] | null,
  ) => {
    const orig = tf.getKernel(name, 'wasm') as (tf.KernelConfig & { crossabWrapped?: boolean }) | undefined;
    if (!orig || orig.crossabWrapped) return;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      ...orig,
      crossabWrapped: true,
      kernelFunc: (args) => fast(args as never) ?? orig.kernelFunc(args),
    } as tf.KernelConfig);
  };
  replace(tf.Slice, ({ inputs: { x }, backend, attrs }) => {
    // Full-rank begin and size arrays; a number or a shorter list goes to tfjs's kernel.
    const begin = attrs.begin as number[] | number;
    const size0 = attrs.size as number[] | number | undefined;
    if (!is32(x.dtype) || !Array.isArray(begin) || !Array.isArray(size0) || begin.length !== x.shape.length || size0.length !== x.shape.length) return null;
    const size = size0.map((s, k) => (s === -1 ? x.shape[k] - begin[k] : s));
    return wasmSlice(backend, x, begin, size);
  });
  replace(tf.SplitV, ({ inputs: { x }, backend, attrs }) => {
    if (!is32(x.dtype)) return null;
    const axis = (attrs.axis as number) < 0 ? (attrs.axis as number) + x.shape.length : (attrs.axis as number);
    const spec = attrs.numOrSizeSplits as number | number[];
    const sizes = typeof spec === 'number' ? new Array<number>(spec).fill(x.shape[axis] / spec) : spec.slice();
    const rest = sizes.indexOf(-1);
    if (rest >= 0) sizes[rest] = x.shape[axis] - sizes.reduce((a, b) => (b === -1 ? a : a + b), 0);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = x.shape.slice();
      size[axis] = s;
      const out = wasmSlice(backend, x, begin, size);
      begin[axis] += s;
      return out;
    });
  });
  replace(tf.Unpack, ({ inputs: { value }, backend, attrs }) => {
    if (!is32(value.dtype)) return null;
    const r = value.shape.length;
    const axis = (attrs.axis as number) < 0 ? (attrs.axis as number) + r : (attrs.axis as number);
    const outShape = value.shape.filter((_, k) => k !== axis);
    const begin = new Array<number>(r).fill(0);
    const size = value.shape.slice();
    size[axis] = 1;
    return Array.from({ length: value.shape[axis] }, (_, i) => {
      begin[axis] = i;
      const out = wasmSlice(backend, value, begin, size);
      return { ...out, shape: outShape };
    });
  });
  replace(tf.Concat, ({ inputs, backend, attrs }) => {
    const xs = Object.values(inputs);
    if (xs.length < 2 || !xs.every((t) => is32(t.dtype) && t.dtype === xs[0].dtype && t.shape.length === xs[0].shape.length)) return null;
    const r = xs[0].shape.length;
    const axis = (attrs.axis as number) < 0 ? (attrs.axis as number) + r : (attrs.axis as number);
    if (!xs.every((t) => t.shape.every((d, k) => k === axis || d === xs[0].shape[k]))) return null;
    const outShape = xs[0].shape.slice();
    outShape[axis] = xs.reduce((a, t) => a + t.shape[axis], 0);
    return wasmConcat(backend, xs, axis, outShape);
  });
  replace(tf.Pack, ({ inputs, backend, attrs }) => {
    const xs = Object.values(inputs);
    if (xs.length < 2 || !xs.every((t) => is32(t.dtype) && t.dtype === xs[0].dtype && t.shape.join() === xs[0].shape.join())) return null;
    const shape = xs[0].shape;
    const axis = (attrs.axis as number) < 0 ? (attrs.axis as number) + shape.length + 1 : (attrs.axis as number);
    const outShape = [...shape.slice(0, axis), xs.length, ...shape.slice(axis)];
    // Stacking along `axis` is concatenating along it with each input's size 1 there.
    const expanded = xs.map((t) => ({ ...t, shape: [...shape.slice(0, axis), 1, ...shape.slice(axis)] }));
    return wasmConcat(backend, expanded, axis, outShape);
  });
  replace(tf.Tile, ({ inputs: { x }, backend, attrs }) => {
    const reps = attrs.reps as number[];
    const r = x.shape.length;
    if (!is32(x.dtype) || r === 0 || reps.length !== r) return null;
    const outShape = x.shape.map((d, k) => d * reps[k]);
    const out = backend.makeOutput(outShape, x.dtype);
    const n = outShape.reduce((a, b) => a * b, 1);
    if (n === 0) return out;
    const heap = heap32(backend, x.dtype);
    const src = at32(backend, x);
    // Each output row (every index but the last) is its source row repeated reps[last] times.
    const width = x.shape[r - 1];
    const rows = n / outShape[r - 1];
    const idx = new Array<number>(r - 1).fill(0);
    for (let row = 0, o = at32(backend, out); row < rows; row++) {
      let from = 0;
      for (let k = 0; k < r - 1; k++) from = from * x.shape[k] + (idx[k] % x.shape[k]);
      const s = src + from * width;
      for (let t = 0; t < reps[r - 1]; t++, o += width) {
        if (width >= 32) heap.copyWithin(o, s, s + width);
        else for (let j = 0; j < width; j++) heap[o + j] = heap[s + j];
      }
      for (let k = r - 2; k >= 0; k--) {
        if (++idx[k] < outShape[k]) break;
        idx[k] = 0;
      }
    }
    return out;
  });
  // Elementwise +, −, ×, ÷ of float32 tensors of the same shape, or with one operand repeated over
  // the other's leading axes (a bias row, a scalar): tfjs-wasm sets up an XNNPACK operator per call
  // (10-40 us for a [512, 91] operand). Other broadcasts go to tfjs's kernels.
  const binary =
    (op: number) =>
    ({ inputs: { a, b }, backend }: { inputs: Record<string, tf.TensorInfo>; backend: WasmBackend }) => {
      const heap = wasmHeap();
      if (!heap || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
      const size = (t: tf.TensorInfo) => t.shape.reduce((p, q) => p * q, 1);
      const swap = size(b) > size(a);
      const [big, small] = swap ? [b, a] : [a, b];
      const lead = big.shape.length - small.shape.length;
      const repeats = lead >= 0 && small.shape.every((d, k) => d === big.shape[lead + k]);
      if (size(small) === size(big) ? a.shape.join() !== b.shape.join() : !(repeats || (size(small) === 1 && lead >= 0))) return null;
      const out = backend.makeOutput(big.shape, 'float32');
      if (size(big) > 0) heap.kernels.binary(op, heap.at(big), heap.at(small), heap.at(out), size(big), size(small), swap);
      return out;
    };
  replace(tf.Add, binary(0));
  replace(tf.Sub, binary(1));
  replace(tf.Multiply, binary(2));
  replace(tf.RealDiv, binary(3));
  // Identity shares the input's memory, as cpu's does: nothing here writes into a tensor after it is
  // made (kernels and crossab's Adam write fresh outputs; assign takes a new tensor), so it cannot change.
  replace(tf.Identity, ({ inputs: { x }, backend }) => {
    if (x.dtype === 'string') return null;
    (backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
  replace(tf.Neg, ({ inputs: { x }, backend }) => {
    // tfjs-wasm's Neg took ~100 us even for the loss's [512] vectors.
    const heap = wasmHeap();
    if (!heap || x.dtype !== 'float32') return null;
    const out = backend.makeOutput(x.shape, 'float32');
    heap.kernels.neg(
      heap.at(x),
      heap.at(out),
      x.shape.reduce((a, b) => a * b, 1),
    );
    return out;
  });
  replace(tf.Sum, ({ inputs: { x }, backend, attrs }) => wasmSumMiddle(x, attrs.axis as number | number[] | null, attrs.keepDims as boolean, backend));
  replace(tf.Mean, ({ inputs: { x }, backend, attrs }) => wasmSumMiddle(x, attrs.axis as number | number[] | null, attrs.keepDims as boolean, backend, true));
  replace(tf.GatherV2, ({ inputs: { x, indices }, backend, attrs }) => {
    if (!is32(x.dtype) || indices.dtype !== 'int32' || ((attrs.batchDims as number) ?? 0) !== 0) return null;
    const axis = (attrs.axis as number) < 0 ? (attrs.axis as number) + x.shape.length : (attrs.axis as number);
    if (axis !== 0) return null;
    const rows = x.shape[0];
    const width = x.shape.slice(1).reduce((a, b) => a * b, 1);
    const n = indices.shape.reduce((a, b) => a * b, 1);
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    const ids = heap32(backend, 'int32');
    const heap = heap32(backend, x.dtype);
    const src = at32(backend, x);
    const ix = at32(backend, indices);
    for (let i = 0, o = at32(backend, out); i < n; i++, o += width) {
      const id = ids[ix + i];
      if (!(id >= 0 && id < rows)) throw new Error(`GatherV2: the index value ${id} is not in [0, ${rows - 1}]`);
      const s = src + id * width;
      if (width >= 32) heap.copyWithin(o, s, s + width);
      else for (let j = 0; j < width; j++) heap[o + j] = heap[s + j];
    }
    return out;
  });
}

/** Install crossab's kernels for a backend that was just set; idempotent. */
export function installKernels(backendName: string): void {
  installSegmentSum(backendName);
  if (backendName === 'wasm') {
    wasmTransposingMatMul();
    wasmCopyKernels();
    installDenseKernels();
    installMixKernels();
    installEmbedKernels();
  }
}
