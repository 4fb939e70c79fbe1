// npm run bench:ope -- [scenario.json] [--seeds N] [--first-seed S] [--loggers random,softmax,…]
//   [--temperature T] [--epsilon E] [--requests N] [--strategies a,b,…] [--json]
// The off-policy estimators over many seeds of one scenario, for each logging policy: per estimator,
// over every (seed, strategy, domain) cell, how often the interval held the true value, the bias and
// spread of the relative error, the weights' effective sample size, and how well the estimates order
// the strategies (Kendall τ with the true values, and the winner). Each seed is a new world, new
// logs and newly trained models; the truth is each strategy's exact CTR on the same logged requests.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { loadScenario } from '../src/scenario/load.js';
import type { Scenario } from '../src/scenario/schema.js';
import { selectBackend } from '../src/tf/backend.js';
import { generate, offPolicy, trainAndEvaluate } from '../src/experiment/steps.js';
import { ESTIMATORS } from '../src/ope/estimators.js';
import { kendallTauB } from '../src/ope/consistency.js';
import { estimatorRecord, type EstimateCell } from '../src/ope/summary.js';
import { formatTable } from '../src/util/table.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const root = fileURLToPath(new URL('../../', import.meta.url));
const path = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? join(root, 'scenarios/tiny.json');
const seeds = Number(flag('seeds') ?? 20);
const firstSeed = Number(flag('first-seed') ?? 1000);
const loggers = (flag('loggers') ?? 'random,softmax').split(',') as Scenario['traffic']['loggingPolicy'][];
const json = args.includes('--json');
const say = (s: string) => {
  if (!json) process.stdout.write(`${s}\n`);
};

const base = loadScenario(path);
if (flag('requests')) base.traffic.requests = Number(flag('requests'));
if (flag('strategies')) base.strategies = flag('strategies')!.split(',');
const names = base.strategies ?? ['separate', 'shared-bottom', 'star'];
await selectBackend();
say(
  `load average at start: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; ${seeds} seeds of '${base.name}' (${base.traffic.requests} logged requests), strategies ${names.join(', ')}`,
);

type Cell = EstimateCell & { estimator: string; identified: boolean };
const out: Record<string, unknown> = {};
for (const logger of loggers) {
  const s: Scenario = structuredClone(base);
  s.traffic.loggingPolicy = logger;
  if (flag('temperature')) s.traffic.loggingTemperature = Number(flag('temperature'));
  if (flag('epsilon')) s.traffic.loggingEpsilon = Number(flag('epsilon'));
  const cells: Cell[] = [];
  // Per seed and domain: each estimator's τ with the truth over the strategies, and whether its winner is the true one.
  const order: { estimator: string; tau: number; winner: boolean }[] = [];
  const t0 = performance.now();
  for (let k = 0; k < seeds; k++) {
    const seed = firstSeed + k;
    const p = await generate(s, seed);
    const off = await trainAndEvaluate(p, names, seed, undefined, { workers: 2 });
    const ope = await offPolicy(p, off, names[0], 0.05);
    for (const domain of p.world.layout.domains) {
      for (const e of ESTIMATORS) {
        const rows = names.map((n) => ope.rows.find((r) => r.strategy === n && r.estimator === e && r.domain === domain && r.segment === 'all')!);
        for (const r of rows)
          cells.push({ estimator: e, value: r.value, truth: r.trueValue, covered: r.covered, essShare: r.essShare, identified: r.identified });
        const v = rows.map((r) => r.value);
        const t = rows.map((r) => r.trueValue);
        if (v.every(Number.isFinite)) {
          const best = (x: number[]) => x.indexOf(Math.max(...x));
          order.push({ estimator: e, tau: kendallTauB(v, t), winner: best(v) === best(t) });
        }
      }
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const summary = ESTIMATORS.map((e) => {
    const o = order.filter((x) => x.estimator === e);
    const mean = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : NaN);
    return {
      estimator: e,
      ...estimatorRecord(cells.filter((x) => x.estimator === e)),
      identified: cells.filter((x) => x.estimator === e && x.identified).length,
      tau: mean(o.map((x) => x.tau).filter(Number.isFinite)),
      winner: o.length ? o.filter((x) => x.winner).length / o.length : NaN,
    };
  });
  out[logger] = { seconds, summary };
  const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  const pc = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');
  say(
    `\nlogger ${logger}${logger === 'softmax' ? ` (temperature ${s.traffic.loggingTemperature ?? 0.5})` : logger === 'epsilon-greedy' ? ` (ε ${s.traffic.loggingEpsilon ?? 0.1})` : ''}: ${seeds} seeds × ${names.length} strategies × ${base.domains.length} domains, ${seconds.toFixed(0)} s`,
  );
  say(
    formatTable(
      [
        'estimator',
        'estimated',
        'coverage',
        '95% CI',
        'bias (rel.)',
        '± se',
        'sd (rel.)',
        'RMSE (rel.)',
        'mean |err|',
        'ESS share',
        'τ with truth',
        'winner right',
      ],
      summary.map((r) => [
        r.estimator,
        `${r.estimated}/${r.cells}`,
        pc(r.coverage),
        `${pc(r.coverageCi[0])}–${pc(r.coverageCi[1])}`,
        pc(r.bias),
        pc(r.biasSe),
        pc(r.sd),
        pc(r.rmse),
        pc(r.meanAbs),
        pc(r.essShare),
        f(r.tau, 2),
        pc(r.winner),
      ]),
    ),
  );
}
say(
  `load average at end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
