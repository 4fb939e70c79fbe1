// npm run bench:offline-online -- <scenario.json> <domain> [--seeds 1,2,3] [--strategies a,b,…]
// Why an offline metric and the online order disagree on a domain: per seed and strategy, the test
// AUC and GAUC (over logged impressions, against clicks), the ordering of each request's whole
// candidate pool against the TRUE click probabilities ("pool AUC": the within-request ranking a
// slate is chosen by, free of label noise), and the true online CTR of the strategy's slates (with
// the A/B test's position curve) — so a disagreement can be traced to pairs across requests or users
// (AUC, GAUC) versus the order inside one request (what serving uses).
import { loadScenario } from '../src/scenario/load.js';
import { selectBackend } from '../src/tf/backend.js';
import { testCandidatesOf } from '../src/data/inputs.js';
import { generate, offPolicy, trainAndEvaluate } from '../src/experiment/steps.js';
import { candidateTruth } from '../src/data/candidate-truth.js';
import { formatTable } from '../src/util/table.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const [path, domain] = args;
if (!path || !domain) {
  process.stderr.write('usage: node dist/bench/offline-online.js <scenario.json> <domain> [--seeds 1,2,3] [--strategies a,b]\n');
  process.exit(2);
}
const s = loadScenario(path);
const names = flag('strategies')?.split(',') ?? s.strategies ?? ['separate', 'shared-bottom'];
const seeds = (flag('seeds') ?? '1,2,3').split(',').map(Number);
await selectBackend();
const rows: (string | number)[][] = [];
for (const seed of seeds) {
  const p = await generate(s, seed);
  const off = await trainAndEvaluate(p, names, seed, undefined, { workers: 2 });
  const ope = await offPolicy(p, off, names[0], 0.05);
  const tc = testCandidatesOf(p);
  const w = p.world;
  const d = w.layout.domains.indexOf(domain);
  if (d < 0) throw new Error(`no domain '${domain}' (domains: ${w.layout.domains.join(', ')})`);
  const truth = candidateTruth(w, tc, tc.requests, tc.experience);
  for (const t of off.trained) {
    const sc = t.testCandidates;
    let pairs = 0;
    let concordant = 0;
    for (let r = 0; r < tc.requests.n; r++) {
      if (tc.requests.domain[r] !== d) continue;
      for (let a = tc.requests.candStart[r]; a < tc.requests.candStart[r + 1]; a++)
        for (let b = tc.requests.candStart[r]; b < tc.requests.candStart[r + 1]; b++)
          if (truth.click[a] > truth.click[b]) {
            pairs++;
            concordant += sc[a] > sc[b] ? 1 : sc[a] === sc[b] ? 0.5 : 0;
          }
    }
    const m = off.strategies[t.strategy].rows.find((x) => x.target === 'click' && x.scope === 'domain' && x.key === domain)!;
    const o = ope.rows.find((x) => x.strategy === t.strategy && x.domain === domain && x.segment === 'all' && x.estimator === 'dm')!;
    rows.push([seed, t.strategy, m.auc.toFixed(4), m.gauc.toFixed(4), (concordant / pairs).toFixed(4), (1 + o.onlineTrueLift).toFixed(4)]);
  }
}
process.stdout.write(
  `${s.name}, domain ${domain}: offline metrics on the logged test rows, the within-request order of the whole pool against the truth, and the true online CTR relative to ${names[0]}\n` +
    `${formatTable(['seed', 'strategy', 'test AUC', 'test GAUC', 'pool AUC (truth, within request)', 'online CTR (rel.)'], rows)}\n`,
);
