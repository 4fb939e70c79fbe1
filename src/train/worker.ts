// A training worker thread: trains the strategies it is sent, one at a time, on the world of the
// task's (scenario, seed) — generated here, the same bytes as the main thread's — posting progress
// events and results.
import { parentPort, workerData } from 'node:worker_threads';
import type { Scenario } from '../scenario/schema.js';
import { selectBackend, wasmHeapBytes, type BackendName } from '../tf/backend.js';
import { modelInputs, type TrainingInputs } from '../data/inputs.js';
import { trainOne, type TrainedResult } from './parallel.js';
import type { RetrainLoop } from './feedback-retrain.js';

const { backend } = workerData as { backend: BackendName };
const port = parentPort!;
const backendReady = selectBackend(backend);

const transfers = (r: TrainedResult): ArrayBuffer[] =>
  [r.test.click, r.test.ctcvr, r.candidates, r.slates, r.testCandidates]
    .filter((a): a is Float32Array | Uint16Array => !!a)
    .map((a) => a.buffer as ArrayBuffer);

// The model inputs of the last two worlds trained on: a pool moving from one seed to the next
// finishes the old seed's strategies while starting the new one's.
const worlds = new Map<string, Promise<TrainingInputs>>();
function inputs(scenario: Scenario, seed: number) {
  const key = `${seed}:${JSON.stringify(scenario)}`;
  let p = worlds.get(key);
  if (p) worlds.delete(key);
  else p = backendReady.then(() => modelInputs(scenario, seed));
  worlds.set(key, p);
  while (worlds.size > 2) worlds.delete(worlds.keys().next().value!);
  return p;
}

port.on('message', async (m: { scenario: Scenario; seed: number; name: string; candidates: boolean; retrain: RetrainLoop[] }) => {
  try {
    const p = await inputs(m.scenario, m.seed);
    const result = await trainOne(p, m.name, m.seed, m.candidates, (event) => port.postMessage({ type: 'event', event }), undefined, m.retrain);
    port.postMessage({ type: 'result', result, heapBytes: wasmHeapBytes() }, transfers(result));
  } catch (e) {
    port.postMessage({ type: 'error', message: (e as Error).message, stack: (e as Error).stack });
  }
});
