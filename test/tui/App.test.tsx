// The dashboard app driven by keys in memory: pick, seed, strategies, a run's events, quit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from 'ink-testing-library';
import { App, type AppProps } from '../../src/tui/App.js';
import type { ProgressEvent } from '../../src/util/events.js';
import { scenario } from '../helpers/scenarios.js';
import { STRATEGIES } from '../../src/models/registry.js';

const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

/**
 * Wait until `ok` holds (polling every 10 ms, up to 5 s): Ink renders asynchronously, and a fixed
 * 30 ms wait failed about half the time on a loaded two-core machine.
 */
async function until(ok: () => boolean, what: string, lastFrame: () => string | undefined): Promise<void> {
  for (let waited = 0; waited < 5000; waited += 10) {
    if (ok()) return;
    await tick();
  }
  assert.fail(`${what} never came; last frame:\n${lastFrame()}`);
}

/** Waits until the frame matches, then settles 50 ms: a screen is drawn before its input handler subscribes (an effect). */
const showing = (lastFrame: () => string | undefined) => async (re: RegExp) => {
  await until(() => re.test(lastFrame() ?? ''), String(re), lastFrame);
  await tick(50);
};

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
    const shows = showing(lastFrame);
    await shows(/pick a scenario/);
    assert.match(lastFrame()!, /tiny/);
    stdin.write('\r');
    await shows(/seed \(enter keeps 7\)/);
    stdin.write('\r');
    await shows(/strategies to train/);
    stdin.write('\r');
    await until(() => started !== null, 'the run to start', lastFrame);
    assert.deepEqual(started, { seed: 7, strategies: ['separate', 'id-feature', 'shared-bottom', 'mmoe', 'ple', 'star', 'maml'] });
    emit({ type: 'strategy', strategy: 'mmoe', status: 'start' });
    emit({ type: 'epoch', strategy: 'mmoe', epoch: 1, epochs: 3, loss: 0.3, validAuc: 0.7, seconds: 1, etaSeconds: 2, stopped: false });
    emit({ type: 'done', runId: 'r1', report: '/tmp/report.html', summary: ['shared-bottom vs separate (control)', 'head  SHIP shared-bottom'] });
    finish();
    await shows(/report: \/tmp\/report\.html/);
    const frame = lastFrame()!;
    assert.match(frame, /mmoe .*epoch 1\/3/s);
    assert.match(frame, /shared-bottom vs separate/);
    assert.match(frame, /head {2}SHIP shared-bottom/);
    assert.match(frame, /report: \/tmp\/report\.html/);
  } finally {
    unmount();
  }
});

test('the strategy list marks the A/B arms and the control, says how many there are and that it scrolls, and refuses to drop an arm', async () => {
  const s = scenario();
  let started = false;
  const props: AppProps = {
    scenarios: [{ path: 'tiny.json', scenario: s, error: null }],
    start: () => {
      started = true;
      return new Promise(() => {});
    },
    cancel: async () => {},
    columns: 60,
    rows: 12,
  };
  const { lastFrame, stdin, unmount } = render(<App {...props} />);
  try {
    const shows = showing(lastFrame);
    await shows(/pick a scenario/);
    stdin.write('\r');
    await shows(/seed \(enter keeps/);
    stdin.write('\r');
    await shows(/strategies to train/);
    const frame = lastFrame()!;
    assert.match(frame, new RegExp(`${STRATEGIES.length} strategies, 7 chosen, 6 shown at a time: ↑↓ scrolls\n.*the A/B test replays separate, shared-bottom`));
    assert.match(frame, /separate \[control\]/);
    for (const line of frame.split('\n')) assert.ok(line.length <= 60, `wider than the terminal: ${line}`);
    assert.match(frame, /…/, 'a cut label ends in an ellipsis');
    // The first row is separate, the control: deselect it and start.
    stdin.write(' ');
    await tick(50);
    stdin.write('\r');
    await shows(/separate: an A\/B arm of this scenario trains whatever is chosen; keep it selected/);
    assert.equal(started, false);
  } finally {
    unmount();
  }
});
