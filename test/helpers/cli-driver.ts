// Runs many CLI invocations in one process (main() as the launcher calls it), capturing each one's
// output and exit code, so a fuzz test can afford hundreds of them. Usage: node cli-driver.js IN OUT,
// IN a JSON list of { argv, seconds }, OUT the JSON list of outcomes.
import { readFileSync, writeFileSync } from 'node:fs';
import { main } from '../../src/cli.js';

export interface Outcome {
  code: number | 'threw' | 'hung';
  stdout: string;
  stderr: string;
  error?: string;
}

async function one(argv: string[], seconds: number): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string | Uint8Array) => {
    stdout += String(s);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  }) as typeof process.stderr.write;
  let timer: NodeJS.Timeout | undefined;
  try {
    const hung = new Promise<'hung'>((r) => {
      timer = setTimeout(() => r('hung'), seconds * 1000);
    });
    return { code: await Promise.race([main(argv), hung]), stdout, stderr };
  } catch (e) {
    // What the launcher would print as a stack trace and exit 1 with.
    return { code: 'threw', stdout, stderr, error: (e as Error).stack ?? String(e) };
  } finally {
    clearTimeout(timer);
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

if (process.argv[2]) {
  const cases = JSON.parse(readFileSync(process.argv[2], 'utf8')) as { argv: string[]; seconds: number }[];
  const outcomes: Outcome[] = [];
  for (const c of cases) outcomes.push(await one(c.argv, c.seconds));
  writeFileSync(process.argv[3], JSON.stringify(outcomes));
  process.exit(0);
}
