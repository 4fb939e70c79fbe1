// Entry point: dispatch to sub-commands; user errors end in one line and exit code 2.
import { UserError } from './errors.js';
import { generate, usage as generateUsage } from './commands/generate.js';
import { train, usage as trainUsage } from './commands/train.js';
import { run, usage as runUsage } from './commands/run.js';
import { runs, usage as runsUsage } from './commands/runs.js';
import { query, usage as queryUsage } from './commands/query.js';
import { report, usage as reportUsage } from './commands/report.js';
import { tui, usage as tuiUsage } from './commands/tui.js';
import { check, usage as checkUsage } from './commands/check.js';

type Command = { run: (argv: string[]) => Promise<number>; usage: string; summary: string };

const commands: Record<string, Command> = {
  generate: { run: generate, usage: generateUsage, summary: 'generate a world and print its summary (optionally write Parquet)' },
  train: { run: train, usage: trainUsage, summary: 'train strategies and print offline metrics per domain and segment' },
  run: { run, usage: runUsage, summary: 'the whole job: generate, train, evaluate, A/B replay, store in DuckDB' },
  runs: { run: runs, usage: runsUsage, summary: 'list stored runs' },
  query: { run: query, usage: queryUsage, summary: 'run a read-only SQL query on the store' },
  report: { run: report, usage: reportUsage, summary: 'write a self-contained HTML report (Vega-Lite) of stored runs' },
  check: { run: check, usage: checkUsage, summary: 'judge scenarios\' expectations over seeds (or compare with a baseline run); exit 1 on failure' },
  tui: { run: tui, usage: tuiUsage, summary: 'the terminal dashboard: pick a scenario, run it with live progress' },
};

export function help(): string {
  return ['crossab — cross-domain A/B experiment simulator for recommender systems', '', 'Commands:',
    ...Object.values(commands).map((c) => `  ${c.usage}\n      ${c.summary}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  // On a terminal, bare `crossab` opens the dashboard; elsewhere it prints help.
  if (!name && process.stdin.isTTY && process.stdout.isTTY) return main(['tui']);
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(help() + '\n');
    return 0;
  }
  const cmd = commands[name];
  try {
    if (!cmd) throw new UserError(`unknown command '${name}'; commands: ${Object.keys(commands).join(', ')}`);
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`crossab: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
