// One generation (and the training inputs built from it) in a fresh process, so its peak memory is
// its own, then a second (warm) generation: prints JSON with the first one's stage times.
import { loadScenario } from '../src/scenario/load.js';
import { generateWorld } from '../src/world/world.js';
import { buildDataset } from '../src/data/dataset.js';
import { buildHistory } from '../src/data/history.js';

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
const withDatasetRss = process.resourceUsage().maxRSS / 1024;
// A second generation in the same process: the generator compiled and warm (as in `check`'s later seeds).
const t2 = performance.now();
const again = generateWorld(s);
const warmSeconds = (performance.now() - t2) / 1000;
if (again.fingerprint !== w.fingerprint) throw new Error('the second generation differs from the first');
process.stdout.write(
  JSON.stringify({
    scale,
    impressions: w.logged.n,
    seconds,
    per_s: w.logged.n / seconds,
    peak_rss_mb: generateRss,
    base_rss_mb: rssBefore,
    dataset_seconds: datasetSeconds,
    with_dataset_peak_rss_mb: withDatasetRss,
    warm_seconds: warmSeconds,
    warm_per_s: w.logged.n / warmSeconds,
    stages_ms: w.timings,
  }) + '\n',
);
