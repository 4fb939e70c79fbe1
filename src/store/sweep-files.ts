// A run's stored rows as Parquet, one file per table, and such files merged back into a store. A
// sweep unit (sweep/) runs into a private store and leaves its run as these files, so shards on any
// number of machines write nothing shared but files; the merge reads them with read_parquet and
// inserts them in one transaction, skipping runs the store already holds, so it can be repeated.
// A sweep's root is read through DuckDB too (its small JSON files with read_text, its Parquet
// listed with glob), so a root in object storage (s3://, gs://) is read the same way, by DuckDB's
// httpfs extension, and the tests of a local root test that path.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { createInstance, openDb } from './db.js';
import { UserError } from '../util/errors.js';
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
    if (files.some((f) => isObjectStore(f.path))) await enableObjectStore(db.con, files.find((f) => isObjectStore(f.path))!.path);
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

/** A path DuckDB reaches through httpfs (s3://, gs://, https://, …) rather than the file system. */
export const isObjectStore = (path: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(path);

/**
 * Let `con` read object storage: load DuckDB's httpfs extension — installed beforehand, or by crossab
 * when CROSSAB_INSTALL_EXTENSIONS=1 (crossab never fetches code unasked) — and, when the AWS_* variables
 * hold a key, a temporary S3 secret from them; otherwise DuckDB's own persistent secrets apply.
 */
async function enableObjectStore(con: DuckDBConnection, path: string): Promise<void> {
  const env = process.env;
  try {
    if (env.CROSSAB_INSTALL_EXTENSIONS === '1') await con.run('INSTALL httpfs');
    await con.run('LOAD httpfs');
  } catch (e) {
    const why = ((e as Error).message ?? String(e)).split('\n')[0];
    throw new UserError(
      `sweep: reading '${path}' needs DuckDB's httpfs extension, which DuckDB cannot load here (${why}); install it (CROSSAB_INSTALL_EXTENSIONS=1 lets crossab run INSTALL httpfs) or mount the bucket and give the folder`,
    );
  }
  const key = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  if (!key || !secret) return;
  const opts = [`TYPE s3`, `KEY_ID ${sqlString(key)}`, `SECRET ${sqlString(secret)}`];
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region) opts.push(`REGION ${sqlString(region)}`);
  if (env.AWS_SESSION_TOKEN) opts.push(`SESSION_TOKEN ${sqlString(env.AWS_SESSION_TOKEN)}`);
  // An S3-compatible store (MinIO, R2, …): DuckDB takes the host without its scheme, and path-style URLs.
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (endpoint) {
    const m = /^(https?):\/\/(.+?)\/*$/.exec(endpoint);
    opts.push(`ENDPOINT ${sqlString(m ? m[2] : endpoint)}`, `URL_STYLE 'path'`);
    if (m?.[1] === 'http') opts.push('USE_SSL false');
  }
  await con.run(`CREATE OR REPLACE TEMPORARY SECRET crossab_env_s3 (${opts.join(', ')})`);
}

export interface RootFiles {
  /** The root's small JSON files (sweep.json, _units/*.json) by path relative to the root. */
  texts: Map<string, string>;
  /** Every Parquet file and temporary file in the table folders, relative to the root. */
  data: string[];
}

const under = (root: string, rel: string) => `${root.replace(/\/+$/, '')}/${rel}`;

/**
 * Everything a reader of a sweep needs from its root, in five DuckDB queries whatever the number of
 * units (one round trip each on object storage): the files are listed with glob
 * (table/scenario=…/seed=…/key.parquet has a fixed depth) and the JSON read with one read_text.
 */
export async function readRootFiles(root: string): Promise<RootFiles> {
  const instance = await createInstance(':memory:');
  const con = await instance.connect();
  try {
    if (isObjectStore(root)) await enableObjectStore(con, root);
    const glob = async (pattern: string) =>
      (await con.runAndReadAll(`SELECT file FROM glob(${sqlString(under(root, pattern))})`)).getRows().map((r) => String(r[0]));
    const prefix = under(root, '');
    const rel = (f: string) => (f.startsWith(prefix) ? f.slice(prefix.length) : f);
    const small = [...(await glob('sweep.json')), ...(await glob('_units/*.json'))];
    const texts = new Map<string, string>();
    if (small.length)
      for (const [file, content] of (await con.runAndReadAll(`SELECT filename, content FROM read_text([${small.map(sqlString).join(', ')}])`)).getRows())
        texts.set(rel(String(file)), String(content));
    const data = [...(await glob('*/*/*/*.parquet')), ...(await glob('*/*/*/*.parquet.tmp-*'))].map(rel);
    return { texts, data };
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`sweep: cannot read '${root}': ${((e as Error).message ?? String(e)).split('\n')[0]}`);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
