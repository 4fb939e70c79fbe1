// The tfjs backends' internals crossab's own kernels reach into: any backend's data by id, and the
// wasm backend's heap, where a tensor is a byte offset and a kernel can read and write in place.
import type * as tf from '@tensorflow/tfjs-core';

export type AnyBackend = {
  readSync(dataId: object): unknown;
  disposeData(dataId: object): void;
};

export /** The wasm backend's internals crossab's kernels use. */
type WasmBackend = {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
};

/** A 32-bit view of the whole heap and the element offset of each tensor (read after every makeOutput: the heap may grow). */
export function heap32(be: WasmBackend, dtype: tf.DataType): Float32Array | Int32Array {
  return dtype === 'int32' ? new Int32Array(be.wasm.HEAPU8.buffer) : new Float32Array(be.wasm.HEAPU8.buffer);
}
export const at32 = (be: WasmBackend, t: tf.TensorInfo) => be.dataIdMap.get(t.dataId).memoryOffset >> 2;
export const is32 = (dtype: tf.DataType) => dtype === 'float32' || dtype === 'int32';
