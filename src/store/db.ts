// Opening the DuckDB file. crossab holds the file only while it reads or writes (never during
// training), so several runs can share one database: a process that finds the file locked waits for
// it (up to a limit) and then fails with one clear line. Migrations are applied on every open for write.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { UserError } from '../errors.js';
import { migrate } from './schema.js';

export const DEFAULT_DB = 'crossab.duckdb';

export interface Db {
  path: string;
  con: DuckDBConnection;
  close(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function explain(path: string, e: unknown): UserError | null {
  const msg = (e as Error).message ?? String(e);
  if (/not a valid DuckDB database file/i.test(msg)) return new UserError(`database '${path}' is not a DuckDB file; choose another path with --db`);
  if (/No such file or directory|Cannot open file/i.test(msg)) return new UserError(`database '${path}' cannot be opened: ${msg.replace(/^IO Error: /, '')}`);
  if (/Permission denied/i.test(msg)) return new UserError(`database '${path}': permission denied`);
  if (/newer version|older version|incompatible|Serialization Error/i.test(msg)) return new UserError(`database '${path}' was written by an incompatible DuckDB version: ${msg.split('\n')[0]}`);
  return null;
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
export async function openDb(pathArg: string, opts: { readOnly?: boolean; waitSeconds?: number } = {}): Promise<Db> {
  const path = resolve(pathArg);
  if (opts.readOnly && !existsSync(path)) throw new UserError(`no database at '${pathArg}'; run 'crossab run' first or pass --db`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UserError(`database '${pathArg}' is a folder, not a file`);
  if (!existsSync(dirname(path))) throw new UserError(`database '${pathArg}': folder '${dirname(path)}' does not exist`);
  const unlock = await lockPath(path);
  try {
    return await openLocked(path, pathArg, opts, unlock);
  } catch (e) {
    unlock();
    throw e;
  }
}

async function openLocked(path: string, pathArg: string, opts: { readOnly?: boolean; waitSeconds?: number }, unlock: () => void): Promise<Db> {
  const deadline = Date.now() + 1000 * (opts.waitSeconds ?? 60);
  for (;;) {
    try {
      const instance = await DuckDBInstance.create(path, opts.readOnly ? { access_mode: 'READ_ONLY' } : {});
      const con = await instance.connect();
      let open = true;
      const db: Db = {
        path, con,
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
      if (!opts.readOnly) {
        try {
          await migrate(con);
        } catch (e) {
          db.close();
          throw e;
        }
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
        throw new UserError(`database '${pathArg}' is busy: another process${pid ? ` (PID ${pid})` : ''} holds it; wait for it to finish or use --db OTHER.duckdb`);
      }
      throw explain(pathArg, e) ?? e;
    }
  }
}
