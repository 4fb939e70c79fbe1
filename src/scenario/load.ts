import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { z } from 'zod';
import { UserError } from '../util/errors.js';
import { JsonSyntaxError, parseJson } from '../util/json.js';
import { ScenarioSchema, type Scenario } from './schema.js';

/** A problem the user can fix in their scenario file: reported as one line, exit code 2. */
export class ScenarioError extends UserError {}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path) || '(top level)';
  if (issue.code === 'unrecognized_keys') return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  return `${where}: ${issue.message}`;
}

/** A file's schema violations as one line: the first, and how many more. */
export function issuesLine(error: z.ZodError, origin: string): string {
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `${origin}: ${describeIssue(error.issues[0])}${more}`;
}

/** Validate an already-parsed object; `origin` names it in the error (a file name). */
export function parseScenario(raw: unknown, origin = 'scenario'): Scenario {
  const result = ScenarioSchema.safeParse(raw);
  if (!result.success) throw new ScenarioError(issuesLine(result.error, origin));
  return result.data;
}

/** A JSON file crossab reads (a scenario, a mapping, a policy): unreadable or not JSON is one line naming it. */
export function readJsonFile(path: string, what: string, Err: new (message: string) => UserError = UserError): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder; give a file' : code === 'EACCES' ? 'permission denied' : (code ?? String(e));
    throw new Err(`${path}: cannot read ${what} (${why})`);
  }
  try {
    return parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new Err(`${path}: not valid JSON (${e.message})`);
    throw e;
  }
}

export function loadScenario(path: string): Scenario {
  return parseScenario(readJsonFile(path, 'scenario file', ScenarioError), basename(path));
}
