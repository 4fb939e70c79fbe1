import { loadScenarioFile } from '../experiment/scenario-file.js';
import { plainLogger } from '../util/logger.js';
import { DEFAULT_DB } from '../store/db.js';
import { executeRun, rankReplayShard } from '../experiment/experiment.js';
import { parseReplayShard } from '../experiment/replay-shards.js';
import { UserError } from '../util/errors.js';
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
  const shard = values['replay-shard'] ? parseReplayShard(values['replay-shard']) : undefined;
  if (!shard !== !values['replay-dir']) throw new UserError('run: --replay-shard I/N and --replay-dir DIR go together');
  if (shard && values['replay-from']) throw new UserError('run: a shard ranks (--replay-shard), the run merges (--replay-from): not both');
  const forTheRun = (['grade', 'salt', 'policy-out', 'verbose'] as const).filter((f) => values[f] !== undefined);
  if (shard && forTheRun.length)
    throw new UserError(`run: a shard only ranks; --${forTheRun.join(', --')} belong${forTheRun.length > 1 ? '' : 's'} to the run that merges (--replay-from)`);
  const replayDir = values['replay-dir'] ? checkOutputDir('run', 'replay-dir', values['replay-dir']) : undefined;
  const replayFrom = values['replay-from'];
  const scenario = loadScenarioFile(positionals[0]);
  const log = values.json ? () => {} : plainLogger(process.stderr);
  if (shard && replayDir) {
    const picked = { scenario, seed, strategies: listFlag(values.strategies), arms: listFlag(values.arms), control: values.control, aa: values.aa };
    const r = await rankReplayShard({ ...picked, db, backend: values.backend, workers, shard, dir: replayDir }, log);
    const line = `shard ${shard.index}/${shard.count}: ranked ${r.chunks} of the replay's ${r.of} chunks in ${r.seconds.toFixed(1)} s; slates in ${r.path}`;
    process.stdout.write(
      values.json ? `${JSON.stringify({ shard: shard.index, shards: shard.count, chunks: r.chunks, of: r.of, path: r.path })}\n` : `${line}\n`,
    );
    return 0;
  }
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
        replayFrom,
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
