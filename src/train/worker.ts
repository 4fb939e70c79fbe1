// A training worker thread: generates the run's world once (the same bytes as the main thread's),
// then trains the strategies it is sent, one at a time, posting progress events and results.
import { parentPort, workerData } from 'node:worker_threads';
import type { Scenario } from '../scenario/schema.js';
import { selectBackend, type BackendName } from '../tf/backend.js';
import { prepare } from '../pipeline.js';
import { trainOne, type TrainedResult } from './parallel.js';

const { scenario, seed, backend } = workerData as { scenario: Scenario; seed: number; backend: BackendName };
const port = parentPort!;

const transfers = (r: TrainedResult): ArrayBuffer[] =>
  [r.test.click, r.test.ctcvr, r.candidates].filter((a): a is Float32Array => !!a).map((a) => a.buffer as ArrayBuffer);

const ready = (async () => {
  await selectBackend(backend);
  return prepare(scenario, seed);
})();

port.on('message', async (m: { name: string; candidates: boolean }) => {
  try {
    const p = await ready;
    const result = await trainOne(p, m.name, seed, m.candidates, (event) => port.postMessage({ type: 'event', event }));
    port.postMessage({ type: 'result', result }, transfers(result));
  } catch (e) {
    port.postMessage({ type: 'error', message: (e as Error).message, stack: (e as Error).stack });
  }
});
