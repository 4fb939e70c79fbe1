import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import React from 'react';
import { render } from 'ink';
import { loadScenarioFile } from '../experiment/scenario-file.js';
import { CancelledError, UserError } from '../util/errors.js';
import { DEFAULT_DB, openDb } from '../store/db.js';
import { executeRun } from '../experiment/experiment.js';
import { cancelRun, newHandle } from '../experiment/cancel.js';
import { App, armsOf, type ScenarioChoice } from '../tui/App.js';
import { checkOutputPath, parse } from './args.js';
import { COMMANDS } from './specs.js';

/** The scenario files in `dir` and its `library/` folder (as library/NAME.json), each loaded or with the reason it cannot be. */
export function listScenarios(dir: string): ScenarioChoice[] {
  let files: string[];
  const jsonIn = (d: string) => readdirSync(d).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'));
  try {
    files = jsonIn(dir).sort();
  } catch {
    throw new UserError(`no scenario folder '${dir}'; pass --scenarios DIR`);
  }
  const library = join(dir, 'library');
  if (existsSync(library) && statSync(library).isDirectory())
    files.push(
      ...jsonIn(library)
        .sort()
        .map((f) => join('library', f)),
    );
  return files.map((f) => {
    const path = join(dir, f);
    try {
      return { path, scenario: loadScenarioFile(path), error: null };
    } catch (e) {
      return { path, scenario: null, error: (e as Error).message };
    }
  });
}

export async function tui(argv: string[]): Promise<number> {
  const { values } = parse('tui', argv, COMMANDS.tui.flags, COMMANDS.tui.positionals);
  const db = checkOutputPath('tui', 'db', values.db ?? DEFAULT_DB);
  // A --db that is not a crossab store is refused now, not after every choice was made (a new one is made by the run).
  if (existsSync(db)) (await openDb(db, { readOnly: true })).close();
  if (!process.stdin.isTTY) throw new UserError('tui needs a terminal; use crossab run for scripts and CI');
  const scenarios = listScenarios(resolve(values.scenarios ?? 'scenarios'));
  if (scenarios.length === 0) throw new UserError(`no scenario files in '${values.scenarios ?? 'scenarios'}'`);
  const handle = newHandle(db);
  const controller = new AbortController();
  let cancelled = false;
  const app = render(
    React.createElement(App, {
      scenarios,
      columns: process.stdout.columns,
      rows: process.stdout.rows,
      start: async ({ scenario, seed, strategies }, onEvent) => {
        // The dashboard's own rule for which arms a scenario without an abtest block replays (it marks them).
        const arms = scenario.abtest ? undefined : armsOf(scenario, strategies).arms;
        await executeRun(
          {
            scenario,
            seed,
            strategies,
            arms: arms && arms.length >= 2 ? arms : undefined,
            db,
            backend: values.backend,
            report: true,
            signal: controller.signal,
          },
          onEvent,
          handle,
        );
      },
      // Training workers are terminated, not awaited; the store is told the run was cancelled.
      cancel: async () => {
        cancelled = true;
        controller.abort(new CancelledError());
        await cancelRun(handle);
      },
    }),
    { exitOnCtrlC: false },
  );
  await app.waitUntilExit();
  // A run still going when the app closed (q after an error) must not keep the process alive.
  if (handle.runId && !handle.finishing && !cancelled) {
    controller.abort(new CancelledError());
    await cancelRun(handle);
  }
  return cancelled ? 130 : 0;
}
