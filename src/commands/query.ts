import { UserError } from '../errors.js';
import { DEFAULT_DB, openDb } from '../store/db.js';
import { formatTable } from '../table.js';
import { parse } from './args.js';

export const usage = 'crossab query "<SQL>" [--db PATH] [--json]';

export async function query(argv: string[]): Promise<number> {
  const { values, positionals } = parse('query', argv, { db: { type: 'string' }, json: { type: 'boolean' } }, { min: 1, max: 1, name: 'SQL query' });
  // The database is opened read-only: DuckDB itself refuses any statement that would write.
  const db = await openDb(values.db ?? DEFAULT_DB, { readOnly: true });
  try {
    let result;
    try {
      result = await db.con.runAndReadAll(positionals[0]);
    } catch (e) {
      const msg = (e as Error).message.split('\n')[0];
      if (/read-only/i.test(msg)) throw new UserError(`query: only reading queries are allowed (${msg})`);
      throw new UserError(`query: ${msg}`);
    }
    const rows = result.getRowObjectsJson() as Record<string, unknown>[];
    const names = result.columnNames();
    if (values.json) process.stdout.write(JSON.stringify(rows) + '\n');
    else process.stdout.write(formatTable(names, rows.map((r) => names.map((n) => (r[n] === null ? 'NULL' : typeof r[n] === 'object' ? JSON.stringify(r[n]) : (r[n] as string | number))))) + '\n');
    return 0;
  } finally {
    db.close();
  }
}
