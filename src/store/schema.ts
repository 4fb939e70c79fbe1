// The store's schema, versioned. Each migration runs once, in order, in its own transaction; the
// applied version is kept in schema_version. The tables are declared, with their meaning, in tables.ts.
import type { DuckDBConnection } from '@duckdb/node-api';
import { UserError } from '../util/errors.js';
import { transaction } from './transaction.js';
import { LATEST_VERSION, migrationTo } from './tables.js';

// Version v's statements follow from the table declarations: the tables it created and the columns
// it added. A change that is not an addition (a renamed column, a new type) needs its own step here.
const MIGRATIONS: string[][] = Array.from({ length: LATEST_VERSION }, (_, k) => migrationTo(k + 1));

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The store's schema version; null when the file has no crossab schema (a new file, or someone else's). */
export async function storeVersion(con: DuckDBConnection): Promise<number | null> {
  const found = (
    await con.runAndReadAll("SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'schema_version' AND schema_name = 'main'")
  ).getRowObjects();
  if (Number(found[0].n) === 0) return null;
  const rows = (await con.runAndReadAll('SELECT coalesce(max(version), 0)::INTEGER AS v FROM schema_version')).getRowObjects();
  return Number(rows[0].v);
}

/** Refuse what this crossab cannot read: no crossab schema, or a newer one. */
export async function checkReadable(con: DuckDBConnection, path: string): Promise<void> {
  const v = await storeVersion(con);
  if (v === null) throw new UserError(`database '${path}' is a DuckDB file but not a crossab store; choose another path with --db`);
  if (v > SCHEMA_VERSION)
    throw new UserError(`database schema version ${v} is newer than this crossab's (${SCHEMA_VERSION}); upgrade crossab or use another --db`);
}

export async function migrate(con: DuckDBConnection, path = 'database'): Promise<number> {
  if ((await storeVersion(con)) === null) {
    const tables = (await con.runAndReadAll('SELECT count(*)::INTEGER AS n FROM duckdb_tables()')).getRowObjects();
    // Tables but no crossab schema: someone else's DuckDB file, which crossab must not add to.
    if (Number(tables[0].n) > 0) throw new UserError(`database '${path}' is a DuckDB file but not a crossab store; choose another path with --db`);
  }
  await con.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL)');
  const current = (await storeVersion(con))!;
  if (current > SCHEMA_VERSION)
    throw new UserError(`database schema version ${current} is newer than this crossab's (${SCHEMA_VERSION}); upgrade crossab or use another --db`);
  for (let v = current; v < SCHEMA_VERSION; v++) {
    await transaction(con, async () => {
      for (const sql of MIGRATIONS[v]) await con.run(sql);
      await con.run(`INSERT INTO schema_version VALUES (${v + 1}, now())`);
    });
  }
  return SCHEMA_VERSION;
}
