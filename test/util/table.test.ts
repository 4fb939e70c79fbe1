// Plain-text tables: columns as wide as their widest cell, numbers right-aligned and text left, an
// undefined metric as '–'; a streamed table takes its widths from its first rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmt, formatTable, TableStream } from '../../src/util/table.js';

test('a table: widest cell sets the width, numbers align right, text left, NaN as –', () => {
  const t = formatTable(
    ['name', 'auc'],
    [
      ['separate', 0.75],
      ['mmoe', Number.NaN],
      ['a-long-name', 1],
    ],
  );
  assert.equal(t, ['name            auc', '-----------  ------', 'separate     0.7500', 'mmoe              –', 'a-long-name       1'].join('\n'));
  // A text cell that reads as a number or a percentage aligns right too.
  assert.equal(formatTable(['x', 'y'], [['a', '12.5%']]).split('\n')[2], 'a  12.5%');
});

test('numbers for tables: integers as they are, others to 4 digits (or as asked), non-finite as –', () => {
  assert.deepEqual([fmt(3), fmt(0.123456), fmt(0.5, 1), fmt(Number.POSITIVE_INFINITY), fmt(Number.NaN)], ['3', '0.1235', '0.5', '–', '–']);
});

test('a streamed table prints its header once its first rows are in, and later rows in the same widths', () => {
  let out = '';
  const s = new TableStream(['k', 'v'], (x) => (out += x), 2);
  s.add([['a', 1]]);
  assert.equal(out, '', 'waits for its sample of rows');
  s.add([['bbb', 22]]);
  s.add([['c', 3]]);
  s.end();
  assert.deepEqual(out.trimEnd().split('\n'), ['k     v', '---  --', 'a     1', 'bbb  22', 'c     3']);
});
