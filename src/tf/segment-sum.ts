// UnsortedSegmentSum, through which every embedding gradient goes: wasm has no kernel and cpu's is
// O(vocabulary × rows). Here it is one pass over the rows, on wasm inside the heap.
import * as tf from '@tensorflow/tfjs-core';
import { at32, heap32, type AnyBackend, type WasmBackend } from './wasm-heap.js';

/** out[ids[r]] += x[r] for every row r (rows of `width` values); out-of-range ids are dropped (tf semantics). */
export function segmentSumInto(
  x: Float32Array,
  xAt: number,
  ids: Int32Array,
  idsAt: number,
  rows: number,
  width: number,
  numSegments: number,
  out: Float32Array,
  outAt: number,
): void {
  out.fill(0, outAt, outAt + numSegments * width);
  for (let r = 0; r < rows; r++) {
    const s = ids[idsAt + r];
    if (s < 0 || s >= numSegments) continue;
    const o = outAt + s * width;
    const i = xAt + r * width;
    for (let c = 0; c < width; c++) out[o + c] += x[i + c];
  }
}

function segmentSumKernel(backendName: 'cpu' | 'wasm'): tf.KernelConfig {
  return {
    kernelName: tf.UnsortedSegmentSum,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
      const rows = segmentIds.shape.reduce((a, b) => a * b, 1);
      const inner = x.shape.slice(segmentIds.shape.length);
      const width = inner.reduce((a, b) => a * b, 1);
      const shape = [numSegments, ...inner];
      if (backendName === 'wasm') {
        // In the heap: no copies of the inputs out of it, the sums written in place.
        const be = backend as unknown as WasmBackend;
        const out = be.makeOutput(shape, 'float32');
        segmentSumInto(
          heap32(be, 'float32') as Float32Array,
          at32(be, x),
          heap32(be, 'int32') as Int32Array,
          at32(be, segmentIds),
          rows,
          width,
          numSegments,
          heap32(be, 'float32') as Float32Array,
          at32(be, out),
        );
        return out;
      }
      const be = backend as unknown as AnyBackend & { makeTensorInfo(s: number[], d: tf.DataType, v: Float32Array): tf.TensorInfo };
      const xv = be.readSync(x.dataId) as Float32Array;
      const idv = be.readSync(segmentIds.dataId) as Int32Array;
      const values = new Float32Array(numSegments * width);
      segmentSumInto(xv, 0, idv instanceof Int32Array ? idv : Int32Array.from(idv), 0, rows, width, numSegments, values, 0);
      return be.makeTensorInfo(shape, 'float32', values);
    },
  };
}

/** Register the kernel for a backend just set (wasm: where tfjs has none; cpu: in place of tfjs's); idempotent. */
export function installSegmentSum(backendName: string): void {
  if (backendName === 'wasm') {
    if (!tf.getKernel(tf.UnsortedSegmentSum, 'wasm')) tf.registerKernel(segmentSumKernel('wasm'));
  } else if (backendName === 'cpu') {
    const existing = tf.getKernel(tf.UnsortedSegmentSum, 'cpu') as (tf.KernelConfig & { crossab?: boolean }) | undefined;
    if (!existing?.crossab) {
      if (existing) tf.unregisterKernel(tf.UnsortedSegmentSum, 'cpu');
      tf.registerKernel({ ...segmentSumKernel('cpu'), crossab: true } as tf.KernelConfig);
    }
  }
}
