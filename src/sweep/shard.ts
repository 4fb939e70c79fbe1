// Which shard of a sweep this process is, and which units are its: from --shard I/N, or from the
// batch engine's array index (Kubernetes Indexed Jobs, Slurm arrays, AWS Batch), units dealt round-robin.
import { UserError } from '../util/errors.js';
import { parseIndexOf } from '../util/shard.js';

/** Shard `index` of `count`: from --shard I/N, else the batch engine's array index (and count where it gives one). */
export function shardOf(flag: string | undefined, countFlag: string | undefined, env: NodeJS.ProcessEnv = process.env): { index: number; count: number } {
  const int = (v: string, what: string) => {
    if (!/^\d+$/.test(v.trim())) throw new UserError(`sweep: ${what} must be a whole number, got '${v}'`);
    return Number(v);
  };
  let index: number | undefined;
  let count: number | undefined;
  if (flag !== undefined) {
    const parsed = parseIndexOf(flag);
    if (!parsed) throw new UserError(`sweep: --shard takes I/N (shard I of N, from 0), got '${flag}'`);
    ({ index, count } = parsed);
  } else {
    const from: [string, string | undefined][] = [
      ['JOB_COMPLETION_INDEX', undefined],
      ['SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_COUNT'],
      ['AWS_BATCH_JOB_ARRAY_INDEX', undefined],
      ['CROSSAB_SHARD_INDEX', 'CROSSAB_SHARD_COUNT'],
    ];
    const hit = from.find(([k]) => env[k] !== undefined && env[k] !== '');
    if (hit) {
      index = int(env[hit[0]]!, hit[0]);
      // Slurm numbers an array from its first index (--array=1-10 starts at 1).
      if (hit[0] === 'SLURM_ARRAY_TASK_ID' && env.SLURM_ARRAY_TASK_MIN) index -= int(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN');
      if (hit[1] && env[hit[1]]) count = int(env[hit[1]]!, hit[1]);
    }
    if (countFlag !== undefined) count = int(countFlag, '--shards');
    if (index === undefined) index = 0;
    count ??= 1;
    if (hit === undefined && countFlag !== undefined && count > 1)
      throw new UserError('sweep: --shards N needs the shard index: --shard I/N, or JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, AWS_BATCH_JOB_ARRAY_INDEX');
  }
  if (count < 1 || count > 100_000) throw new UserError(`sweep: the shard count must be 1 to 100000, got ${count}`);
  if (index < 0 || index >= count) throw new UserError(`sweep: shard index ${index} is outside 0 … ${count - 1}`);
  return { index, count };
}

/** Every k-th unit from `index`: each unit in exactly one shard, long and short scenarios spread alike. */
export const unitsOfShard = <U>(units: U[], index: number, count: number): U[] => units.filter((_, k) => k % count === index);
