import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { keptText, plainLogger } from '../../src/util/logger.js';

const logged = (brief: boolean, events: Parameters<ReturnType<typeof plainLogger>>[0][]) => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c) => (text += c));
  const log = plainLogger(out, brief);
  for (const e of events) log(e);
  return text;
};

test('the plain log has one line per strategy with the epoch it kept — per domain for a per-domain strategy — and no line per epoch', () => {
  const epoch = {
    type: 'epoch',
    strategy: 'separate',
    domain: 'feed',
    epoch: 1,
    epochs: 27,
    loss: 0.3,
    validAuc: 0.6,
    seconds: 0.1,
    etaSeconds: 2,
    stopped: false,
  } as const;
  const text = logged(false, [
    { type: 'strategy', strategy: 'separate', status: 'start' },
    epoch,
    { ...epoch, epoch: 2 },
    {
      type: 'strategy',
      strategy: 'separate',
      status: 'end',
      seconds: 7.94,
      samplesPerSecond: 236108.4,
      kept: [
        { domain: 'feed', epoch: 12, ran: 27, validAuc: 0.62114 },
        { domain: 'search', epoch: 5, ran: 6, validAuc: 0.64201 },
      ],
    },
    {
      type: 'strategy',
      strategy: 'star',
      status: 'end',
      seconds: 9.1,
      samplesPerSecond: 121626,
      kept: [{ domain: null, epoch: 3, ran: 4, validAuc: 0.65971 }],
    },
    { type: 'stage', stage: 'train', status: 'end', seconds: 12.3, detail: '2 workers' },
  ]);
  assert.equal(
    text,
    [
      '  separate: kept feed epoch 12 of 27 (0.6211), search epoch 5 of 6 (0.6420); 7.9 s, 236,108 samples/s',
      '  star: kept epoch 3 of 4 (valid AUC 0.6597); 9.1 s, 121,626 samples/s',
      'train: done in 12.3 s (2 workers)',
      '',
    ].join('\n'),
  );
  // Brief (check's many seeds): no stage timings, the strategies' lines stay.
  assert.equal(logged(true, [{ type: 'stage', stage: 'train', status: 'end', seconds: 1 }]), '');
  assert.equal(keptText([]), '');
  assert.equal(keptText([{ domain: null, epoch: 1, ran: 1, validAuc: NaN }]), 'kept epoch 1 of 1 (valid AUC n/a); ');
});
