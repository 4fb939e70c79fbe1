// Entry point: dispatch to sub-commands; user errors end in one line and exit code 2.
import { UserError } from './errors.js';
import { generate, usage as generateUsage } from './commands/generate.js';
import { train, usage as trainUsage } from './commands/train.js';

type Command = { run: (argv: string[]) => Promise<number>; usage: string; summary: string };

const commands: Record<string, Command> = {
  generate: { run: generate, usage: generateUsage, summary: 'generate a world and print its summary (optionally write Parquet)' },
  train: { run: train, usage: trainUsage, summary: 'train strategies and print offline metrics per domain and segment' },
};

export function help(): string {
  return ['crossab — cross-domain A/B experiment simulator for recommender systems', '', 'Commands:',
    ...Object.values(commands).map((c) => `  ${c.usage}\n      ${c.summary}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
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
