// Run the built CLI as a user would.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './scenarios.js';
import type { Outcome } from './cli-driver.js';

/**
 * The CLI tests run on wasm, the backend every machine has, so their numbers do not depend on whether
 * tfjs-node was built; CROSSAB_BACKEND in the environment (e.g. node) overrides it for a whole run,
 * and the node-backend tests ask for node by name.
 */
export const cliEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ CROSSAB_BACKEND: 'wasm', ...process.env, ...extra });

export function crossab(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [join(root, 'bin/crossab.js'), ...args], {
    cwd: opts.cwd ?? mkdtempSync(join(tmpdir(), 'crossab-cwd-')),
    encoding: 'utf8',
    env: cliEnv(opts.env),
    timeout: 600_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Many invocations in one process (test/helpers/cli-driver.ts calls main() as the launcher does),
 * for tests that need hundreds: a process start costs about a second. A crash or hang of the whole
 * driver throws with what it printed.
 */
export function crossabMany(cases: { argv: string[]; seconds: number }[], opts: { cwd?: string; env?: Record<string, string> } = {}): Outcome[] {
  const dir = mkdtempSync(join(tmpdir(), 'crossab-many-'));
  const input = join(dir, 'cases.json');
  const output = join(dir, 'outcomes.json');
  writeFileSync(input, JSON.stringify(cases));
  const budget = cases.reduce((a, c) => a + c.seconds, 0);
  const r = spawnSync(process.execPath, [join(root, 'dist/test/helpers/cli-driver.js'), input, output], {
    cwd: opts.cwd ?? dir,
    encoding: 'utf8',
    env: cliEnv(opts.env),
    timeout: budget * 1000,
  });
  if (r.status !== 0) throw new Error(`the CLI driver died (exit ${r.status}, signal ${r.signal}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(readFileSync(output, 'utf8'));
}
