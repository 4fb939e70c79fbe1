// Whether a scenario fits this machine, decided before anything is generated or trained: whatever
// the schema accepts either runs or is refused here with the field to change — never a crash after
// minutes of work (a 1e6-value vocabulary used to die in the wasm backend after 177 s).
import { totalmem } from 'node:os';
import type { Scenario } from '../scenario/schema.js';
import { ScenarioError } from '../scenario/load.js';
import { worldFootprint } from '../world/footprint.js';
import { buildLayout } from '../world/layout.js';
import { accountingBytes } from '../abtest/user-sums.js';
import { modelFootprint, NODE_PER_HEAP_BYTE, WASM_HEAP_LIMIT, type ModelFootprint } from '../train/memory.js';
import type { BackendName } from '../tf/backend.js';
import { testPartner } from './feedback-stage.js';

const GB = 2 ** 30;
/** V8's largest typed array, in elements. */
const MAX_ELEMENTS = 2 ** 32;
/** Bytes of memory training a model takes per byte of its variables on the cpu backend (values, gradients, Adam's two moments, the best-epoch snapshot, fused-update buffers). */
const PER_VARIABLE_BYTE = 8;
/** A crossab process before any world: Node, TensorFlow.js and DuckDB loaded (measured peak RSS 163 MB). */
const PROCESS_BASE = 256 * 2 ** 20;

const gb = (b: number) => `${(b / GB).toFixed(b < 10 * GB ? 2 : 1)} GB`;

/** '512M', '2G', '1.5GB' or plain bytes. */
export function parseBytes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(text);
  if (!m) return null;
  return Number(m[1]) * 1024 ** ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
}

/** The memory a run may plan to use: CROSSAB_MEMORY_LIMIT, else 80% of this machine's (or its container's) memory. */
export function memoryLimit(): number {
  const env = process.env.CROSSAB_MEMORY_LIMIT;
  if (env !== undefined && env !== '') {
    const b = parseBytes(env);
    if (b === null || b <= 0) throw new ScenarioError(`CROSSAB_MEMORY_LIMIT must be a size such as 4G or 512M, got '${env}'`);
    return b;
  }
  const constrained = process.constrainedMemory?.() ?? 0;
  const machine = constrained > 0 ? Math.min(constrained, totalmem()) : totalmem();
  return 0.8 * machine;
}

export interface Plan {
  /** Strategies to train, none for `generate`; arms of the A/B replay, none when there is no replay. */
  strategies: string[];
  arms: number;
  /**
   * Threads (the main thread and the training workers): they share one copy of the world and its
   * logged inputs, and each holds its own of a held replay's candidates.
   */
  copies: number;
  /** Further copies of the world held at once (generate --out: the export's columns). */
  extraWorlds?: number;
  /** Training workers at once; the backend they train on (null: not known, assume wasm, the usual fallback). */
  workers: number;
  backend: BackendName | null;
}

/** The largest vocabulary's field (the item IDs count as one). */
function largestVocabField(s: Scenario): string {
  let best = s.items.idFeature ? { field: 'items.count', vocab: s.items.count } : { field: 'training.embeddingDim', vocab: 0 };
  s.features.forEach((f, i) => {
    if (f.kind === 'categorical' && f.vocab! > best.vocab) best = { field: `features[${i}].vocab`, vocab: f.vocab! };
  });
  return best.field;
}

/** The scenario field most responsible for a model's largest variable: a vocabulary, or the layer widths. */
function biggestField(s: Scenario, m: ModelFootprint): string {
  const rows = buildLayout(s).categorical.reduce((a, f) => a + f.vocab + 1, 0);
  return m.largestBytes > 4 * rows * s.training.embeddingDim ? 'training.hidden' : largestVocabField(s);
}

/** Refuse, naming the field, a scenario whose world or models do not fit; `origin` names the file. */
export function admit(s: Scenario, plan: Plan, origin: string): void {
  const limit = memoryLimit();
  const w = worldFootprint(s);
  const layout = buildLayout(s);
  const training = plan.strategies.length > 0;
  const fields = layout.categorical.length + layout.numeric.length;
  // The largest single array: the logged impressions' encoded features, or a held replay's candidates'.
  const logged = w.loggedImpressions * Math.max(1, fields);
  const held = w.streamed ? 0 : w.replayCandidates * Math.max(1, fields);
  if (Math.max(logged, held) > MAX_ELEMENTS) {
    const count = (x: number) => Math.round(x).toLocaleString('en');
    throw new ScenarioError(
      logged >= held
        ? `${origin}: traffic.requests: ${count(w.loggedImpressions)} logged impressions × ${fields} features is more than one array can hold (${count(MAX_ELEMENTS)} values); lower traffic.requests or the slate sizes`
        : `${origin}: traffic.replayRequests: ${count(w.replayCandidates)} replay candidates × ${fields} features is more than one array can hold (${count(MAX_ELEMENTS)} values); let the replay stream (remove traffic.streamReplay: false) or lower traffic.replayRequests or the candidate counts`,
    );
  }
  const replay = plan.arms > 0 ? accountingBytes(s.domains.length, s.users.count) + w.servedBytes : 0;
  // A test between two strategies' retrained arms: the treatment's worker holds the control's model too.
  const pair = testPartner(s);
  const models = plan.strategies.map((n) => {
    const m = modelFootprint(s, n, layout);
    if (pair?.holder !== n || !plan.strategies.includes(pair.partner)) return m;
    const p = modelFootprint(s, pair.partner, layout);
    return { ...m, strategy: `${n} with ${pair.partner}`, wasmHeapBytes: m.wasmHeapBytes + p.wasmHeapBytes, heldBytes: m.heldBytes + p.heldBytes };
  });
  const wasm = plan.backend === null || plan.backend === 'wasm';
  if (wasm) {
    const worst = models.reduce<ModelFootprint | null>((a, m) => (!a || m.wasmHeapBytes > a.wasmHeapBytes ? m : a), null);
    if (worst && worst.wasmHeapBytes > WASM_HEAP_LIMIT) {
      throw new ScenarioError(
        `${origin}: ${biggestField(s, worst)}: training '${worst.strategy}'${pair && worst.strategy === `${pair.holder} with ${pair.partner}` ? " (feedback.test's control, trained again in the treatment's worker)" : ''} on the wasm backend needs ~${gb(worst.wasmHeapBytes)} of heap ` +
          `(its largest variable is ${gb(worst.largestBytes)}), over the ${gb(WASM_HEAP_LIMIT)} it can use; lower the vocabulary, training.embeddingDim or training.hidden, or use --backend node`,
      );
    }
  }
  const perModel = models.map((m) =>
    wasm ? m.wasmHeapBytes : plan.backend === 'node' ? NODE_PER_HEAP_BYTE * m.wasmHeapBytes : PER_VARIABLE_BYTE * m.heldBytes,
  );
  const modelBytes = [...perModel]
    .sort((a, b) => b - a)
    .slice(0, Math.max(1, plan.workers))
    .reduce((a, b) => a + b, 0);
  const perCopy = training ? w.inputByField['traffic.replayRequests'] : 0;
  const shared = w.worldBytes + (training ? w.inputByField['traffic.requests'] : 0);
  const total = PROCESS_BASE + (1 + (plan.extraWorlds ?? 0)) * shared + plan.copies * perCopy + replay + modelBytes;
  if (total <= limit) return;
  // Name the field behind the largest share of the total.
  const parts: { field: string; bytes: number; why: string }[] = [
    ...Object.entries(w.byField).map(([field, b]) => ({
      field: field === 'features' ? largestVocabField(s) : field,
      bytes: (1 + (plan.extraWorlds ?? 0)) * b + (training ? (field === 'traffic.replayRequests' ? plan.copies : 1) * (w.inputByField[field] ?? 0) : 0),
      why:
        field === 'traffic.replayRequests'
          ? `${Math.round(w.replayCandidates).toLocaleString('en')} replay candidates held, encoded in each of ${plan.copies} thread${plan.copies > 1 ? 's' : ''}`
          : `the world, ${Math.round(w.loggedImpressions).toLocaleString('en')} logged impressions`,
    })),
    {
      field: 'users.count',
      bytes: replay - w.servedBytes,
      why: `the A/B replay's per-user sums for ${s.domains.length + 3} domain groups × ${s.users.count.toLocaleString('en')} users`,
    },
    {
      field: 'traffic.replayRequests',
      bytes: w.servedBytes,
      why: `the streamed replay's slates: ${s.traffic.replayRequests.toLocaleString('en')} requests × ${plan.arms} arms`,
    },
    {
      field: models.length ? biggestField(s, models[perModel.indexOf(Math.max(...perModel))]) : 'training',
      bytes: modelBytes,
      why: 'the models being trained',
    },
  ];
  const { field, why } = parts.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  throw new ScenarioError(
    `${origin}: ${field}: this run needs ~${gb(total)} of memory (${why}), over the ${gb(limit)} allowed here; make the scenario smaller, use fewer --workers, or raise CROSSAB_MEMORY_LIMIT`,
  );
}
