// A transaction either commits everything its function wrote, or — when the function throws —
// nothing, and the error reaches the caller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { transaction } from '../../src/store/transaction.js';

test('all or nothing: a throwing function leaves no row, a returning one commits and passes its value on', async () => {
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  try {
    await con.run('CREATE TABLE t (x INTEGER)');
    await assert.rejects(
      transaction(con, async () => {
        await con.run('INSERT INTO t VALUES (1), (2)');
        throw new Error('half way');
      }),
      /half way/,
    );
    const count = async () => Number((await con.runAndReadAll('SELECT count(*) AS n FROM t')).getRowObjects()[0].n);
    assert.equal(await count(), 0);
    const out = await transaction(con, async () => {
      await con.run('INSERT INTO t VALUES (3)');
      return 'done';
    });
    assert.equal(out, 'done');
    assert.equal(await count(), 1);
  } finally {
    con.closeSync();
    inst.closeSync();
  }
});
