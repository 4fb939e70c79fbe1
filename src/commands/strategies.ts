// `crossab strategies`: every strategy this build trains, one line each, the defaults marked.
import { DEFAULT_STRATEGIES, STRATEGIES } from '../models/registry.js';
import { formatTable } from '../util/table.js';
import { parse } from './args.js';
import { COMMANDS } from './specs.js';

export async function strategies(argv: string[]): Promise<number> {
  const { values } = parse('strategies', argv, COMMANDS.strategies.flags, COMMANDS.strategies.positionals);
  const rows = STRATEGIES.map((s) => ({ name: s.name, summary: s.summary, default: DEFAULT_STRATEGIES.includes(s.name) }));
  if (values.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
  else
    process.stdout.write(
      `${formatTable(
        ['strategy', 'default', 'what it is'],
        rows.map((r) => [r.name, r.default ? 'yes' : '', r.summary]),
      )}\n`,
    );
  return 0;
}
