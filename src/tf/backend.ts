// Backend selection: tfjs-node when it loads (it is an optional dependency that needs a download at
// install time), else wasm (its .wasm ships in the npm package), else the pure-JS cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's Node bundle registers no gradients and its ESM build cannot be imported by Node;
// the umbrella package's bundle registers them (in tfjs' global registry, shared by all copies).
import '@tensorflow/tfjs';
import { UserError } from '../util/errors.js';
import { installKernels } from './kernels.js';

export type BackendName = 'node' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['node', 'wasm', 'cpu'];

export class BackendError extends UserError {}

let active: BackendName | null = null;

async function tryNode(): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-node' as string);
    return tf.findBackend('tensorflow') !== null || (await tf.setBackend('tensorflow'));
  } catch {
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
export async function selectBackend(wanted?: string): Promise<BackendName> {
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
    if (name === 'node') ok = (await tryNode()) && (await tf.setBackend('tensorflow'));
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
      ? "backend 'node' is not available: @tensorflow/tfjs-node did not install (it downloads libtensorflow); use --backend wasm"
      : `backend '${choice}' could not be initialised`,
  );
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
