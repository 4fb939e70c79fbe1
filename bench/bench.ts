// npm run bench [-- --json] [-- --quick] [-- --throughput] [-- --scale]: generation and the streamed
// replay at 1×, 10× and 100× the default (speed and memory), training throughput per strategy and batch size, and the PyTorch yardstick (Debian python3-torch, one thread) when present.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../src/scenario/load.js';
import type { TrainingConfig } from '../src/scenario/schema.js';
import { TrainingSchema } from '../src/scenario/blocks.js';
import { selectBackend } from '../src/tf/backend.js';
import { modelInputs } from '../src/data/inputs.js';
import { STRATEGIES, DEFAULT_STRATEGIES } from '../src/models/registry.js';
import { trainingThroughput } from '../src/train/throughput.js';
import { formatTable } from '../src/util/table.js';
import { availableParallelism } from 'node:os';
import { DuckDBInstance, DOUBLE, FLOAT, INTEGER } from '@duckdb/node-api';
import { appendColumns } from '../src/store/columns.js';
import { appendTable } from '../src/store/tables.js';
import { migrate } from '../src/store/schema.js';
import { writeReport } from '../src/report/write.js';
import { median, otherLoad, startTwins, torchPython, writeDump, type Twins } from './yardstick.js';

// Before anything of the bench's own runs (npm run bench's build does run before it).
const loadAtStart = loadavg();
const root = fileURLToPath(new URL('../../', import.meta.url));
const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
// Only the training-throughput yardstick (the part that compares with PyTorch).
const throughputOnly = process.argv.includes('--throughput');
// Only generation and the replay at 1×, 10× and 100× (how cost grows with a test's size).
const scaleOnly = process.argv.includes('--scale');
const say = (s: string) => {
  if (!json) process.stdout.write(s + '\n');
};
const scenarioPath = join(root, 'scenarios/default.json');
/** The scales of the default scenario (users and requests) generation and the replay are timed at. */
const SCALES = [1, 10, 100];

/** A bench script of dist/bench run at each scale (1× alone with --quick), each in a fresh process so its peak memory is its own; its JSON line. */
const atScales = <T>(script: string): T[] =>
  (quick ? [1] : SCALES).map((scale) => {
    const r = spawnSync(process.execPath, ['--max-old-space-size=16384', join(root, 'dist/bench', script), scenarioPath, String(scale)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as T;
  });

// Generation, the appender and the whole default run (skipped with --throughput).
const whole = throughputOnly
  ? null
  : await (async () => {
      // Generation and the training inputs at 1×, 10× and 100× the default scenario, each in its own process.
      type Gen = {
        scale: number;
        impressions: number;
        seconds: number;
        per_s: number;
        peak_rss_mb: number;
        dataset_seconds: number;
        with_dataset_peak_rss_mb: number;
        warm_seconds: number;
        warm_per_s: number;
        stages_ms: Record<string, number>;
      };
      const generation = atScales<Gen>('generate-one.js');
      say('Generation (default scenario scaled; own process each)');
      say(
        formatTable(
          ['scale', 'impressions', 'generate s', 'impressions/s', 'warm: s', 'impressions/s', 'peak RSS MB', '+ dataset s', 'peak RSS MB'],
          generation.map((g) => [
            `${g.scale}×`,
            g.impressions,
            g.seconds,
            Math.round(g.per_s),
            g.warm_seconds,
            Math.round(g.warm_per_s),
            Math.round(g.peak_rss_mb),
            g.dataset_seconds,
            Math.round(g.with_dataset_peak_rss_mb),
          ]),
        ),
      );
      say(
        `where the first 1× generation's time goes (ms): ${Object.entries(generation[0].stages_ms)
          .map(([k, v]) => `${k} ${Math.round(v)}`)
          .join(', ')}`,
      );
      const perImpression = generation.map((g) => g.seconds / g.impressions);
      say(
        `time per impression ${quick ? '' : `at ${SCALES[SCALES.length - 1]}× vs 1×: ${(perImpression[perImpression.length - 1] / perImpression[0]).toFixed(2)}× `}(1.00 = linear)`,
      );

      // The streamed replay at each scale (users and replay requests × scale over the default's training
      // traffic), each in its own process: time per replay request should not grow with the test's size.
      type Replay = {
        scale: number;
        users: number;
        replay_requests: number;
        generate_seconds: number;
        rank_us_per_request_per_arm: number;
        serve_us_per_request: number;
        grade_seconds_per_assignment: number;
        peak_rss_mb: number;
      };
      const replay = atScales<Replay>('replay-one.js');
      say('\nThe streamed replay (default scenario, users and replay requests scaled; two arms; own process each)');
      say(
        formatTable(
          ['scale', 'users', 'replay requests', 'generate s', 'rank µs/request/arm', 'serve µs/request', 'grade s/assignment', 'peak RSS MB'],
          replay.map((r) => [
            `${r.scale}×`,
            r.users,
            r.replay_requests,
            r.generate_seconds,
            r.rank_us_per_request_per_arm,
            r.serve_us_per_request,
            r.grade_seconds_per_assignment,
            Math.round(r.peak_rss_mb),
          ]),
        ),
      );
      if (!quick) {
        const perRequest = replay.map((r) => 2 * r.rank_us_per_request_per_arm + r.serve_us_per_request);
        say(
          `time per replay request at ${SCALES[SCALES.length - 1]}× vs 1×: ${(perRequest[perRequest.length - 1] / perRequest[0]).toFixed(2)}× (1.00 = linear)`,
        );
      }

      if (scaleOnly) {
        if (json) process.stdout.write(`${JSON.stringify({ load_average: { start: loadAtStart }, generation, replay })}\n`);
        process.exit(0);
      }

      // The appender: 2M rows of typed columns (the bulk path) and of row objects (how a run's results are written).
      const appender = await (async () => {
        const dir = mkdtempSync(join(tmpdir(), 'crossab-bench-db-'));
        const inst = await DuckDBInstance.create(join(dir, 'bench.duckdb'));
        const con = await inst.connect();
        // The store's own schema at its latest version, as a run writes into (a table made at schema 1 lacks later columns).
        await migrate(con);
        await con.run('CREATE TABLE t (a INTEGER, b DOUBLE, c DOUBLE, d FLOAT)');
        const n = quick ? 500_000 : 2_000_000;
        const cols = [
          { name: 'a', type: INTEGER, data: Int32Array.from({ length: n }, (_, k) => k) },
          { name: 'b', type: DOUBLE, data: Float64Array.from({ length: n }, (_, k) => k / 3) },
          { name: 'c', type: DOUBLE, data: Float64Array.from({ length: n }, (_, k) => Math.sqrt(k)) },
          { name: 'd', type: FLOAT, data: Float32Array.from({ length: n }, (_, k) => k % 97) },
        ];
        let t0 = performance.now();
        await appendColumns(con, 't', cols, n);
        const typed = n / ((performance.now() - t0) / 1000);
        const m = quick ? 100_000 : 500_000;
        const rows = Array.from({ length: m }, (_, k) => ({
          run_id: 'bench',
          strategy: `s${k % 10}`,
          target: 'click',
          scope: 'domain',
          key: `d${k % 7}`,
          n: k,
          auc: k / m,
          aucSe: 0.01,
          gauc: k / m,
          logloss: 1 - k / m,
          predicted: 0.1,
          observed: 0.1,
        }));
        t0 = performance.now();
        await appendTable(con, 'offline_metrics', rows);
        const objects = m / ((performance.now() - t0) / 1000);
        con.closeSync();
        inst.closeSync();
        return { typed, objects };
      })();
      say(
        `\nDuckDB appender: ${Math.round(appender.typed).toLocaleString('en')} rows/s from typed columns (4 numeric columns), ${Math.round(appender.objects).toLocaleString('en')} rows/s from row objects (offline_metrics: 12 columns, 5 strings)`,
      );

      // The whole default run (or tiny with --quick) in its own process, with its stage times, and the report.
      const runScenario = quick ? join(root, 'scenarios/tiny.json') : scenarioPath;
      const runDir = mkdtempSync(join(tmpdir(), 'crossab-bench-run-'));
      const runOut = spawnSync(
        process.execPath,
        [join(root, 'bin/crossab.js'), 'run', runScenario, '--json', '--no-report', '--db', join(runDir, 'run.duckdb')],
        {
          encoding: 'utf8',
          cwd: runDir,
        },
      );
      if (runOut.status !== 0) throw new Error(runOut.stderr);
      const run = JSON.parse(runOut.stdout) as { run_id: string; stages: Record<string, number>; wall_seconds: number; peak_rss_mb: number };
      const t0 = performance.now();
      await writeReport(join(runDir, 'run.duckdb'), [run.run_id], join(runDir, 'report.html'));
      const reportSeconds = (performance.now() - t0) / 1000;
      const runSeconds = { ...run.stages, report: reportSeconds, total: run.wall_seconds + reportSeconds };
      say(
        `\n${quick ? 'tiny' : 'default'} run (${availableParallelism()} workers): ${Object.entries(runSeconds)
          .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
          .join(', ')}; peak memory ${Math.round(run.peak_rss_mb)} MB`,
      );
      return { generation, replay, appender, runSeconds, run, reportSeconds };
    })();

// Training throughput per strategy on the default scenario's data, and the PyTorch twins on a dump
// of the same training rows, measured in alternation: tfjs, PyTorch, tfjs, PyTorch… per strategy,
// each side's median over the rounds. Beside each pair, the CPU that other processes used meanwhile:
// a ratio is only reported when the machine was otherwise idle.
const loadBefore = loadavg();
const backend = await selectBackend(process.env.CROSSAB_BACKEND);
const scenario = loadScenario(scenarioPath);
const p = modelInputs(scenario, scenario.seed);
const batches = [...new Set([512, scenario.training.batchSize])];
/** Training options measured as a strategy of their own: the strategy they train, and the settings. */
const VARIANTS: Record<string, { strategy: string; training: TrainingConfig }> = {
  'shared-bottom-esmm+gradnorm': {
    strategy: 'shared-bottom-esmm',
    // GradNorm at the schema's defaults (the twin reads the same from the dump's meta).
    training: TrainingSchema.parse({ ...scenario.training, lossWeights: { gradNorm: {} } }),
  },
};
const names = quick
  ? ['shared-bottom', 'mmoe']
  : [...DEFAULT_STRATEGIES, ...STRATEGIES.map((s) => s.name).filter((n) => !DEFAULT_STRATEGIES.includes(n) && n !== 'maml-noadapt'), ...Object.keys(VARIANTS)];
const ROUNDS = quick ? 1 : 5;
const STEPS = quick ? 10 : 60;
/** Other processes' mean CPU (cores) above which a pair counts as measured on a busy machine. */
const BUSY = 0.25;
const python = torchPython();
let torchNote = 'skipped: python3-torch is not installed (apt-get install python3-torch)';
let twins: Twins | null = null;
if (python) {
  const meta = writeDump(mkdtempSync(join(tmpdir(), 'crossab-bench-')), p.ds, p.split.train, scenario.training, batches);
  try {
    twins = await startTwins(python, join(root, 'bench/torch_twin.py'), meta);
    torchNote = `PyTorch ${twins.version}, one thread, BLAS ${twins.blas}`;
    if (twins.blas.startsWith('reference'))
      torchNote += ' — NOT a fair yardstick: the reference BLAS is several times slower than an optimised one (apt-get install libopenblas0-pthread)';
  } catch (e) {
    torchNote = `failed: ${(e as Error).message}`;
  }
}
type Figures = {
  samples_per_s: number;
  torch_samples_per_s: number | null;
  ratio: number | null;
  /** Each round's figures, tfjs and PyTorch. */
  rounds: { tfjs: number; torch: number | null }[];
  /** PyTorch's CPU seconds per wall second over its timed steps (1 = one thread). */
  torch_threads: number | null;
  /** The most CPU (cores) other processes used, and the hypervisor stole, during one of the strategy's rounds. */
  other_load: number;
  steal: number;
  busy: boolean;
};
const throughput: Record<string, Record<string, Figures>> = {};
for (const batch of batches) {
  throughput[batch] = {};
  for (const name of names) {
    const variant = VARIANTS[name];
    const info = STRATEGIES.find((s) => s.name === (variant?.strategy ?? name))!;
    const hasTwin = twins?.names.includes(name) ?? false;
    const rounds: Figures['rounds'] = [];
    let other = 0;
    let steal = 0;
    let threads = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const load = otherLoad(twins ? [process.pid, twins.pid] : [process.pid]);
      const a = trainingThroughput(info, p.ds, p.split.train, p.history, variant?.training ?? scenario.training, batch, STEPS);
      const b = hasTwin ? await twins!.measure(name, batch, STEPS, 5) : null;
      const used = load();
      other = Math.max(other, used.others);
      steal = Math.max(steal, used.steal);
      if (b) threads = Math.max(threads, b.cpu_s / b.wall_s);
      rounds.push({ tfjs: a, torch: b?.samples_per_s ?? null });
    }
    const tfjs = median(rounds.map((x) => x.tfjs));
    const torch = hasTwin ? median(rounds.map((x) => x.torch!)) : null;
    const busy = other + steal > BUSY;
    throughput[batch][name] = {
      samples_per_s: tfjs,
      torch_samples_per_s: torch,
      ratio: torch && !busy ? tfjs / torch : null,
      rounds,
      torch_threads: hasTwin ? threads : null,
      other_load: other,
      steal,
      busy,
    };
  }
}
twins?.close();
const loadAfter = loadavg();
const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
say(
  `\nTraining throughput, default scenario's data, backend ${backend}, samples/s (median of ${ROUNDS} rounds, crossab and PyTorch alternating; PyTorch: ${torchNote})`,
);
say(
  `load average (1, 5, 15 min) at the bench's start ${fmtLoad(loadAtStart)}, before the throughput ${fmtLoad(loadBefore)}, after it ${fmtLoad(loadAfter)} (it counts the bench's own work: the idle check is the other processes' CPU beside each strategy)`,
);
for (const batch of batches) {
  say(`batch ${batch}`);
  say(
    formatTable(
      ['strategy', 'crossab', 'PyTorch', 'ratio', 'PyTorch threads', "others' CPU", 'stolen'],
      names.map((n) => {
        const t = throughput[batch][n];
        return [
          n,
          Math.round(t.samples_per_s),
          t.torch_samples_per_s ? Math.round(t.torch_samples_per_s) : '(no twin)',
          t.ratio ? `${t.ratio.toFixed(2)}×` : t.busy && t.torch_samples_per_s ? 'busy: none' : '–',
          t.torch_threads ? t.torch_threads.toFixed(2) : '–',
          t.other_load.toFixed(2),
          t.steal.toFixed(2),
        ];
      }),
    ),
  );
}
const busyOnes = names.filter((n) => batches.some((b) => throughput[b][n].busy));
if (busyOnes.length)
  say(
    `not idle: other processes used (or the hypervisor took) more than ${BUSY} of a core while ${busyOnes.join(', ')} were measured; those ratios are not reported (rerun on an idle machine)`,
  );

// The other available backends against this one, at batch 512 with fewer steps (the pure-JS cpu
// backend is slow), in alternation per strategy — this backend, the other, this, the other… — so a
// ratio compares rounds that saw the same machine. Node (tfjs-node: TensorFlow's own C++ kernels)
// runs with crossab's defaults (TF_ENABLE_ONEDNN_OPTS=0) unless the environment says otherwise.
type Versus = { samples_per_s: number; here_samples_per_s: number; ratio: number };
const otherBackends: Record<string, Record<string, Record<string, Versus>>> = {};
const VS_ROUNDS = quick ? 1 : 3;
for (const other of ['node', 'wasm', 'cpu'].filter((b) => b !== backend)) {
  try {
    await selectBackend(other);
  } catch {
    continue;
  }
  otherBackends[other] = {};
  // Larger batches too, where TensorFlow's multi-threaded kernels have more to share out.
  for (const batch of other === 'cpu' || quick ? [512] : [512, 4096]) {
    const figures: Record<string, Versus> = (otherBackends[other][batch] = {});
    const steps = other === 'cpu' ? 2 : quick ? 4 : 8;
    for (const name of names) {
      const variant = VARIANTS[name];
      const info = STRATEGIES.find((s) => s.name === (variant?.strategy ?? name))!;
      const there: number[] = [];
      const here: number[] = [];
      for (let r = 0; r < VS_ROUNDS; r++) {
        await selectBackend(other);
        there.push(trainingThroughput(info, p.ds, p.split.train, p.history, scenario.training, batch, steps, 2));
        await selectBackend(backend);
        here.push(trainingThroughput(info, p.ds, p.split.train, p.history, scenario.training, batch, steps, 2));
      }
      const a = median(there);
      const b = median(here);
      figures[name] = { samples_per_s: a, here_samples_per_s: b, ratio: a / b };
    }
  }
}
await selectBackend(backend);
for (const [b, byBatch] of Object.entries(otherBackends))
  for (const [batch, figures] of Object.entries(byBatch)) {
    say(`\nbackend ${b} against ${backend}, batch ${batch}, samples/s (median of ${VS_ROUNDS} alternating rounds)`);
    say(
      formatTable(
        ['strategy', b, backend, `${b} / ${backend}`],
        names.map((n) => [n, Math.round(figures[n].samples_per_s), Math.round(figures[n].here_samples_per_s), `${figures[n].ratio.toFixed(2)}×`]),
      ),
    );
  }
if (json) {
  process.stdout.write(
    JSON.stringify({
      backend,
      load_average: { start: loadAtStart, before: loadBefore, after: loadAfter },
      throughput: throughput[scenario.training.batchSize],
      throughput_by_batch: throughput,
      torch: torchNote,
      torch_blas: twins?.blas ?? null,
      other_backends: otherBackends,
      ...(whole && {
        generation: whole.generation,
        replay: whole.replay,
        generate_per_s: whole.generation[0].per_s,
        generate_warm_per_s: whole.generation[0].warm_per_s,
        appender_rows_per_s: whole.appender.typed,
        appender_object_rows_per_s: whole.appender.objects,
        run_seconds: whole.runSeconds,
        run_peak_rss_mb: whole.run.peak_rss_mb,
        report_seconds: whole.reportSeconds,
      }),
    }) + '\n',
  );
}
