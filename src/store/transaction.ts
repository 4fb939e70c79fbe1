import type { DuckDBConnection } from '@duckdb/node-api';

/** Run `fn` inside BEGIN … COMMIT on the connection; roll back on any error. */
export async function transaction<T>(con: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  await con.run('BEGIN TRANSACTION');
  try {
    const out = await fn();
    await con.run('COMMIT');
    return out;
  } catch (e) {
    await con.run('ROLLBACK').catch(() => {});
    throw e;
  }
}
