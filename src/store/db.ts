// Opening the DuckDB file. crossab holds the file only while it reads or writes (never during
// training), so several runs can share one database: a process that finds the file locked waits for
// it (up to a limit) and then fails with one clear line. Migrations are applied on every open for write.
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { UserError } from '../util/errors.js';
import { checkReadable, migrate } from './schema.js';

export { DEFAULT_DB } from './location.js';

export interface Db {
  path: string;
  con: DuckDBConnection;
  close(): void;
}

/** A query's rows as plain objects (DuckDB's JSON-safe values: big integers and decimals as strings or numbers). */
export async function rowsOf<T = Record<string, unknown>>(db: Db, sql: string): Promise<T[]> {
  return (await db.con.runAndReadAll(sql)).getRowObjectsJson() as T[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Settings of every DuckDB instance crossab opens: extensions are never installed or loaded behind
 * the user's back (a SQLite file given as --db would otherwise make DuckDB fetch its SQLite reader).
 */
export const BASE_CONFIG: Record<string, string> = { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' };

/**
 * A connection for SQL that someone else wrote (`crossab query`): nothing outside the store file is
 * reachable — no files, no other databases, no extensions, no spilling to a temporary folder — and no
 * statement can change these settings. Order matters: DuckDB refuses to move the temporary folder
 * once external access is off, and refuses every change once the configuration is locked.
 */
export const SANDBOX_CONFIG: Record<string, string> = {
  temp_directory: '',
  memory_limit: '2GB',
  ...BASE_CONFIG,
  enable_external_access: 'false',
  lock_configuration: 'true',
};

/**
 * What a non-empty file that is not DuckDB's looks like, read from its first bytes before DuckDB sees
 * it (DuckDB would take a SQLite file for an attachment and reach for an extension).
 */
function foreignFormat(path: string): string | null {
  if (!existsSync(path) || statSync(path).size === 0) return null;
  const head = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1', 0, 15) === 'SQLite format 3') return 'a SQLite file';
  if (head.toString('latin1', 8, 12) === 'DUCK') return null;
  if (head.toString('latin1', 0, 4) === 'PAR1') return 'a Parquet file';
  return 'not a DuckDB file';
}

/** Any failure to open a database file is the user's to fix (wrong path, damaged file): one line. */
function explain(path: string, e: unknown): UserError {
  const msg = ((e as Error).message ?? String(e)).split('\n')[0];
  const detail = msg.replace(/^[A-Za-z ]+ Error: /, '');
  if (/not a valid DuckDB database file/i.test(msg)) return new UserError(`database '${path}' is not a DuckDB file; choose another path with --db`);
  if (/Could not read enough bytes/i.test(msg))
    return new UserError(`database '${path}' is truncated or damaged (${detail}); restore it or choose another path with --db`);
  if (/Permission denied/i.test(msg)) return new UserError(`database '${path}': permission denied`);
  if (/newer version|older version|incompatible|Serialization Error/i.test(msg))
    return new UserError(`database '${path}' was written by an incompatible DuckDB version: ${msg}`);
  return new UserError(`database '${path}' cannot be opened: ${detail}`);
}

/**
 * One open database per file in this process at a time (check's concurrent seeds store their runs
 * from one process; two DuckDB instances writing one file would not see each other's lock).
 */
const tails = new Map<string, Promise<void>>();
async function lockPath(path: string): Promise<() => void> {
  const prev = tails.get(path) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const tail = prev.then(() => mine);
  tails.set(path, tail);
  await prev;
  return () => {
    release();
    if (tails.get(path) === tail) tails.delete(path);
  };
}

/**
 * Open the database. `readOnly` refuses writes and requires an existing file. While another process
 * holds the file's lock, retry every 200 ms for up to `waitSeconds`.
 */
export interface OpenOptions {
  readOnly?: boolean;
  waitSeconds?: number;
  /** Read-only, with SANDBOX_CONFIG: for SQL that crossab did not write. */
  sandbox?: boolean;
}

export async function openDb(pathArg: string, opts: OpenOptions = {}): Promise<Db> {
  if (pathArg.trim() === '') throw new UserError('--db needs a file path, got an empty string');
  if (opts.sandbox) opts = { ...opts, readOnly: true };
  const path = resolve(pathArg);
  if (opts.readOnly && !existsSync(path)) throw new UserError(`no database at '${pathArg}'; run 'crossab run' first or pass --db`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UserError(`database '${pathArg}' is a folder, not a file`);
  if (!existsSync(dirname(path))) throw new UserError(`database '${pathArg}': folder '${dirname(path)}' does not exist`);
  const foreign = foreignFormat(path);
  if (foreign)
    throw new UserError(
      `database '${pathArg}' is ${foreign === 'not a DuckDB file' ? foreign : `${foreign}, not a DuckDB file`}; choose another path with --db`,
    );
  const unlock = await lockPath(path);
  try {
    return await openLocked(path, pathArg, opts, unlock);
  } catch (e) {
    unlock();
    throw e;
  }
}

async function openLocked(path: string, pathArg: string, opts: OpenOptions, unlock: () => void): Promise<Db> {
  const deadline = Date.now() + 1000 * (opts.waitSeconds ?? 60);
  for (;;) {
    try {
      const instance = await createInstance(path, opts.readOnly ? { access_mode: 'READ_ONLY', ...(opts.sandbox ? SANDBOX_CONFIG : {}) } : {});
      const con = await instance.connect();
      let open = true;
      const db: Db = {
        path,
        con,
        close: () => {
          if (!open) return;
          open = false;
          try {
            con.closeSync();
            instance.closeSync();
          } finally {
            unlock();
          }
        },
      };
      try {
        if (!opts.readOnly) await migrate(con, pathArg);
        else if (!opts.sandbox) await checkReadable(con, pathArg);
      } catch (e) {
        db.close();
        throw e;
      }
      return db;
    } catch (e) {
      const msg = (e as Error).message ?? '';
      if (/Could not set lock|Conflicting lock/i.test(msg)) {
        if (Date.now() < deadline) {
          await sleep(200);
          continue;
        }
        const pid = /PID (\d+)/.exec(msg)?.[1];
        throw new UserError(
          `database '${pathArg}' is busy: another process${pid ? ` (PID ${pid})` : ''} holds it; wait for it to finish or use --db OTHER.duckdb`,
        );
      }
      if (e instanceof UserError) throw e;
      throw explain(pathArg, e);
    }
  }
}

/** Every DuckDB instance crossab makes goes through here, so BASE_CONFIG always applies. */
export function createInstance(path: string, config: Record<string, string> = {}): Promise<DuckDBInstance> {
  return DuckDBInstance.create(path, { ...BASE_CONFIG, ...config });
}

/**
 * Remove a store this process created and wrote nothing to (its file and write-ahead log): a command
 * refused after its planning step opened a new --db leaves no file behind.
 */
export function discardNewStore(path: string): void {
  for (const f of [path, `${path}.wal`]) rmSync(f, { force: true });
}
