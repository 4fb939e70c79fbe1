// Typed-array columns appended a chunk at a time, and the quoting every generated statement relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, DOUBLE, INTEGER, VARCHAR } from '@duckdb/node-api';
import { appendColumns, sqlIdent, sqlString } from '../../src/store/columns.js';

test('appendColumns writes every row across the 2048-row chunk boundaries, typed arrays and plain arrays alike', async () => {
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  try {
    const table = 'odd "name"';
    await con.run(`CREATE TABLE ${sqlIdent(table)} (k INTEGER, x DOUBLE, s VARCHAR)`);
    const rows = 2 * 2048 + 5;
    const k = Int32Array.from({ length: rows + 3 }, (_, i) => i);
    const x = Float64Array.from({ length: rows + 3 }, (_, i) => i / 7);
    const s = Array.from({ length: rows + 3 }, (_, i) => (i % 3 === 0 ? null : `it's ${i}`));
    // Only the first `rows` values of longer arrays are written.
    await appendColumns(
      con,
      table,
      [
        { name: 'k', type: INTEGER, data: k },
        { name: 'x', type: DOUBLE, data: x },
        { name: 's', type: VARCHAR, data: s },
      ],
      rows,
    );
    await appendColumns(con, table, [{ name: 'k', type: INTEGER, data: k }], 0);
    const got = (await con.runAndReadAll(`SELECT k, x, s FROM ${sqlIdent(table)} ORDER BY k`)).getRows();
    assert.equal(got.length, rows);
    for (const i of [0, 2047, 2048, 4095, 4096, rows - 1]) assert.deepEqual(got[i], [i, i / 7, i % 3 === 0 ? null : `it's ${i}`], `row ${i}`);
    const match = (await con.runAndReadAll(`SELECT count(*)::INTEGER FROM ${sqlIdent(table)} WHERE s = ${sqlString("it's 4")}`)).getRows();
    assert.deepEqual(match, [[1]]);
  } finally {
    con.closeSync();
    inst.closeSync();
  }
});

test('sqlIdent and sqlString double the quote they are delimited by', () => {
  assert.equal(sqlIdent('a"b'), '"a""b"');
  assert.equal(sqlString("it's"), "'it''s'");
  assert.equal(sqlString(''), "''");
});
