import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { z } from 'zod';
import { UserError } from '../util/errors.js';
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

/** Validate an already-parsed object; `origin` names it in the error (a file name). */
export function parseScenario(raw: unknown, origin = 'scenario'): Scenario {
  const result = ScenarioSchema.safeParse(raw);
  if (!result.success) {
    const first = result.error.issues[0];
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
    throw new ScenarioError(`${origin}: ${describeIssue(first)}${more}`);
  }
  return result.data;
}

export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError(`${path}: cannot read scenario file (${code === 'ENOENT' ? 'no such file' : (code ?? String(e))})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return parseScenario(raw, basename(path));
}
