// Backend selection: tfjs-node when it loads (it is an optional dependency that needs a download at
// install time), else wasm (its .wasm ships in the npm package), else the pure-JS cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's Node bundle registers no gradients and its ESM build cannot be imported by Node;
// the umbrella package's bundle registers them (in tfjs' global registry, shared by all copies).
import '@tensorflow/tfjs';
import { UserError } from '../util/errors.js';
import { installKernels } from './kernels.js';
import { kernelBuild } from './simd.js';

export type BackendName = 'node' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['node', 'wasm', 'cpu'];

export class BackendError extends UserError {}

let active: BackendName | null = null;

/**
 * libtensorflow logs at load through absl, before anything can configure it: "All log messages before
 * absl::InitializeLog() …", oneDNN's "custom operations are on …" and the CPU-instruction notice would
 * be four lines on stderr ahead of every message, so an error would no longer be one line. Set before
 * the library loads, unless the user chose otherwise: TF_CPP_MIN_LOG_LEVEL=2 keeps errors and
 * warnings of TensorFlow's own; oneDNN's notice is printed at load whatever the log level unless
 * TF_ENABLE_ONEDNN_OPTS is 0, so its custom kernels are off by default (TF_ENABLE_ONEDNN_OPTS=1 turns
 * them on, with the notice; on was no faster: docs/performance.md).
 */
export function quietTensorFlow(env: NodeJS.ProcessEnv = process.env): void {
  env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  env.TF_ENABLE_ONEDNN_OPTS ??= '0';
}

/** Why tfjs-node could not be used, for the message of a forced `--backend node`; null once it loaded. */
let nodeProblem: string | null = null;

/** Loads tfjs-node (it registers the 'tensorflow' backend); a seam for tests. */
export type NodeLoader = () => Promise<unknown>;
const importNode: NodeLoader = () => import('@tensorflow/tfjs-node' as string);

async function tryNode(load: NodeLoader): Promise<boolean> {
  try {
    quietTensorFlow();
    await load();
    return tf.findBackend('tensorflow') !== null || (await tf.setBackend('tensorflow'));
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    nodeProblem =
      (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && text.includes('@tensorflow/tfjs-node')
        ? 'did not install (its install step downloads libtensorflow; without a network, `npm run build:tfjs-node` builds it from a local TensorFlow)'
        : `is installed but its native binding did not load (${text.split('\n')[0]}; \`npm run build:tfjs-node\` rebuilds it)`;
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

/**
 * Pick and initialise a backend. `wanted` (flag) beats CROSSAB_BACKEND (environment) beats
 * auto-detection. A forced backend that cannot load is an error, not a silent fallback.
 */
export async function selectBackend(wanted?: string, loadNode: NodeLoader = importNode): Promise<BackendName> {
  const choice = wanted ?? process.env.CROSSAB_BACKEND ?? 'auto';
  if (choice !== 'auto' && !BACKENDS.includes(choice as BackendName)) {
    throw new BackendError(`unknown backend '${choice}': use one of ${BACKENDS.join(', ')} (or auto)`);
  }
  if (active && (choice === 'auto' || choice === active)) return active;
  // Production mode: skips per-op debug checks and the cpu backend's "install tfjs-node" banner.
  tf.enableProdMode();
  const order: BackendName[] = choice === 'auto' ? ['node', 'wasm', 'cpu'] : [choice as BackendName];
  for (const name of order) {
    let ok = false;
    if (name === 'node') ok = (await tryNode(loadNode)) && (await tf.setBackend('tensorflow'));
    else if (name === 'wasm') ok = await tryWasm();
    else ok = await tf.setBackend('cpu');
    if (ok) {
      await tf.ready();
      installKernels(tf.getBackend());
      active = name;
      return name;
    }
  }
  throw new BackendError(
    choice === 'node'
      ? `backend 'node' is not available: @tensorflow/tfjs-node ${nodeProblem ?? 'did not load'}; use --backend wasm`
      : `backend '${choice}' could not be initialised`,
  );
}

/**
 * The engine a run's numbers come from, as runs, shards, reuse and sweeps compare it: the backend,
 * and on wasm 'wasm-fma' when crossab's kernels fuse multiply-add (simd.ts: kernelBuild), whose last
 * bits differ from the exact build's.
 */
export function engineName(backend: BackendName): string {
  return backend === 'wasm' && kernelBuild() === 'fused' ? 'wasm-fma' : backend;
}

export function activeBackend(): BackendName | null {
  return active;
}

/** The wasm backend's heap size in bytes (it only ever grows), or null on another backend. */
export function wasmHeapBytes(): number | null {
  if (active !== 'wasm') return null;
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  return wasm?.HEAPU8?.length ?? null;
}
