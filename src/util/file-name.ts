// File names made from user input (scenario names, run IDs): safe on every file system and short
// enough for any of them (255 bytes is the common limit; a report adds a suffix).
import { createHash } from 'node:crypto';

const MAX = 120;

/** `s` itself when it is short and safe; otherwise a safe prefix plus a hash of the whole, so distinct inputs stay distinct. */
export function safeFileName(s: string): string {
  const clean = s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  if (clean === s && s.length > 0 && s.length <= MAX) return s;
  const hash = createHash('sha256').update(s).digest('hex').slice(0, 10);
  return `${clean.slice(0, MAX - 11)}-${hash}`;
}
