// The off-policy tables as text: an estimate with no spread, no match or no support said in words,
// never as a number; the logs' lift beside the A/B test's; each offline signal's agreement with the
// online order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consistencyTable, opeTable, opeVsAbTable } from '../../src/report/ope-text.js';
import type { OffPolicy } from '../../src/ope/consistency.js';
import type { OpeRow } from '../../src/ope/evaluate.js';
import type { ReplayResult } from '../../src/abtest/readout.js';

const row = (estimator: OpeRow['estimator'], value: number, se: number, identified = true): OpeRow =>
  ({
    strategy: 's',
    estimator,
    domain: 'all',
    segment: 'all',
    requests: 100,
    value,
    se,
    ciLow: value - 2 * se,
    ciHigh: value + 2 * se,
    trueValue: 0.1,
    identified,
    essShare: 0.5,
  }) as OpeRow;

test('off-policy cells: a value with no spread, no match or no support is said in words; a real one is value ± half-width', () => {
  const o = {
    logger: 'random',
    rewardModel: 's',
    reference: 's',
    rows: [
      row('dm', 0.12, 0.002),
      row('ipw', 0.11, 0.01),
      row('snipw', 0.11, 0.01),
      row('dr', 0.11, 0.01),
      row('switch-dr', 0.11, 0.01),
      row('iips', 0, 0),
      row('sniips', 0.105, 0.012),
      row('rips', 0.104, 0.013),
      row('sips', Number.NaN, Number.NaN),
    ],
  } as unknown as OffPolicy;
  const t = opeTable(o, []);
  const line = t.split('\n').find((l) => l.startsWith('s '))!;
  assert.match(line, /11\.00% ±2\.00%/, "the half-width of the stored interval (value ± z·se at the run's α), not a fixed 1.96·se");
  assert.match(t.split('\n')[1], /DM .*IPW .*SNIPW .*DR .*SWITCH-DR .*IIPS .*SNIIPS .*RIPS .*SIPS/, 'a column for every estimator');
  assert.match(line, /10\.50% ±2\.40%.*10\.40% ±2\.60%/);
  assert.match(line, /no spread/);
  assert.match(line, /no match/);
  assert.doesNotMatch(line, /0\.00% ±0\.00%/);
  assert.match(t, /\nno spread: the few logged rows that match agree exactly/);
  const unsupported = opeTable({ ...o, rows: o.rows.map((r) => (r.estimator === 'ipw' ? { ...r, identified: false } : r)) } as OffPolicy, []);
  assert.match(unsupported, /not identified/);
});

test('opeVsAbTable: per arm and domain the DR lift from the logs with its interval, its truth on the logged requests, the A/B lift and the online truth', () => {
  const o = {
    rows: [
      { strategy: 'star', domain: 'feed', segment: 'all', estimator: 'dr', lift: 0.031, liftLow: 0.011, liftHigh: 0.052, trueLift: 0.028 },
      { strategy: 'star', domain: 'search', segment: 'all', estimator: 'dr', lift: NaN, liftLow: NaN, liftHigh: NaN, trueLift: 0.01 },
    ],
  } as unknown as OffPolicy;
  const ab = {
    arms: [
      { name: 'ctl', strategy: 'separate' },
      { name: 'new', strategy: 'star' },
    ],
    lifts: [
      { arm: 'new', metric: 'ctr', segment: 'all', domain: 'feed', lift: 0.025, ciLow: 0.002, ciHigh: 0.049, trueLift: 0.03 },
      { arm: 'new', metric: 'ctr', segment: 'all', domain: 'search', lift: 0.01, ciLow: -0.02, ciHigh: 0.04, trueLift: 0.012 },
      { arm: 'new', metric: 'ctcvr', segment: 'all', domain: 'feed', lift: 0.5, ciLow: 0, ciHigh: 1, trueLift: 0.5 },
    ],
  } as unknown as ReplayResult;
  const lines = opeVsAbTable(o, ab, 0.05).split('\n');
  assert.match(lines[0], /^lift over the control, estimated from the logs before the test \(DR\) and by the A\/B test:$/);
  assert.match(lines[1], /OPE \(DR\) \[95% CI\].*A\/B \[95% CI\]/);
  assert.match(opeVsAbTable(o, ab, 0.1).split('\n')[1], /OPE \(DR\) \[90% CI\].*A\/B \[90% CI\]/, 'the level is the run’s α');
  assert.match(lines.find((l) => l.includes('feed'))!, /^new\s+feed\s+3\.10% \[1\.10%, 5\.20%\]\s+2\.80%\s+2\.50% \[0\.20%, 4\.90%\]\s+3\.00%\s*$/);
  assert.match(lines.find((l) => l.includes('search'))!, /^new\s+search\s+not identified\s+1\.00%\s+1\.00% \[-2\.00%, 4\.00%\]\s+1\.20%\s*$/);
  assert.equal(lines.filter((l) => l.startsWith('new')).length, 2, 'CTR only');
});

test("consistencyTable: per domain the online winner and each signal's τ with ✓, or ✗ and the CTR its pick gives up", () => {
  const o = {
    consistency: {
      signals: [
        { domain: 'feed', signal: 'auc', onlineWinner: 'star', tau: 0.6667, winnerAgrees: true, regret: 0 },
        { domain: 'feed', signal: 'dr', onlineWinner: 'star', tau: -0.3333, winnerAgrees: false, regret: 0.0123 },
        { domain: 'tail', signal: 'auc', onlineWinner: 'mmoe', tau: NaN, winnerAgrees: null, regret: NaN },
        { domain: 'tail', signal: 'dr', onlineWinner: 'mmoe', tau: 1, winnerAgrees: true, regret: 0 },
      ],
    },
  } as unknown as OffPolicy;
  const lines = consistencyTable(o).split('\n');
  assert.match(lines[1], /^domain\s+online winner\s+auc\s+dr\s*$/);
  assert.match(lines.find((l) => l.startsWith('feed'))!, /^feed\s+star\s+0\.67 ✓\s+-0\.33 ✗ −1\.23%\s*$/);
  assert.match(lines.find((l) => l.startsWith('tail'))!, /^tail\s+mmoe\s+not identified\s+1\.00 ✓\s*$/);
});
