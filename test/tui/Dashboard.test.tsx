// The live view rendered in memory: stage marks, progress rows, the AUC table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from 'ink-testing-library';
import { Dashboard } from '../../src/tui/Dashboard.js';
import { initialState, reduce } from '../../src/tui/state.js';

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

test('the final line has a green tick only when every domain was decided; an under-powered result gets a warning sign', () => {
  const done = (decided: boolean) =>
    reduce(initialState(['separate']), {
      type: 'done',
      runId: 'r1',
      report: null,
      summary: [
        'star vs separate (control), CUPED; ship at CTR ≥ +5.0%, conversions within −5.0%:',
        'domain  decision',
        '------  --------',
        'head    NOT ENOUGH DATA  +3.0% [-1.0, +7.0]',
      ],
      decided,
    });
  for (const decided of [true, false]) {
    const { lastFrame, unmount } = render(<Dashboard state={done(decided)} domains={['head']} />);
    try {
      const frame = lastFrame()!;
      assert.match(frame, decided ? /✔ star vs separate \(control\)/ : /⚠ star vs separate \(control\)/);
      assert.doesNotMatch(frame, decided ? /⚠/ : /✔/);
      // One row per domain, with its evidence: not one run-on line.
      assert.match(frame, /\n\s+head\s+NOT ENOUGH DATA\s+\+3\.0% \[-1\.0, \+7\.0\]/);
    } finally {
      unmount();
    }
  }
});

test('at 80 columns the end screen shows the narrow summary (two lines a domain) rather than wrapping the wide one', () => {
  const wide = ['mmoe vs separate (control), CUPED; ship at CTR ≥ +5.0%, conversions within −5.0%:', `head    NOT ENOUGH DATA  ${'x'.repeat(70)}`];
  const narrow = ['mmoe vs separate (control), CUPED;', 'head    NOT ENOUGH DATA  +3.0% [-1.0, +7.0]', '        ×9 traffic; truth: ship +5.6%'];
  const s = reduce(initialState(['separate']), { type: 'done', runId: 'r1', report: null, summary: wide, narrowSummary: narrow });
  for (const [columns, want] of [
    [80, narrow],
    [120, wide],
  ] as const) {
    const { lastFrame, unmount } = render(<Dashboard state={s} domains={['head']} columns={columns} />);
    try {
      const frame = lastFrame()!;
      for (const line of want) assert.ok(frame.includes(line), `${columns} columns: ${line}`);
      assert.ok(!frame.includes((want === wide ? narrow : wide)[1]), `${columns} columns shows one layout`);
    } finally {
      unmount();
    }
  }
});

test('a finished strategy shows the epoch it kept, not the last it ran; a per-domain strategy lists each domain model', () => {
  let s = initialState(['separate', 'mmoe']);
  for (const [strategy, epoch] of [
    ['separate', 27],
    ['mmoe', 4],
  ] as const)
    s = reduce(s, { type: 'epoch', strategy, epoch, epochs: epoch, loss: 0.3, validAuc: 0.401, seconds: 1, etaSeconds: 0, stopped: false });
  s = reduce(s, {
    type: 'strategy',
    strategy: 'separate',
    status: 'end',
    seconds: 3.2,
    kept: [
      { domain: 'head', epoch: 2, ran: 4, validAuc: 0.7412 },
      { domain: 'tail', epoch: 19, ran: 27, validAuc: 0.6123 },
    ],
  });
  s = reduce(s, { type: 'strategy', strategy: 'mmoe', status: 'end', seconds: 1.5, kept: [{ domain: null, epoch: 3, ran: 4, validAuc: 0.7555 }] });
  const { lastFrame, unmount } = render(<Dashboard state={s} domains={['head', 'tail']} columns={80} />);
  try {
    const frame = lastFrame()!;
    assert.match(frame, /separate .*kept per domain \(2 models\)\s+3\.2s/);
    assert.match(frame, /\n\s+head\s+kept epoch 2\/4\s+val AUC 0\.7412/);
    assert.match(frame, /\n\s+tail\s+kept epoch 19\/27\s+val AUC 0\.6123/);
    assert.match(frame, /mmoe .*kept epoch 3\/4\s+val AUC 0\.7555\s+1\.5s/);
    assert.doesNotMatch(frame, /0\.4010/, 'not the last epoch run');
    for (const l of frame.split('\n')) assert.ok(l.length <= 80, l);
  } finally {
    unmount();
  }
});
