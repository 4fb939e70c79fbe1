// Run the built CLI as a user would.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './scenarios.js';

export function crossab(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [join(root, 'bin/crossab.js'), ...args], {
    cwd: opts.cwd ?? mkdtempSync(join(tmpdir(), 'crossab-cwd-')), encoding: 'utf8', env: { ...process.env, ...opts.env }, timeout: 600_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

