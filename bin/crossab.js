#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/ to dist/ by `npm install` (prepare) or `npm run build`.
// It exits as soon as the command returns, so nothing left behind (a cancelled run's worker
// threads being terminated, a timer) can keep the process, or a terminal, waiting — but only once
// stdout and stderr have been handed to the OS: writes to a pipe are asynchronous, and exiting at
// once cut `run --json` off at 64 KiB when its output grew past that.
const exit = (code) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
import('../dist/src/cli.js')
  .then((m) => m.main(process.argv.slice(2)))
  .then(exit, (err) => {
    console.error(err?.stack ? err.stack : String(err));
    exit(1);
  });
