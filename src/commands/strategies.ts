// `crossab strategies`: every strategy this build trains, one line each, the defaults marked; with
// --settings, each one's own training settings and what they do.
import { DEFAULT_STRATEGIES, STRATEGIES, strategySettings } from '../models/registry.js';
import { formatTable } from '../util/table.js';
import { parse } from './args.js';
import { COMMANDS } from './specs.js';

export async function strategies(argv: string[]): Promise<number> {
  const { values } = parse('strategies', argv, COMMANDS.strategies.flags, COMMANDS.strategies.positionals);
  const rows = STRATEGIES.map((s) => ({ name: s.name, summary: s.summary, default: DEFAULT_STRATEGIES.includes(s.name), settings: strategySettings(s) }));
  if (values.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
  else if (values.settings)
    process.stdout.write(
      `${rows
        .map((r) => `${r.name}\n${r.settings.length ? r.settings.map((x) => `  training.${x.field}: ${x.doc}`).join('\n') : '  (the common settings only)'}`)
        .join('\n')}\n`,
    );
  else
    process.stdout.write(
      `${formatTable(
        ['strategy', 'default', 'what it is'],
        rows.map((r) => [r.name, r.default ? 'yes' : '', r.summary]),
      )}\n`,
    );
  return 0;
}
