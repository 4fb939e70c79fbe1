// A streamed replay split over processes or machines. Ranking the replay — encoding every candidate
// of every request and scoring it with each arm's model — is most of a large test's cost, and its
// chunks are independent, so shard k of N ranks the chunks k, k + N, … and writes each arm's slates
// (which candidate each slot shows) to one file. The run that merges them reads the files instead of
// ranking and does the rest as one process does: the outcomes are one random stream in request
// order, and the true lifts and expected clicks are floating-point sums in that order, so the merge
// (not the shards) draws and sums them — and 1, 2 or 3 shards give the same test to the last digit.
// Each shard trains the arms' models itself (the other strategies only the merging run): training is deterministic for a (scenario, seed, backend,
// build) and takes minutes where ranking takes hours, and crossab has no model file to ship.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { interleaveSlates, type ReplayShard } from '../train/replay-slates.js';
import { parseIndexOf } from '../util/shard.js';
import { VERSION } from '../util/version.js';
import { armModel } from '../scenario/rules.js';
import type { Scenario } from '../scenario/schema.js';

const MAGIC = 'CROSSAB-SLATES-1\n';

/** What a shard file says of itself; a merge refuses files that differ in anything but `index` and `chunks`. */
export interface ShardHeader {
  version: string;
  scenario: string;
  seed: number;
  fingerprint: string;
  backend: string;
  /** The arms' strategies, in the order their slates follow the header. */
  strategies: string[];
  index: number;
  count: number;
  /** Per chunk of the replay period: its slots, when this shard ranked it; 0 when another did. */
  chunks: number[];
}

export const shardFile = (dir: string, index: number, count: number): string => join(dir, `replay-${index}-of-${count}.slates`);

/** Write one shard's slates (every strategy's, each its ranked chunks in order) atomically. */
export function writeShard(dir: string, header: ShardHeader, slates: ReadonlyMap<string, Uint16Array>): string {
  const slots = header.chunks.reduce((a, b) => a + b, 0);
  for (const name of header.strategies) {
    const s = slates.get(name);
    if (!s || s.length !== slots) throw new Error(`replay shard: '${name}' has ${s?.length ?? 0} slots, its chunks ${slots}`);
  }
  const json = Buffer.from(JSON.stringify(header));
  // The header is padded so that the slates start on an even byte: a Uint16Array can view them.
  const head = Buffer.alloc(MAGIC.length + 4 + json.length + ((MAGIC.length + json.length) % 2));
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(json.length, MAGIC.length);
  json.copy(head, MAGIC.length + 4);
  const body = header.strategies.map((n) => Buffer.from(slates.get(n)!.buffer, slates.get(n)!.byteOffset, slates.get(n)!.byteLength));
  const path = shardFile(dir, header.index, header.count);
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(path, Buffer.concat([head, ...body]));
  return path;
}

/** A shard's header, its slates (each strategy's in turn) and how many slots each strategy has in it. */
function readShard(path: string): { header: ShardHeader; data: Uint16Array; slots: number } {
  const buf = readFileSync(path);
  if (buf.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new UserError(`${path}: not a crossab replay shard`);
  const length = buf.readUInt32LE(MAGIC.length);
  const header = JSON.parse(buf.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + length)) as ShardHeader;
  const start = MAGIC.length + 4 + length + ((MAGIC.length + length) % 2);
  const bytes = buf.subarray(start);
  const slots = header.chunks.reduce((a, b) => a + b, 0);
  if (bytes.byteLength !== 2 * slots * header.strategies.length)
    throw new UserError(`${path}: holds ${bytes.byteLength} bytes of slates, its header says ${2 * slots * header.strategies.length} (a file cut short?)`);
  const data = new Uint16Array(slots * header.strategies.length);
  Buffer.from(data.buffer).set(bytes);
  return { header, data, slots };
}

/** The run a merge expects its shards to have come from. */
export type ShardIdentity = Omit<ShardHeader, 'index' | 'count' | 'chunks'>;

/** What a replay shard is ranked for: the build, the engine, the world and the arms' models (in the order their slates are written). */
export function shardIdentity(scenario: Scenario, seed: number, fingerprint: string, engine: string, arms: readonly { strategy: string }[]): ShardIdentity {
  const strategies = [...new Set(arms.map((a) => armModel(scenario, a.strategy)).filter((m) => m !== null))];
  return { version: VERSION, scenario: scenario.name, seed, fingerprint, backend: engine, strategies };
}

/**
 * Every shard in `dir`, checked against the run that merges them (same build, scenario, seed, world,
 * backend and arms; each of the N shards once; each chunk ranked by exactly one), and each strategy's
 * slates put back in request order: what one process ranking the whole replay would hold.
 */
export function mergeShards(dir: string, expect: ShardIdentity): Map<string, Uint16Array> {
  if (!existsSync(dir)) throw new UserError(`--replay-from: ${dir} does not exist`);
  const files = readdirSync(dir).filter((f) => /^replay-\d+-of-\d+\.slates$/.test(f));
  if (!files.length) throw new UserError(`--replay-from: ${dir} holds no replay shards (replay-I-of-N.slates, written by run --replay-shard I/N)`);
  const shards = files.map((f) => ({ file: f, ...readShard(join(dir, f)) }));
  const count = shards[0].header.count;
  for (const { file, header } of shards) {
    if (header.count !== count) throw new UserError(`--replay-from: ${file} is one of ${header.count} shards, ${shards[0].file} one of ${count}`);
    for (const key of ['version', 'scenario', 'seed', 'fingerprint', 'backend'] as const)
      if (header[key] !== expect[key])
        throw new UserError(
          `--replay-from: ${file} was ranked with ${key} ${header[key]}, this run has ${expect[key]} (rank every shard with the same build, scenario, seed and backend)`,
        );
    if (header.strategies.join(',') !== expect.strategies.join(','))
      throw new UserError(`--replay-from: ${file} ranked the arms ${header.strategies.join(', ')}, this run's are ${expect.strategies.join(', ')}`);
  }
  const missing = Array.from({ length: count }, (_, k) => k).filter((k) => !shards.some((s) => s.header.index === k));
  if (missing.length)
    throw new UserError(
      `--replay-from: shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${count} not in ${dir} (run them with --replay-shard I/${count})`,
    );
  // Each strategy's slates are one run of a shard's data (its `slots` per strategy, in header order).
  const out = new Map<string, Uint16Array>();
  for (const [s, name] of expect.strategies.entries()) {
    const parts = shards.map(({ header, data, slots }) => ({ slates: data.subarray(s * slots, (s + 1) * slots), slateChunks: header.chunks }));
    try {
      out.set(name, interleaveSlates(parts).slates);
    } catch (e) {
      // Two shards of one count that both ranked a chunk, or none did: the files are not one split.
      throw new UserError(`--replay-from: the shards in ${dir} do not split one replay (${(e as Error).message})`);
    }
  }
  return out;
}

/** "I/N" as a shard, for --replay-shard. */
export function parseReplayShard(text: string): ReplayShard {
  const parsed = parseIndexOf(text);
  if (!parsed) throw new UserError(`run: --replay-shard takes I/N (shard I of N, from 0), got '${text}'`);
  const { index, count } = parsed;
  if (count < 1 || count > 10_000 || index >= count) throw new UserError(`run: --replay-shard ${text}: I must be 0 to N − 1 and N 1 to 10000`);
  return { index, count };
}
