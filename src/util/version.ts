import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** crossab's release, from package.json. */
export const RELEASE: string = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;

/** A short hash of the compiled code, so that a changed model or trainer never reuses old results. */
function codeHash(): string {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const h = createHash('sha256');
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.js')).sort();
  for (const f of files) h.update(f).update(readFileSync(join(root, f)));
  return h.digest('hex').slice(0, 10);
}

/** Recorded with every run (`runs.version`) and part of what `check` matches before reusing a run. */
export const VERSION = `${RELEASE}+${codeHash()}`;
