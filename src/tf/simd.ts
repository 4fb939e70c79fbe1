// crossab's own wasm SIMD kernels (src/tf/simd/kernels.as.ts, AssemblyScript compiled by the build)
// running on the tfjs wasm backend's heap: the module imports the backend's memory, so a kernel
// reads and writes tensors where they lie, with no copy in or out.
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../util/errors.js';

export interface SimdKernels {
  /** C [k × n] = Aᵀ·B for A [rows × k], B [rows × n]. */
  matmulTN(aAt: number, bAt: number, cAt: number, rows: number, k: number, n: number): void;
  /** C [rows × n] = A·B (+ bias, 0 for none: starting the sum or added after it) (then ReLU) for A [rows × k], B [k × n]. */
  matmulNN(aAt: number, bAt: number, cAt: number, biasAt: number, rows: number, k: number, n: number, relu: boolean, biasFirst: boolean): void;
  /** out = dy · step(y): the ReLU gradient given the ReLU's output. */
  reluGrad(dyAt: number, yAt: number, outAt: number, n: number): void;
  /** Copy x [rows × w] into columns [col, col + w) of out [rows × width]. */
  placeColumns(xAt: number, outAt: number, rows: number, w: number, width: number, col: number): void;
  /** out [cols × rows] = xᵀ for x [rows × cols]. */
  transpose(xAt: number, outAt: number, rows: number, cols: number): void;
  /** out (+)= e · gate[:, k] row by row (from zero when `first`). */
  mixAdd(outAt: number, eAt: number, gateAt: number, n: number, k: number, rows: number, h: number, first: boolean): void;
  /** dE = dy · gate[:, k]; dGate[:, k] = Σ_j dy · e. */
  mixGrad(dyAt: number, eAt: number, gateAt: number, dEAt: number, dGateAt: number, n: number, k: number, rows: number, h: number): void;
  neg(xAt: number, outAt: number, n: number): void;
  /** out = a ∘ b (0 +, 1 −, 2 ×, 3 ÷), b of m values repeated over a's n; `swap`: b ∘ a. */
  binary(op: number, aAt: number, bAt: number, outAt: number, n: number, m: number, swap: boolean): void;
  /** A batch's masked embedding rows and numeric values; returns how many ids were out of range. */
  embedRows(
    tableAt: number,
    idsAt: number,
    maskAt: number,
    numAt: number,
    outAt: number,
    rows: number,
    fc: number,
    fn: number,
    dim: number,
    tableRows: number,
  ): number;
  /** The embedding table's gradient from the embedded features' gradient. */
  embedGrad(dyAt: number, idsAt: number, maskAt: number, outAt: number, rows: number, fc: number, fn: number, dim: number, tableRows: number): void;
  /** out [outer × inner] = Σ over the middle axis of x [outer × r × inner]. */
  sumMiddle(xAt: number, outAt: number, outer: number, r: number, inner: number): void;
  adam(
    xAt: number,
    outAt: number,
    gAt: number,
    mAt: number,
    vAt: number,
    n: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    oneMinusAcc1: number,
    oneMinusAcc2: number,
    epsilon: number,
    minusLr: number,
  ): void;
}

/** The tfjs wasm backend's heap, as crossab's kernels use it: byte offsets, allocation, outputs. */
export interface WasmHeap {
  kernels: SimdKernels;
  /** Byte offset of a tensor's data in the heap. */
  at(t: tf.TensorInfo): number;
  /** A new float32 output tensor of the backend (its data uninitialised). */
  output(shape: number[]): tf.TensorInfo;
  malloc(bytes: number): number;
  free(at: number): void;
  /** The heap as float32 (a new view each call: the buffer is replaced when the heap grows). */
  f32(): Float32Array;
}

type WasmBackend = {
  wasm: { HEAPU8: Uint8Array; asm: { memory: WebAssembly.Memory }; _malloc(n: number): number; _free(at: number): void };
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
};

const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();

/** Section ids of a wasm binary (the data section, 11, would be written into the heap it imports). */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8;
  while (at < bytes.length) {
    ids.push(bytes[at++]);
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[at++];
      size |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    at += size;
  }
  return ids;
}

/**
 * Which build of the kernels this thread runs: 'fused' (products and sums in one rounding, relaxed
 * SIMD's multiply-add: about a fifth faster on a product) unless CROSSAB_FMA=0 asks for 'exact' (the
 * product rounded before the sum: bit-identical to tfjs's own kernels, on every CPU). A fused
 * result depends on the CPU (one rounding where it has FMA, two where not), so runs, shards and
 * stored runs name the build beside the backend (backend.ts: engineName).
 */
export type KernelBuild = 'exact' | 'fused';

function readBytes(name: string): Uint8Array<ArrayBuffer> {
  const file = new URL(`./simd/${name}`, import.meta.url);
  try {
    return new Uint8Array(readFileSync(file));
  } catch {
    throw new Error(`crossab's SIMD kernels are missing (${file.pathname}): build them with npm run build`);
  }
}

let chosen: KernelBuild | null = null;

/** The build this thread runs, chosen at its first use; `env` a seam for tests. */
export function kernelBuild(env: NodeJS.ProcessEnv = process.env): KernelBuild {
  const wanted = env.CROSSAB_FMA ?? '1';
  if (wanted !== '0' && wanted !== '1') throw new UserError(`CROSSAB_FMA must be 0 (exact kernels) or 1 (fused multiply-add), got '${wanted}'`);
  chosen ??= wanted === '1' && fusedRuns() ? 'fused' : 'exact';
  return chosen;
}

/** Whether this V8 runs relaxed SIMD. */
function fusedRuns(): boolean {
  const bytes = readBytes('kernels-fma.wasm');
  if (WebAssembly.validate(bytes)) return true;
  // Node 20's V8 has relaxed SIMD behind a flag (standard from V8 11.4, Node 22). It must be set
  // before the module is compiled, and is process-wide: worker threads see it too.
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(bytes);
}

const modules: Partial<Record<KernelBuild, WebAssembly.Module>> = {};

/** A build's compiled module, checked to own no memory (by default the build this thread runs). */
export function kernelModule(kind: KernelBuild = kernelBuild()): WebAssembly.Module {
  const done = modules[kind];
  if (done) return done;
  if (kind === 'fused' && !fusedRuns()) throw new Error('this V8 does not run relaxed SIMD: only the exact kernels load');
  const bytes = readBytes(kind === 'fused' ? 'kernels-fma.wasm' : 'kernels.wasm');
  const m = new WebAssembly.Module(bytes);
  const imports = WebAssembly.Module.imports(m);
  if (imports.length !== 1 || imports[0].kind !== 'memory' || sectionIds(bytes).includes(11))
    throw new Error('simd/kernels.wasm must import only the memory and hold no data segment');
  modules[kind] = m;
  return m;
}

const heaps = new WeakMap<object, WasmHeap>();

/** crossab's kernels bound to the active wasm backend's heap, or null on another backend. */
export function wasmHeap(): WasmHeap | null {
  if (tf.getBackend() !== 'wasm') return null;
  const be = tf.backend() as unknown as WasmBackend;
  // Made once per backend: every kernel call asks for it.
  let heap = heaps.get(be);
  if (heap) return heap;
  const memory = be.wasm.asm.memory;
  let kernels = instances.get(memory);
  if (!kernels) {
    kernels = new WebAssembly.Instance(kernelModule(), { env: { memory } }).exports as unknown as SimdKernels;
    instances.set(memory, kernels);
  }
  heap = {
    kernels,
    at: (t) => be.dataIdMap.get(t.dataId).memoryOffset,
    output: (shape) => be.makeOutput(shape, 'float32'),
    malloc: (bytes) => be.wasm._malloc(bytes),
    free: (at) => be.wasm._free(at),
    f32: () => new Float32Array(be.wasm.HEAPU8.buffer),
  };
  heaps.set(be, heap);
  return heap;
}
