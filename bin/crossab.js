#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/ to dist/ by `npm install` (prepare) or `npm run build`.
// It exits as soon as the command returns, so nothing left behind (a cancelled run's worker
// threads being terminated, a timer) can keep the process, or a terminal, waiting.
import('../dist/src/cli.js')
  .then((m) => m.main(process.argv.slice(2)))
  .then(
    (code) => process.exit(code),
    (err) => {
      console.error(err?.stack ? err.stack : String(err));
      process.exit(1);
    },
  );
