// The run command's text tables: an off-policy estimate that has no spread, no match or no support
// prints as such, never as a number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { opeTable } from '../../src/commands/run.js';
import type { OffPolicy } from '../../src/experiment/experiment.js';
import type { OpeRow } from '../../src/ope/evaluate.js';

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
      row('sips', Number.NaN, Number.NaN),
    ],
  } as unknown as OffPolicy;
  const t = opeTable(o, []);
  const line = t.split('\n').find((l) => l.startsWith('s '))!;
  assert.match(line, /11\.00% ±1\.96%/);
  assert.match(line, /no spread/);
  assert.match(line, /no match/);
  assert.doesNotMatch(line, /0\.00% ±0\.00%/);
  assert.match(t, /\nno spread: the few logged rows that match agree exactly/);
  const unsupported = opeTable({ ...o, rows: o.rows.map((r) => (r.estimator === 'ipw' ? { ...r, identified: false } : r)) } as OffPolicy, []);
  assert.match(unsupported, /not identified/);
});
