// The dashboard's state: progress events folded into what the screen shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, reduce, progressOf } from '../../src/tui/state.js';
import type { ProgressEvent } from '../../src/util/events.js';

test('the dashboard state folds progress events: stages, epochs, offline AUC, verdict', () => {
  let s = initialState(['mmoe']);
  const events: ProgressEvent[] = [
    { type: 'backend', backend: 'wasm' },
    { type: 'stage', stage: 'generate', status: 'start' },
    { type: 'stage', stage: 'generate', status: 'end', seconds: 0.2 },
    { type: 'strategy', strategy: 'mmoe', status: 'start' },
    { type: 'epoch', strategy: 'mmoe', epoch: 1, epochs: 4, loss: 0.3, validAuc: 0.71, seconds: 1, etaSeconds: 3, stopped: false },
    { type: 'step', strategy: 'mmoe', epoch: 2, step: 5, steps: 10, loss: 0.28, etaSeconds: 2.5 },
  ];
  for (const e of events) s = reduce(s, e);
  assert.equal(s.backend, 'wasm');
  assert.equal(s.stages.generate.status, 'done');
  assert.equal(s.stages.train.status, 'pending');
  assert.equal(s.strategies[0].status, 'training');
  assert.ok(Math.abs(progressOf(s.strategies[0]) - 1.5 / 4) < 1e-9);
  s = reduce(s, { type: 'offline', strategy: 'mmoe', auc: { overall: 0.8, head: 0.81 } });
  s = reduce(s, { type: 'done', runId: 'r1', report: '/tmp/r.html', summary: ['mmoe vs separate (control)', 'head  SHIP mmoe'] });
  assert.equal(s.offline.mmoe.overall, 0.8);
  assert.deepEqual(s.done?.summary, ['mmoe vs separate (control)', 'head  SHIP mmoe']);
});
