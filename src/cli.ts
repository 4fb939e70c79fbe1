// Entry point: dispatch to sub-commands; user errors end in one line and exit code 2.
import { UserError } from './util/errors.js';
import { RELEASE } from './util/version.js';
import { guardStream, printable } from './util/terminal.js';
import { helpText } from './commands/args.js';
import { COMMANDS, type CommandName } from './commands/specs.js';

type Runner = (argv: string[]) => Promise<number>;

/** Each command's code is loaded only when it runs: `crossab runs` and `--help` never load TensorFlow.js or React. */
const runners: Record<CommandName, () => Promise<Runner>> = {
  generate: async () => (await import('./commands/generate.js')).generate,
  train: async () => (await import('./commands/train.js')).train,
  plan: async () => (await import('./commands/plan.js')).plan,
  run: async () => (await import('./commands/run.js')).run,
  runs: async () => (await import('./commands/runs.js')).runs,
  strategies: async () => (await import('./commands/strategies.js')).strategies,
  query: async () => (await import('./commands/query.js')).query,
  report: async () => (await import('./commands/report.js')).report,
  check: async () => (await import('./commands/check.js')).check,
  sweep: async () => (await import('./commands/sweep.js')).sweep,
  import: async () => (await import('./commands/import.js')).importLog,
  readout: async () => (await import('./commands/readout.js')).readout,
  fit: async () => (await import('./commands/fit.js')).fit,
  tui: async () => (await import('./commands/tui.js')).tui,
};

const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name);

export function help(): string {
  return [
    'crossab — cross-domain A/B experiment simulator for recommender systems',
    '',
    'Commands:',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${c.summary}`),
    '',
    "'crossab <command> --help' describes a command's flags; 'crossab --version' prints the version.",
  ].join('\n');
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
  if (name === 'help' && rest.length === 1 && isCommand(rest[0])) return main([rest[0], '--help']);
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(help() + '\n');
    return 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`crossab ${RELEASE}\n`);
    return 0;
  }
  // The dashboard draws with escape sequences of its own; every other command prints plain text.
  const unguard = name === 'tui' ? [] : [guardStream(process.stdout), guardStream(process.stderr)];
  try {
    if (!isCommand(name)) throw new UserError(`unknown command '${name}'; commands: ${Object.keys(COMMANDS).join(', ')}`);
    if (wantsHelp(rest)) {
      process.stdout.write(helpText(COMMANDS[name]) + '\n');
      return 0;
    }
    return await (await runners[name]())(rest);
  } catch (e) {
    if (e instanceof UserError) {
      // One line, whatever a file or an argument put into the message.
      process.stderr.write(`crossab: ${printable(e.message)}\n`);
      return e.exitCode;
    }
    throw e;
  } finally {
    for (const restore of unguard) restore();
  }
}
