// Entry point: dispatch to sub-commands; user errors end in one line and exit code 2.
import { UserError } from './errors.js';
import { RELEASE } from './version.js';
import { helpText, type CommandHelp } from './commands/args.js';
import { generate, help as generateHelp } from './commands/generate.js';
import { train, help as trainHelp } from './commands/train.js';
import { run, help as runHelp } from './commands/run.js';
import { runs, help as runsHelp } from './commands/runs.js';
import { query, help as queryHelp } from './commands/query.js';
import { report, help as reportHelp } from './commands/report.js';
import { tui, help as tuiHelp } from './commands/tui.js';
import { check, help as checkHelp } from './commands/check.js';

type Command = { run: (argv: string[]) => Promise<number>; help: CommandHelp };

const commands: Record<string, Command> = {
  generate: { run: generate, help: generateHelp },
  train: { run: train, help: trainHelp },
  run: { run, help: runHelp },
  runs: { run: runs, help: runsHelp },
  query: { run: query, help: queryHelp },
  report: { run: report, help: reportHelp },
  check: { run: check, help: checkHelp },
  tui: { run: tui, help: tuiHelp },
};

export function help(): string {
  return ['crossab — cross-domain A/B experiment simulator for recommender systems', '', 'Commands:',
    ...Object.values(commands).map((c) => `  ${c.help.usage}\n      ${c.help.summary}`), '',
    "'crossab <command> --help' describes a command's flags; 'crossab --version' prints the version."].join('\n');
}

/** A --help or -h among a command's arguments (before a lone '--') asks for its help. */
const wantsHelp = (argv: string[]): boolean => {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  // On a terminal, bare `crossab` opens the dashboard; elsewhere it prints help.
  if (!name && process.stdin.isTTY && process.stdout.isTTY) return main(['tui']);
  if (name === 'help' && rest.length === 1 && Object.hasOwn(commands, rest[0])) return main([rest[0], '--help']);
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(help() + '\n');
    return 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`crossab ${RELEASE}\n`);
    return 0;
  }
  const cmd = Object.hasOwn(commands, name) ? commands[name] : undefined;
  try {
    if (!cmd) throw new UserError(`unknown command '${name}'; commands: ${Object.keys(commands).join(', ')}`);
    if (wantsHelp(rest)) {
      process.stdout.write(helpText(cmd.help) + '\n');
      return 0;
    }
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`crossab: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
