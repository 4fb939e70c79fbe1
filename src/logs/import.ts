// `crossab import`: from files and a mapping to a stored dataset. Here the files are found, hashed
// and labelled (a domain or arm taken from the path); the store reads and checks them. The checksum
// covers the mapping and the files' bytes — not their paths — so the same files imported again, from
// anywhere, change nothing.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Mapping } from '../scenario/mapping.js';
import { labelFromPath } from '../scenario/mapping.js';
import { openDb } from '../store/db.js';
import { importLogs, type ImportOutcome, type LogFile } from '../store/log-import.js';
import { UserError } from '../util/errors.js';
import { checkCsvShape } from './csv-shape.js';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function formatOf(path: string): 'csv' | 'parquet' {
  if (/\.parquet$/i.test(path)) return 'parquet';
  if (/\.(csv|tsv)(\.gz)?$/i.test(path)) return 'csv';
  throw new UserError(`${path}: not a .csv or .parquet file`);
}

function readable(path: string, what: string): void {
  if (!existsSync(path)) throw new UserError(`${path}: no such file (${what})`);
  if (!statSync(path).isFile()) throw new UserError(`${path}: not a file (${what})`);
}

export function planFiles(paths: readonly string[], m: Mapping): LogFile[] {
  if (!paths.length) throw new UserError('import: give at least one log file');
  if (new Set(paths).size !== paths.length) throw new UserError('import: a file is named twice');
  return paths.map((path) => {
    readable(path, 'a log file');
    const label = (from: Mapping['domain'], what: string) => {
      if ('value' in from) return from.value;
      if (!('fromPath' in from)) return null;
      const l = labelFromPath(path, from.fromPath);
      if (!l) throw new UserError(`${path}: its path names no ${what} (the mapping takes the ${what} from the path: one of ${from.fromPath.join(', ')})`);
      return l;
    };
    let itemsPath: string | null = null;
    if (m.items) {
      itemsPath = isAbsolute(m.items.file) ? m.items.file : join(dirname(path), m.items.file);
      readable(itemsPath, `the item table of ${path}`);
    }
    return { path, format: formatOf(path), sha256: sha256(path), domain: label(m.domain, 'domain'), arm: label(m.arm, 'arm'), itemsPath };
  });
}

export function checksumOf(m: Mapping, files: readonly LogFile[]): string {
  const h = createHash('sha256');
  const { $comment: _, ...meaning } = m;
  h.update(JSON.stringify(meaning));
  const parts = files.map((f) => `${f.sha256}|${f.domain}|${f.arm}|${f.itemsPath ? sha256(f.itemsPath) : ''}`).sort();
  for (const p of parts) h.update(`\n${p}`);
  return h.digest('hex');
}

export interface ImportRequest {
  files: string[];
  mapping: Mapping;
  name?: string;
  replace: boolean;
  db: string;
}

export async function importDataset(r: ImportRequest): Promise<ImportOutcome> {
  const files = planFiles(r.files, r.mapping);
  for (const path of new Set(files.flatMap((f) => [f.path, ...(f.itemsPath ? [f.itemsPath] : [])]))) if (!/\.parquet$/i.test(path)) await checkCsvShape(path);
  const dataset = r.name ?? r.mapping.dataset;
  const db = await openDb(r.db);
  try {
    return await importLogs(db, { dataset, checksum: checksumOf(r.mapping, files), mapping: r.mapping, files, replace: r.replace });
  } finally {
    db.close();
  }
}
