import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from 'ink-testing-library';
import { App, type AppProps } from '../../src/tui/App.js';
import { Dashboard } from '../../src/tui/Dashboard.js';
import { initialState, reduce, progressOf } from '../../src/tui/state.js';
import type { ProgressEvent } from '../../src/util/events.js';
import { scenario } from '../helpers/scenarios.js';

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

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
  s = reduce(s, { type: 'done', runId: 'r1', report: '/tmp/r.html', verdict: 'mmoe beats separate' });
  assert.equal(s.offline.mmoe.overall, 0.8);
  assert.equal(s.done?.verdict, 'mmoe beats separate');
});

test('the dashboard component shows stage marks, a progress row per strategy and the AUC table', () => {
  let s = initialState(['separate', 'mmoe']);
  s = reduce(s, { type: 'stage', stage: 'generate', status: 'end', seconds: 0.1 });
  s = reduce(s, { type: 'stage', stage: 'train', status: 'start' });
  s = reduce(s, { type: 'epoch', strategy: 'separate', epoch: 2, epochs: 4, loss: 0.2512, validAuc: 0.7123, seconds: 1, etaSeconds: 4, stopped: false });
  s = reduce(s, { type: 'offline', strategy: 'separate', auc: { head: 0.75, overall: 0.74 } });
  const { lastFrame, unmount } = render(<Dashboard state={s} domains={['head']} />);
  try {
    const frame = lastFrame()!;
    assert.match(frame, /✔ generate/);
    assert.match(frame, /separate .*epoch 2\/4 .*loss 0\.2512 .*val AUC 0\.7123/s);
    assert.match(frame, /mmoe .*waiting/s);
    assert.match(frame, /separate\s+0\.7500\s+0\.7400/);
  } finally {
    unmount(); // the spinner's timer would keep the test process alive
  }
});

test('the app: pick a scenario, keep the seed, start with the default strategies, show events, q quits', async () => {
  const s = scenario();
  let started: { seed: number; strategies: string[] } | null = null;
  let emit: (e: ProgressEvent) => void = () => {};
  let finish: () => void = () => {};
  const props: AppProps = {
    scenarios: [
      { path: 'tiny.json', scenario: s, error: null },
      { path: 'bad.json', scenario: null, error: 'domains: bad' },
    ],
    start: (c, onEvent) => {
      started = { seed: c.seed, strategies: c.strategies };
      emit = onEvent;
      return new Promise((r) => {
        finish = r;
      });
    },
    cancel: async () => {},
  };
  const { lastFrame, stdin, unmount } = render(<App {...props} />);
  try {
    await tick();
    assert.match(lastFrame()!, /pick a scenario/);
    assert.match(lastFrame()!, /tiny/);
    stdin.write('\r');
    await tick();
    assert.match(lastFrame()!, /seed \(enter keeps 7\)/);
    stdin.write('\r');
    await tick();
    assert.match(lastFrame()!, /strategies to train/);
    stdin.write('\r');
    await tick();
    assert.deepEqual(started, { seed: 7, strategies: ['separate', 'id-feature', 'shared-bottom', 'mmoe', 'ple', 'star', 'maml'] });
    emit({ type: 'strategy', strategy: 'mmoe', status: 'start' });
    emit({ type: 'epoch', strategy: 'mmoe', epoch: 1, epochs: 3, loss: 0.3, validAuc: 0.7, seconds: 1, etaSeconds: 2, stopped: false });
    emit({ type: 'done', runId: 'r1', report: '/tmp/report.html', verdict: 'shared-bottom beats separate by 3.0% CTR' });
    finish();
    await tick();
    const frame = lastFrame()!;
    assert.match(frame, /mmoe .*epoch 1\/3/s);
    assert.match(frame, /shared-bottom beats separate/);
    assert.match(frame, /report: \/tmp\/report\.html/);
  } finally {
    unmount();
  }
});
