// How much memory training a strategy takes, known before any tensor exists: the model is built
// with a shapes-only Params (every variable's exact shape, nothing allocated), and the wasm heap it
// will need follows from measured multiples of its variables.
//
// Measured on the wasm backend (tfjs 4.22; tiny scenario with one feature's vocabulary raised to
// 1e5–2.3e6 rows, embedding 8, batch 256): the heap grew to 27–34× the embedding table for every
// single-table strategy (a 30.5 MB table: 1.01 GB of heap; live tensors never above 3× the table),
// shared-private's four tables trained at once to 73×, and runs whose heap would pass ~2.2 GB died
// with "memory access out of bounds". Each step allocates table-sized gradients and optimiser
// buffers that the allocator does not hand back in place, so the heap settles far above what is live.
import type { Scenario } from '../scenario/schema.js';
import { buildLayout, type Layout } from '../world/layout.js';
import { Params } from '../models/blocks.js';
import { strategy } from '../models/registry.js';

/** What the wasm backend can address safely (its heap maximum is 4 GiB, but past ~2.2 GB it faults). */
export const WASM_HEAP_LIMIT = 1.9 * 2 ** 30;
const HEAP_BASE = 64 * 2 ** 20;
/** Heap per byte of the largest variable, of the other variables trained with it, and of those held but idle. */
const PER_LARGEST = 32;
const PER_TRAINED = 14;
const PER_HELD = 1;
/**
 * Native memory per byte of that wasm heap estimate when tfjs-node trains the model instead. It makes
 * the same table-sized gradients and optimiser temporaries each step, through malloc, which keeps
 * them: the tiny scenario with a 1e6-row vocabulary (a 31 MB table, a 1.04 GB heap estimate) peaked
 * at 2.24 GB RSS training shared-bottom on node (2026-12-07). Training shared-bottom then MMoE in one
 * thread: 4.3 GB on node, 0.56 GB on wasm, and 1.2 GB on node with MALLOC_MMAP_THRESHOLD_=1048576
 * but 10× slower (190 s against 18–26 s), so the memory is the allocator's, not a leak.
 */
export const NODE_PER_HEAP_BYTE = 2;
/** A worker whose heap passed this after a task is replaced by a fresh one (heaps never shrink). */
export const RECYCLE_HEAP = 768 * 2 ** 20;

export interface ModelFootprint {
  strategy: string;
  /** Bytes of every variable, of those trained at once (one domain's for per-domain models), of the largest. */
  heldBytes: number;
  trainedBytes: number;
  largestBytes: number;
  /** The wasm heap training it is expected to reach. */
  wasmHeapBytes: number;
}

/** The data sizes a strategy is built from, as the dataset will have them. */
export function modelShape(layout: Layout) {
  return {
    domains: layout.domains.length,
    tableRows: layout.categorical.reduce((a, f) => a + f.vocab + 1, 0),
    fc: layout.categorical.length,
    fn: layout.numeric.length,
    commonCat: Uint8Array.from(layout.categorical, (_, j) => (layout.exposesCat.every((d) => d[j]) ? 1 : 0)),
  };
}

export function modelFootprint(s: Scenario, name: string, layout: Layout = buildLayout(s)): ModelFootprint {
  const info = strategy(name);
  const params = new Params(1, `${name}/`, true);
  const D = layout.domains.length;
  const prior = { click: s.domains.map(() => -2), clickAll: -2, cvr: s.domains.map(() => -2) };
  info.create({ data: modelShape(layout), config: s.training, params, prior });
  const vars = [...params.list, ...params.state];
  const bytes = (vs: typeof vars) => vs.reduce((a, v) => a + 4 * v.size, 0);
  const heldBytes = bytes(vars);
  // A per-domain model trains one domain's variables at a time.
  const trainedBytes =
    info.kind === 'per-domain' ? Math.max(...Array.from({ length: D }, (_, d) => bytes(vars.filter((v) => v.name.includes(`/domain${d}/`))))) : heldBytes;
  const largestBytes = Math.max(0, ...vars.map((v) => 4 * v.size));
  const wasmHeapBytes = HEAP_BASE + PER_LARGEST * largestBytes + PER_TRAINED * (trainedBytes - largestBytes) + PER_HELD * (heldBytes - trainedBytes);
  return { strategy: name, heldBytes, trainedBytes, largestBytes, wasmHeapBytes };
}
