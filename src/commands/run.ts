import { loadScenarioFile } from '../experiment/scenario-file.js';
import { plainLogger } from '../util/logger.js';
import { DEFAULT_DB } from '../store/db.js';
import { executeRun } from '../experiment/experiment.js';
import { newHandle, withCancellation } from '../experiment/cancel.js';
import { runJson } from '../report/run-json.js';
import { runText, type RunView } from '../report/run-text.js';
import { checkOutputDir, checkOutputPath, intFlag, listFlag, parse, seedFlag, workersFlag } from './args.js';
import { COMMANDS } from './specs.js';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse('run', argv, COMMANDS.run.flags, COMMANDS.run.positionals);
  const workers = workersFlag('run', values.workers);
  const seed = seedFlag('run', values.seed);
  const salt = seedFlag('run', values.salt, 'salt');
  const grade = intFlag('run', 'grade', values.grade, 1, 10_000);
  const db = checkOutputPath('run', 'db', values.db ?? DEFAULT_DB);
  const policyOut = values['policy-out'] ? checkOutputDir('run', 'policy-out', values['policy-out']) : undefined;
  const scenario = loadScenarioFile(positionals[0]);
  const log = values.json ? () => {} : plainLogger(process.stderr);
  const handle = newHandle(db);
  return withCancellation(handle, async () => {
    const o = await executeRun(
      {
        scenario,
        seed,
        salt,
        grade,
        strategies: listFlag(values.strategies),
        arms: listFlag(values.arms),
        control: values.control,
        aa: values.aa,
        db,
        backend: values.backend,
        report: !values['no-report'],
        workers,
        policyOut,
      },
      log,
      handle,
    );
    const w = o.inputs.world;
    const view: RunView = { ...o, fingerprint: w.fingerprint, domains: w.layout.domains };
    process.stdout.write(values.json ? `${JSON.stringify(runJson(view, db, scenario.name))}\n` : runText(view, db, values.verbose === true));
    return 0;
  });
}
