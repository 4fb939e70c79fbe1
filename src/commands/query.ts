import { DEFAULT_DB, openDb } from '../store/db.js';
import { runReadOnlyQuery } from '../store/query.js';
import { TableStream } from '../table.js';
import { dbFlag, intFlag, parse, type CommandHelp } from './args.js';

export const usage = 'crossab query "<SQL>" [--db PATH] [--json] [--max-rows N] [--timeout S]';

const FLAGS = {
  db: dbFlag(false),
  json: { type: 'boolean', help: 'print the rows as a JSON array of objects, streamed' },
  'max-rows': { type: 'string', value: 'N', help: 'stop after N rows and say so on stderr (default 1000; 0: every row, still streamed)' },
  timeout: { type: 'string', value: 'S', help: 'interrupt the query after S seconds (default 60; 0: never)' },
} as const;

export const help: CommandHelp = {
  usage, flags: FLAGS, summary: 'Run one read-only SQL statement on the store',
  notes: 'Only a statement that reads is run (SELECT, FROM, WITH, VALUES, DESCRIBE, SHOW, SUMMARIZE), decided by\nDuckDB\'s own parser; the store is opened read-only, and files, other databases and extensions are off limits.',
  examples: ["crossab query \"SELECT arm, domain, lift, p_value FROM ab_lifts WHERE metric = 'ctr'\"", "crossab query 'SHOW TABLES' --json"],
};

const cell = (v: unknown): string | number => (v === null ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : (v as string | number));

export async function query(argv: string[]): Promise<number> {
  const { values, positionals } = parse('query', argv, FLAGS, { min: 1, max: 1, name: 'SQL query' });
  const maxRows = intFlag('query', 'max-rows', values['max-rows'], 0, 2 ** 31 - 1) ?? 1000;
  const timeoutSeconds = intFlag('query', 'timeout', values.timeout, 0, 86_400) ?? 60;
  const db = await openDb(values.db ?? DEFAULT_DB, { sandbox: true });
  const out = (s: string) => process.stdout.write(s);
  try {
    let names: string[] = [];
    let table: TableStream | null = null;
    let first = true;
    const outcome = await runReadOnlyQuery(db, positionals[0], { maxRows, timeoutSeconds }, {
      columns(n) {
        names = n;
        if (!values.json) table = new TableStream(names, out);
      },
      rows(rows) {
        if (table) return table.add(rows.map((r) => r.map(cell)));
        const text = rows.map((r) => JSON.stringify(Object.fromEntries(names.map((n, k) => [n, r[k]])))).join(',');
        out(first ? `[${text}` : `,${text}`);
        first = false;
      },
    });
    if (values.json) out(first ? '[]\n' : ']\n');
    else table!.end();
    if (outcome.truncated) process.stderr.write(`crossab: query: truncated at ${outcome.rows} rows; --max-rows N to change (0: all)\n`);
    return 0;
  } finally {
    db.close();
  }
}
