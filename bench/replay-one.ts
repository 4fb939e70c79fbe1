// The replay at one scale of the default scenario, in a fresh process so its peak memory is its own:
// users and replay requests × scale over the default's training traffic, the replay streamed at
// every scale (so the scales time the same path), two arms trained for one epoch in this thread.
// Prints JSON: time per replay request of the workers' part (drawing, encoding, scoring and ranking
// each chunk) and of the main thread's (the shown items' truth, outcomes and readout), the cost of
// one more assignment as `run --grade` draws them, peak RSS.
import { loadScenario } from '../src/scenario/load.js';
import { selectBackend } from '../src/tf/backend.js';
import { modelInputs } from '../src/data/inputs.js';
import { fitStrategy } from '../src/train/trainer.js';
import { strategy } from '../src/models/registry.js';
import { chooseSlates } from '../src/train/replay-slates.js';
import { servedReplay } from '../src/abtest/replay.js';
import { servedBySlates } from '../src/abtest/served.js';
import { positionCurve } from '../src/data/slates.js';
import { DEFAULT_DECISION_RULES } from '../src/scenario/blocks.js';
import { silent } from '../src/util/events.js';

const [path, scaleArg] = process.argv.slice(2);
const scale = Number(scaleArg ?? 1);
const s = loadScenario(path);
s.users.count = Math.round(s.users.count * scale);
s.traffic.replayRequests = Math.round(s.traffic.replayRequests * scale);
s.traffic.streamReplay = true;
s.training.epochs = 1;
await selectBackend(process.env.CROSSAB_BACKEND ?? 'wasm');
let t0 = performance.now();
const p = modelInputs(s, s.seed);
const generateSeconds = (performance.now() - t0) / 1000;
const names = s.abtest!.arms;
const slates = new Map<string, Uint16Array>();
let rankSeconds = 0;
for (const name of names) {
  const t = await fitStrategy(strategy(name), p.ds, p.split, p.history, s.training, s.seed);
  t0 = performance.now();
  slates.set(name, chooseSlates(p, t, name, silent).slates);
  rankSeconds += (performance.now() - t0) / 1000;
  t.dispose();
}
t0 = performance.now();
const arms = names.map((name) => ({ name, strategy: name, share: 1 / names.length }));
const cfg = { arms, control: 0, positionBias: s.abtest?.positionBias ?? null, rules: DEFAULT_DECISION_RULES };
const readout = servedReplay(p.world, servedBySlates(p.world, slates, arms, positionCurve(cfg.positionBias)), cfg);
const result = readout(s.seed);
const serveSeconds = (performance.now() - t0) / 1000;
// One more assignment, lean, as `run --grade K` re-randomises: the cost of each of the K.
t0 = performance.now();
readout(s.seed + 1, true);
const gradeSeconds = (performance.now() - t0) / 1000;
const n = s.traffic.replayRequests;
process.stdout.write(
  JSON.stringify({
    scale,
    users: s.users.count,
    replay_requests: n,
    generate_seconds: generateSeconds,
    rank_seconds: rankSeconds,
    rank_us_per_request_per_arm: (1e6 * rankSeconds) / (n * names.length),
    serve_seconds: serveSeconds,
    serve_us_per_request: (1e6 * serveSeconds) / n,
    grade_seconds_per_assignment: gradeSeconds,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    test_users: result.srm.users,
  }) + '\n',
);
