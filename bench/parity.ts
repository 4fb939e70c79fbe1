// npm run bench:parity -- [scenario.json] [--seeds N] [--first-seed S] [--strategies a,b,…] [--json]
// Each strategy against its PyTorch twin on the same world: both trained with crossab's recipe
// (single-domain batches, Adam, early stopping on the validation rows' mean per-domain AUC, the best
// epoch kept), then the test rows' click AUC per domain by crossab's own AUC for both. Each seed is a
// new world and new initial weights on both sides; the difference crossab − PyTorch is paired by
// seed, and "parity" means its 95% Student-t interval over the seeds holds 0 — the two are the same
// model up to seed noise (with 3 seeds the interval is ±4.3 standard errors: few seeds decide little). Per-domain strategies (their domains train apart, with more
// epochs for small ones) and the MAML family (test predictions adapt per user) follow other recipes
// and are left out.
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../src/scenario/load.js';
import { selectBackend } from '../src/tf/backend.js';
import { modelInputs } from '../src/data/inputs.js';
import { STRATEGIES } from '../src/models/registry.js';
import { fitStrategy } from '../src/train/trainer.js';
import { auc } from '../src/metrics/auc.js';
import { formatTable } from '../src/util/table.js';
import { studentTQuantile } from '../src/abtest/student-t.js';
import { startTwins, torchPython, writeDump } from './yardstick.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const root = fileURLToPath(new URL('../../', import.meta.url));
const path = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? join(root, 'scenarios/default.json');
const seeds = Number(flag('seeds') ?? 3);
const firstSeed = Number(flag('first-seed') ?? 1);
const json = args.includes('--json');
const say = (s: string) => {
  if (!json) process.stdout.write(`${s}\n`);
};
const python = torchPython();
if (!python) {
  say('skipped: python3-torch is not installed (apt-get install python3-torch)');
  process.exit(0);
}
const scenario = loadScenario(path);
const backend = await selectBackend(process.env.CROSSAB_BACKEND);
const comparable = STRATEGIES.filter((s) => s.kind !== 'per-domain' && !s.name.startsWith('maml')).map((s) => s.name);
const names = flag('strategies')?.split(',') ?? comparable;
for (const n of names)
  if (!comparable.includes(n)) throw new Error(`bench:parity: '${n}' is not comparable here (per-domain or MAML, or not a strategy): ${comparable.join(', ')}`);

/** Per strategy and domain, each seed's test AUC on both sides. */
const cells = new Map<string, { crossab: number; torch: number }[]>();
const dir = mkdtempSync(join(tmpdir(), 'crossab-parity-'));
say(`AUC parity with the PyTorch twins: ${scenario.name}, ${seeds} seeds from ${firstSeed}, backend ${backend}, load average ${loadavg()[0].toFixed(2)}`);
for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
  const p = modelInputs(scenario, seed);
  const { ds, split } = p;
  const meta = writeDump(mkdtempSync(join(dir, `seed${seed}-`)), ds, split.train, scenario.training, [scenario.training.batchSize], split);
  const twins = await startTwins(python, join(root, 'bench/torch_twin.py'), meta);
  try {
    for (const name of names) {
      if (!twins.names.includes(name)) continue;
      const t = await fitStrategy(STRATEGIES.find((s) => s.name === name)!, ds, split, p.history, scenario.training, seed);
      const ours = t.predict(split.test).click;
      t.dispose();
      const out = join(dir, `${name}-${seed}.f32`);
      await twins.fit(name, seed, out);
      const buf = readFileSync(out);
      const theirs = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
      // The twin's probabilities are in the test rows' order; place them at their rows, as crossab's are.
      const placed = new Float32Array(ds.n);
      split.test.forEach((r, k) => {
        placed[r] = theirs[k];
      });
      ds.domainNames.forEach((domain, d) => {
        const rows = split.test.filter((r) => ds.domain[r] === d);
        const key = `${name}\t${domain}`;
        cells.set(key, [...(cells.get(key) ?? []), { crossab: auc(ours, ds.click, rows), torch: auc(placed, ds.click, rows) }]);
      });
      say(`  seed ${seed}: ${name} done`);
    }
  } finally {
    twins.close();
  }
}

const rows = [...cells].map(([key, xs]) => {
  const [strategy, domain] = key.split('\t');
  const diffs = xs.map((x) => x.crossab - x.torch);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const d = mean(diffs);
  const se = diffs.length > 1 ? Math.sqrt(diffs.reduce((a, x) => a + (x - d) ** 2, 0) / (diffs.length - 1) / diffs.length) : NaN;
  const half = diffs.length > 1 ? studentTQuantile(0.975, diffs.length - 1) * se : NaN;
  return { strategy, domain, crossab: mean(xs.map((x) => x.crossab)), torch: mean(xs.map((x) => x.torch)), diff: d, half, parity: Math.abs(d) <= half };
});
if (json) process.stdout.write(`${JSON.stringify({ scenario: scenario.name, seeds, firstSeed, rows })}\n`);
else
  say(
    formatTable(
      ['strategy', 'domain', 'crossab AUC', 'PyTorch AUC', 'crossab − PyTorch', '95% CI ±', 'parity'],
      rows.map((r) => [r.strategy, r.domain, r.crossab.toFixed(4), r.torch.toFixed(4), r.diff.toFixed(4), r.half.toFixed(4), r.parity ? 'yes' : 'NO']),
    ),
  );
