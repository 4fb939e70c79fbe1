// Kernels that tfjs lacks or runs slowly on the backends crossab uses without tfjs-node.
// Embedding gradients go through UnsortedSegmentSum: wasm has no kernel and cpu's is
// O(vocabulary × rows). wasm's BatchMatMul with transpose flags is ~8× slower than an explicit
// Transpose followed by a plain product, and every backward pass asks for transposed products.
import * as tf from '@tensorflow/tfjs-core';

type AnyBackend = {
  readSync(dataId: object): unknown;
  disposeData(dataId: object): void;
};

function segmentSumValues(
  x: Float32Array, ids: Int32Array, rows: number, width: number, numSegments: number,
): Float32Array {
  const out = new Float32Array(numSegments * width);
  for (let r = 0; r < rows; r++) {
    const s = ids[r];
    if (s < 0 || s >= numSegments) continue; // tf semantics: out-of-range ids are dropped
    const o = s * width;
    const i = r * width;
    for (let c = 0; c < width; c++) out[o + c] += x[i + c];
  }
  return out;
}

function segmentSumKernel(backendName: 'cpu' | 'wasm'): tf.KernelConfig {
  return {
    kernelName: tf.UnsortedSegmentSum,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
      const be = backend as unknown as AnyBackend;
      const xv = be.readSync(x.dataId) as Float32Array;
      const idv = be.readSync(segmentIds.dataId) as Int32Array;
      const rows = segmentIds.shape.reduce((a, b) => a * b, 1);
      const inner = x.shape.slice(segmentIds.shape.length);
      const width = inner.reduce((a, b) => a * b, 1);
      // int32 tensors read back as Int32Array: no copy on this per-step path.
      const values = segmentSumValues(xv, idv instanceof Int32Array ? idv : Int32Array.from(idv), rows, width, numSegments);
      const shape = [numSegments, ...inner];
      if (backendName === 'wasm') {
        const wb = backend as unknown as {
          makeOutput(s: number[], d: tf.DataType): tf.TensorInfo;
          typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
        };
        const out = wb.makeOutput(shape, 'float32');
        wb.typedArrayFromHeap(out).set(values);
        return out;
      }
      const cb = backend as unknown as {
        makeTensorInfo(s: number[], d: tf.DataType, v: Float32Array): tf.TensorInfo;
      };
      return cb.makeTensorInfo(shape, 'float32', values);
    },
  };
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
      if (!transposeA && !transposeB) return origFunc({ inputs, backend, attrs });
      const aa = transposeA ? transposeLast(a, backend) : a;
      const bb = transposeB ? transposeLast(b, backend) : b;
      const out = origFunc({
        inputs: { a: aa, b: bb }, backend,
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

/** Install crossab's kernels for a backend that was just set; idempotent. */
export function installKernels(backendName: string): void {
  if (backendName === 'wasm') {
    const existing = tf.getKernel(tf.UnsortedSegmentSum, 'wasm');
    if (!existing) tf.registerKernel(segmentSumKernel('wasm'));
    wasmTransposingMatMul();
  } else if (backendName === 'cpu') {
    const existing = tf.getKernel(tf.UnsortedSegmentSum, 'cpu') as (tf.KernelConfig & { crossab?: boolean }) | undefined;
    if (!existing?.crossab) {
      if (existing) tf.unregisterKernel(tf.UnsortedSegmentSum, 'cpu');
      tf.registerKernel({ ...segmentSumKernel('cpu'), crossab: true } as tf.KernelConfig);
    }
  }
}
