// Flag parsing shared by the sub-commands: strict (unknown flags are errors), typed, one-line errors.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<T extends Options>(command: string, argv: string[], options: T, positionals: { min: number; max: number; name: string }) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UserError(`${command}: ${(e as Error).message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '')}`);
  }
  const n = parsed.positionals.length;
  if (n < positionals.min) throw new UserError(`${command}: missing ${positionals.name}; see 'crossab help'`);
  if (n > positionals.max) throw new UserError(`${command}: unexpected argument '${parsed.positionals[positionals.max]}'`);
  return parsed;
}

export function intFlag(command: string, flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UserError(`${command}: --${flag} must be a whole number, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new UserError(`${command}: --${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function listFlag(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((s) => s.trim()).filter(Boolean);
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
