// A run's stored rows as Parquet, one file per table, and such files merged back into a store. A
// sweep unit (sweep/) runs into a private store and leaves its run as these files, so shards on any
// number of machines write nothing shared but files; the merge reads them with read_parquet and
// inserts them in one transaction, skipping runs the store already holds, so it can be repeated.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { openDb } from './db.js';
import { sqlIdent, sqlString } from './columns.js';
import { removeStaleTemps, tempPath } from '../util/atomic-write.js';
import { transaction } from './transaction.js';
import { TABLES } from './tables.js';

/** The tables that hold a run's rows (every one keyed by run_id), the runs table first. */
export const RUN_TABLES: string[] = TABLES.filter((t) => t.columns.some((c) => c.name === 'run_id')).map((t) => t.name);

export interface RunFile {
  table: string;
  path: string;
  rows: number;
}

/**
 * Write every non-empty table's rows of `runId` to its Parquet file (`fileFor(table)`), each through a
 * temporary file and a rename, so a file that exists is whole.
 */
export async function exportRun(dbPath: string, runId: string, fileFor: (table: string) => string): Promise<RunFile[]> {
  const db = await openDb(dbPath, { readOnly: true });
  const out: RunFile[] = [];
  try {
    for (const table of RUN_TABLES) {
      const where = `FROM ${sqlIdent(table)} WHERE run_id = ${sqlString(runId)}`;
      const rows = Number((await db.con.runAndReadAll(`SELECT count(*) ${where}`)).getRows()[0][0]);
      if (rows === 0) continue;
      const path = fileFor(table);
      mkdirSync(dirname(path), { recursive: true });
      removeStaleTemps(path);
      const tmp = tempPath(path);
      try {
        await db.con.run(`COPY (SELECT * ${where}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
        renameSync(tmp, path);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw e;
      }
      out.push({ table, path, rows });
    }
  } finally {
    db.close();
  }
  return out;
}

/**
 * Insert the runs of these files into the store, all or nothing: the runs the store holds already
 * are skipped (their files are not read twice into it). Returns the run IDs added and skipped.
 */
export async function importRunFiles(dbPath: string, files: RunFile[]): Promise<{ added: string[]; skipped: string[] }> {
  const byTable = new Map<string, string[]>();
  for (const f of files) byTable.set(f.table, [...(byTable.get(f.table) ?? []), f.path]);
  // The files sit in hive-style folders (scenario=…/seed=…) for readers that want them; the rows carry everything, so the folders are not read as columns.
  const list = (paths: string[]) => `read_parquet([${paths.map(sqlString).join(', ')}], hive_partitioning = false)`;
  const runFiles = byTable.get('runs') ?? [];
  if (!runFiles.length) return { added: [], skipped: [] };
  const db = await openDb(dbPath);
  try {
    return await transaction(db.con, async () => {
      const all = (await db.con.runAndReadAll(`SELECT run_id FROM ${list(runFiles)}`)).getRows().map((r) => String(r[0]));
      await db.con.run(`CREATE OR REPLACE TEMP TABLE sweep_new AS SELECT run_id FROM ${list(runFiles)} WHERE run_id NOT IN (SELECT run_id FROM runs)`);
      const added = (await db.con.runAndReadAll('SELECT run_id FROM sweep_new')).getRows().map((r) => String(r[0]));
      for (const table of RUN_TABLES) {
        const paths = byTable.get(table);
        if (!paths?.length) continue;
        await db.con.run(`INSERT INTO ${sqlIdent(table)} BY NAME SELECT * FROM ${list(paths)} WHERE run_id IN (SELECT run_id FROM sweep_new)`);
      }
      await db.con.run('DROP TABLE sweep_new');
      return { added, skipped: all.filter((id) => !added.includes(id)) };
    });
  } finally {
    db.close();
  }
}
