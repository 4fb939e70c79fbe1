// One generation (and the training inputs built from it) in a fresh process, so its peak memory is
// its own: prints JSON.
import { loadScenario } from '../src/scenario/load.js';
import { generateWorld } from '../src/world/world.js';
import { buildDataset } from '../src/train/data.js';
import { buildHistory } from '../src/train/history.js';

const [path, scaleArg] = process.argv.slice(2);
const scale = Number(scaleArg ?? 1);
const s = loadScenario(path);
s.traffic.requests = Math.round(s.traffic.requests * scale);
s.traffic.replayRequests = Math.round(s.traffic.replayRequests * scale);
s.users.count = Math.round(s.users.count * scale);
const rssBefore = process.resourceUsage().maxRSS / 1024;
const t0 = performance.now();
const w = generateWorld(s);
const seconds = (performance.now() - t0) / 1000;
const generateRss = process.resourceUsage().maxRSS / 1024;
const t1 = performance.now();
const ds = buildDataset(w);
buildHistory(ds, w.users.count);
const datasetSeconds = (performance.now() - t1) / 1000;
process.stdout.write(JSON.stringify({
  scale, impressions: w.logged.n, seconds, per_s: w.logged.n / seconds, peak_rss_mb: generateRss, base_rss_mb: rssBefore,
  dataset_seconds: datasetSeconds, with_dataset_peak_rss_mb: process.resourceUsage().maxRSS / 1024,
}) + '\n');
