// A training worker thread: trains the strategies it is sent, one at a time, on the model inputs the
// main thread built and shared with it, posting progress events and results.
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend, wasmHeapBytes, type BackendName } from '../tf/backend.js';
import type { TrainingInputs } from '../data/inputs.js';
import { trainOne, type ReplayWork, type TrainedResult } from './parallel.js';
import type { RetrainLoop } from './feedback-retrain.js';

const { backend } = workerData as { backend: BackendName };
const port = parentPort!;
const backendReady = selectBackend(backend);

const transfers = (r: TrainedResult): ArrayBuffer[] =>
  [r.test.click, r.test.ctcvr, r.candidates, r.slates, r.slateChunks, r.testCandidates]
    .filter((a): a is Float32Array | Uint16Array | Int32Array => !!a)
    .map((a) => a.buffer as ArrayBuffer);

// The model inputs of the last two worlds trained on, as the main thread shared them (their arrays
// in shared memory: read, never written, here): a pool moving from one seed to the next finishes the
// old seed's strategies while starting the new one's, and what a worker builds from a world on first
// use (the replay candidates of a held replay) serves its next strategy too.
const worlds = new Map<string, TrainingInputs>();
function inputs(key: string, shared: TrainingInputs): TrainingInputs {
  const p = worlds.get(key) ?? shared;
  worlds.delete(key);
  worlds.set(key, p);
  while (worlds.size > 2) worlds.delete(worlds.keys().next().value!);
  return p;
}

port.on('message', async (m: { key: string; inputs: TrainingInputs; seed: number; name: string; candidates: ReplayWork; retrain: RetrainLoop[] }) => {
  try {
    await backendReady;
    const p = inputs(m.key, m.inputs);
    const result = await trainOne(p, m.name, m.seed, m.candidates, (event) => port.postMessage({ type: 'event', event }), undefined, m.retrain);
    port.postMessage({ type: 'result', result, heapBytes: wasmHeapBytes() }, transfers(result));
  } catch (e) {
    port.postMessage({ type: 'error', message: (e as Error).message, stack: (e as Error).stack });
  }
});
