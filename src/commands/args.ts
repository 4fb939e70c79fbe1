// Flag parsing shared by the sub-commands: strict (unknown flags are errors), typed, one-line errors,
// and a --help text made from the same flag table that parsing uses.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../util/errors.js';
import { didYouMean } from '../util/did-you-mean.js';
import { MAX_SEED } from '../util/seed.js';
import { DEFAULT_DB } from '../store/location.js';

/** A flag as parseArgs takes it, plus what --help says of it (`value` names its argument). */
export type Flag = { type: 'string' | 'boolean'; value?: string; help: string };
export type Options = Record<string, Flag>;

export interface CommandHelp {
  usage: string;
  summary: string;
  flags: Options;
  examples: readonly string[];
  /** Anything --help should say beyond the flags (what the positional arguments are). */
  notes?: string;
}

/** The text of `crossab <command> --help`. */
export function helpText(h: CommandHelp): string {
  const rows = Object.entries(h.flags).map(([name, f]) => [`--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`, f.help]);
  rows.push(['--help', 'this text']);
  const width = Math.max(...rows.map((r) => r[0].length));
  return [
    `usage: ${h.usage}`,
    '',
    h.summary + '.',
    ...(h.notes ? ['', h.notes] : []),
    '',
    'flags:',
    ...rows.map(([f, text]) => `  ${f.padEnd(width)}  ${text}`),
    '',
    'examples:',
    ...h.examples.map((e) => `  ${e}`),
  ].join('\n');
}

/**
 * The command reference (docs/reference/commands.md): every command's --help as the code declares
 * it, so the page cannot drift from the flags (a test regenerates it; `npm run docs` writes it).
 */
export function referencePage(commands: Record<string, CommandHelp>): string {
  const sections = Object.entries(commands).map(([name, h]) => `## crossab ${name}\n\n\`\`\`\n${helpText(h)}\n\`\`\`\n`);
  return `# Command reference\n\nGenerated from \`src/commands/specs.ts\` by \`npm run docs\`; do not edit by hand.\n\n${sections.join('\n')}`;
}

/** `--seed -1` would otherwise read -1 as a flag of its own: a string flag takes the next token whole. */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const out: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const m = /^--([^=]+)$/.exec(argv[k]);
    if (m && options[m[1]]?.type === 'string' && k + 1 < argv.length && /^-\d/.test(argv[k + 1])) out.push(`${argv[k]}=${argv[++k]}`);
    else out.push(argv[k]);
  }
  return out;
}

/** Flags several commands take, described once. */
export const SHARED_FLAGS = {
  seed: { type: 'string', value: 'N', help: "the seed of the world, the models and the A/B assignment, 0 to 2147483647 (default: the scenario's)" },
  strategies: {
    type: 'string',
    value: 'a,b,…',
    help: "strategies to train (default: the scenario's list, else the defaults; 'crossab strategies' lists them)",
  },
  backend: { type: 'string', value: 'NAME', help: 'node, wasm or cpu (default: the fastest that loads; also CROSSAB_BACKEND)' },
  workers: { type: 'string', value: 'N', help: 'training threads, 1 to 64 (default: one per core)' },
} as const;

/** The ranges SHARED_FLAGS promise, applied in one place. */
export { MAX_SEED };
export const MAX_WORKERS = 64;
export const seedFlag = (command: string, value: string | undefined, flag = 'seed'): number | undefined => intFlag(command, flag, value, 0, MAX_SEED);
export const workersFlag = (command: string, value: string | undefined): number | undefined => intFlag(command, 'workers', value, 1, MAX_WORKERS);

/** --db: the store, which commands that write create (in an existing folder) and readers require. */
export const dbFlag = (writes: boolean, extra = '') =>
  ({ type: 'string', value: 'PATH', help: `the DuckDB store (default ${DEFAULT_DB}${writes ? '; its folder must exist' : ''})${extra}` }) as const;

/** A flag given twice: parseArgs would keep the last, and `--seed 1 --seed 2` is more likely a slip than a wish. */
function repeatedFlag(argv: string[], options: Options): string | null {
  const seen = new Set<string>();
  for (let k = 0; k < argv.length && argv[k] !== '--'; k++) {
    const m = /^--([^=]+)(=)?/.exec(argv[k]);
    const flag = m && Object.hasOwn(options, m[1]) ? options[m[1]] : undefined;
    if (!m || !flag) continue;
    if (seen.has(m[1])) return m[1];
    seen.add(m[1]);
    if (flag.type === 'string' && !m[2]) k++;
  }
  return null;
}

type ParseOptions<T extends Options> = { [K in keyof T]: { type: T[K]['type'] } };

export function parse<T extends Options>(command: string, argv: string[], options: T, positionals: { min: number; max: number; name: string }) {
  const config = Object.fromEntries(Object.entries(options).map(([k, f]) => [k, { type: f.type }])) as ParseOptions<T>;
  const twice = repeatedFlag(argv, options);
  if (twice) throw new UserError(`${command}: --${twice} is given twice; give it once`);
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: ParseOptions<T>; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv, options),
      options: config as ParseArgsConfig['options'] & ParseOptions<T>,
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    const message = (e as Error).message
      .split('\n')[0]
      .replace(/\. To specify a positional argument.*$/, '')
      .replace(/\.$/, '');
    const unknown = /^Unknown option '--([^']+)'/.exec(message)?.[1];
    const hint = unknown ? didYouMean(unknown, Object.keys(options), '--') : '';
    throw new UserError(`${command}: ${message}${hint}; see 'crossab ${command} --help'`);
  }
  for (const [name, v] of Object.entries(parsed.values)) {
    if (typeof v === 'string' && v.trim() === '') throw new UserError(`${command}: --${name} needs a value, got an empty string`);
  }
  const n = parsed.positionals.length;
  if (n < positionals.min) throw new UserError(`${command}: missing ${positionals.name}; see 'crossab ${command} --help'`);
  if (n > positionals.max) throw new UserError(`${command}: unexpected argument '${parsed.positionals[positionals.max]}'`);
  return parsed;
}

export function intFlag(command: string, flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UserError(`${command}: --${flag} must be a whole number from ${min} to ${max}, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new UserError(`${command}: --${flag} must be between ${min} and ${max}, got ${value}`);
  return n;
}

export function listFlag(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The file's folder must exist and the path must not be a folder: checked before any work. */
export function checkOutputPath(command: string, flag: string, path: string, ext?: string): string {
  const full = resolve(path);
  if (ext && !full.endsWith(ext)) throw new UserError(`${command}: --${flag} '${path}' must end in ${ext}`);
  const dir = dirname(full);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${command}: --${flag} '${path}': folder '${dir}' does not exist`);
  if (existsSync(full) && statSync(full).isDirectory()) throw new UserError(`${command}: --${flag} '${path}' is a folder, not a file`);
  return full;
}

/** A folder to write into: an existing folder, or a new one inside an existing folder (never a chain of new ones). */
export function checkOutputDir(command: string, flag: string, path: string): string {
  const full = resolve(path);
  if (existsSync(full)) {
    if (!statSync(full).isDirectory()) throw new UserError(`${command}: --${flag} '${path}' is a file, not a folder`);
    return full;
  }
  const parent = dirname(full);
  if (!existsSync(parent) || !statSync(parent).isDirectory()) throw new UserError(`${command}: --${flag} '${path}': folder '${parent}' does not exist`);
  return full;
}
