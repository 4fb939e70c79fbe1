// The training worker thread on its own: a task that fails comes back as one error message and the
// worker serves the next task; a task's result (its arrays transferred, not copied) holds the numbers
// training in this thread gives, after the progress events, with the worker's heap size beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { trainingInputs, testCandidatesOf } from '../../src/data/inputs.js';
import { generateWorld } from '../../src/world/world.js';
import { shareArrays } from '../../src/util/shared.js';
import { selectBackend } from '../../src/tf/backend.js';
import { trainOne, type TrainedResult } from '../../src/train/parallel.js';
import { silent } from '../../src/util/events.js';
import { scenario } from '../helpers/scenarios.js';

type Message = { type: 'event' } | { type: 'result'; result: TrainedResult; heapBytes: number | null } | { type: 'error'; message: string };

test('a worker reports a failed task as an error and goes on; its result equals training in this thread', async () => {
  const s = scenario('tiny', (r) => {
    r.training.epochs = 1;
    r.traffic.requests = 1500;
  });
  const p = trainingInputs(generateWorld(s, 3));
  testCandidatesOf(p);
  shareArrays(p);
  const worker = new Worker(new URL('../../src/train/worker.js', import.meta.url), { workerData: { backend: 'wasm' } });
  const messages: Message[] = [];
  const until = (type: 'result' | 'error') =>
    new Promise<Message>((resolve) => {
      const on = (m: Message) => {
        messages.push(m);
        if (m.type === type) {
          worker.off('message', on);
          resolve(m);
        }
      };
      worker.on('message', on);
    });
  try {
    const task = (name: string) => ({ key: 'tiny:3', inputs: p, seed: 3, name, candidates: false, retrain: [] });
    const failed = until('error');
    worker.postMessage(task('no-such-strategy'));
    assert.match(((await failed) as { message: string }).message, /unknown strategy 'no-such-strategy'/);
    const done = until('result');
    worker.postMessage(task('shared-bottom'));
    const got = (await done) as Extract<Message, { type: 'result' }>;
    assert.ok(
      messages.some((m) => m.type === 'event'),
      'progress events before the result',
    );
    assert.ok(got.result.test.click instanceof Float32Array && got.result.test.click.length > 0);
    assert.equal(typeof got.heapBytes, 'number', "the wasm backend's heap size, for the pool's recycling");
    await selectBackend('wasm');
    const here = await trainOne(p, 'shared-bottom', 3, false, silent);
    assert.deepEqual(Array.from(got.result.test.click), Array.from(here.test.click), 'the same predictions, to the bit');
  } finally {
    await worker.terminate();
  }
});
