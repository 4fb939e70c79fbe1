import { DEFAULT_DB, openDb } from '../store/db.js';
import { runReadOnlyQuery } from '../store/query.js';
import { TableStream } from '../util/table.js';
import { printable } from '../util/terminal.js';
import { intFlag, parse } from './args.js';
import { COMMANDS } from './specs.js';

export async function query(argv: string[]): Promise<number> {
  const { values, positionals } = parse('query', argv, COMMANDS.query.flags, COMMANDS.query.positionals);
  const maxRows = intFlag('query', 'max-rows', values['max-rows'], 0, 2 ** 31 - 1) ?? 1000;
  const timeoutSeconds = intFlag('query', 'timeout', values.timeout, 0, 86_400) ?? 60;
  const db = await openDb(values.db ?? DEFAULT_DB, { sandbox: true });
  const out = (s: string) => process.stdout.write(s);
  try {
    let names: string[] = [];
    let table: TableStream | null = null;
    let first = true;
    const outcome = await runReadOnlyQuery(
      db,
      positionals[0],
      { maxRows, timeoutSeconds },
      {
        format: values.json ? 'json' : 'text',
        columns(n) {
          names = n;
          // A cell is one line: a newline inside a value would break the table's rows.
          if (!values.json) table = new TableStream(names.map(printable), out);
        },
        rows(rows) {
          if (table) return table.add((rows as string[][]).map((r) => r.map(printable)));
          const text = rows.map((r) => JSON.stringify(Object.fromEntries(names.map((n, k) => [n, r[k]])))).join(',');
          out(first ? `[${text}` : `,${text}`);
          first = false;
        },
      },
    );
    if (values.json) out(first ? '[]\n' : ']\n');
    else table!.end();
    if (outcome.truncated) process.stderr.write(`crossab: query: truncated at ${outcome.rows} rows; --max-rows N to change (0: all)\n`);
    return 0;
  } finally {
    db.close();
  }
}
