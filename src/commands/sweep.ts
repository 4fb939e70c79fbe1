// `crossab sweep`: a check's runs as units over shard processes. plan writes the units, run does one
// shard's, status reads the state from the files, merge puts the finished ones into a store.
import { loadScenarioFile } from '../experiment/scenario-file.js';
import { UserError } from '../util/errors.js';
import { plainLogger } from '../util/logger.js';
import { formatTable } from '../util/table.js';
import { DEFAULT_DB } from '../store/location.js';
import { loadPlan, mergeSweep, planSweep, runShard, strayFiles, sweepRoot, sweepStatus, writePlan } from '../sweep/sweep.js';
import { shardOf, unitsOfShard } from '../sweep/shard.js';
import { checkOutputPath, parse, workersFlag } from './args.js';
import { parseSeeds } from './check.js';
import { COMMANDS } from './specs.js';

const ONLY: Record<string, string[]> = {
  plan: ['seeds', 'root', 'backend', 'json'],
  run: ['shard', 'shards', 'workers', 'backend'],
  status: ['json'],
  merge: ['db', 'json'],
};

export async function sweep(argv: string[]): Promise<number> {
  const { values, positionals } = parse('sweep', argv, COMMANDS.sweep.flags, COMMANDS.sweep.positionals);
  const [sub, ...args] = positionals;
  if (!Object.hasOwn(ONLY, sub)) throw new UserError(`sweep: unknown step '${sub}'; steps: ${Object.keys(ONLY).join(', ')}`);
  for (const k of Object.keys(values))
    if (!ONLY[sub].includes(k))
      throw new UserError(`sweep ${sub}: --${k} does not apply (it takes ${ONLY[sub].map((f) => `--${f}`).join(', ') || 'no flags'})`);
  if (sub === 'plan') {
    if (!args.length) throw new UserError('sweep plan: give the scenario files');
    const root = values.root === undefined ? undefined : sweepRoot(values.root, { write: true });
    const plan = await planSweep(
      args.map((f) => ({ file: f, scenario: loadScenarioFile(f) })),
      { seeds: parseSeeds(values.seeds), backend: values.backend },
    );
    if (root !== undefined) writePlan(root, plan);
    if (values.json) process.stdout.write(`${JSON.stringify({ version: plan.version, backend: plan.backend, units: plan.units })}\n`);
    else
      process.stdout.write(
        `${formatTable(
          ['#', 'scenario', 'seed', 'key'],
          plan.units.map((u, k) => [String(k), u.scenario, String(u.seed), u.key]),
        )}\n${plan.units.length} units (build ${plan.version}, ${plan.backend})${root !== undefined ? `; plan written to ${root}/sweep.json` : ''}\n`,
      );
    return 0;
  }
  if (args.length !== 1) throw new UserError(`sweep ${sub}: give one sweep folder`);
  const root = sweepRoot(args[0], { write: sub === 'run' });
  if (sub === 'run') {
    const shard = shardOf(values.shard, values.shards);
    const plan = await loadPlan(root, values.backend);
    const r = await runShard(root, plan, shard, { workers: workersFlag('sweep', values.workers) }, plainLogger(process.stderr, true));
    process.stdout.write(
      `shard ${shard.index}/${shard.count}: ${r.ran} units run, ${r.skipped} finished already, ${r.failed.length} failed, in ${r.seconds.toFixed(1)} s (${unitsOfShard(plan.units, shard.index, shard.count).length} units in the shard)\n`,
    );
    return r.failed.length ? 1 : 0;
  }
  if (sub === 'status') {
    const { plan, states, files } = await sweepStatus(root);
    const count = (s: string) => states.filter((x) => x.state === s).length;
    const done = states.filter((s) => s.seconds !== undefined);
    const spent = done.reduce((a, s) => a + s.seconds!, 0);
    const stray = strayFiles(files);
    const summary = {
      units: states.length,
      done: count('done'),
      running: count('running'),
      interrupted: count('interrupted'),
      failed: count('failed'),
      missing: count('missing'),
    };
    if (values.json)
      process.stdout.write(
        `${JSON.stringify({ ...summary, unit_seconds: spent, stray_files: stray.length, units_by_state: states.map((s) => ({ ...s.unit, state: s.state, detail: s.detail })) })}\n`,
      );
    else {
      const open = states.filter((s) => s.state !== 'done');
      process.stdout.write(
        `${root}: ${summary.done} of ${summary.units} units done, ${summary.running} running, ${summary.interrupted} interrupted, ${summary.failed} failed, ${summary.missing} not started (build ${plan.version})\n` +
          (done.length ? `finished units took ${spent.toFixed(0)} s in all, ${(spent / done.length).toFixed(1)} s each on average\n` : '') +
          (open.length
            ? `${formatTable(
                ['scenario', 'seed', 'state', 'detail'],
                open.map((s) => [s.unit.scenario, String(s.unit.seed), s.state, s.detail]),
              )}\n`
            : '') +
          (stray.length ? `${stray.length} files no finished unit lists (from interrupted units; nothing reads them)\n` : ''),
      );
    }
    // As its help says: 0 when every unit is done, so a script can wait on it.
    return summary.done === summary.units ? 0 : 1;
  }
  const db = checkOutputPath('sweep merge', 'db', values.db ?? DEFAULT_DB);
  const m = await mergeSweep(root, db);
  if (values.json)
    process.stdout.write(
      `${JSON.stringify({ added: m.added, skipped: m.skipped, unfinished: m.unfinished.map((s) => ({ ...s.unit, state: s.state, detail: s.detail })), seconds: m.seconds })}\n`,
    );
  else
    process.stdout.write(
      `${m.added.length} runs merged into ${db}, ${m.skipped.length} there already, in ${m.seconds.toFixed(1)} s\n` +
        (m.unfinished.length
          ? `${m.unfinished.length} of ${m.plan.units.length} units are not finished:\n${formatTable(
              ['scenario', 'seed', 'state', 'detail'],
              m.unfinished.map((s) => [s.unit.scenario, String(s.unit.seed), s.state, s.detail]),
            )}\n`
          : ''),
    );
  return m.unfinished.length ? 1 : 0;
}
