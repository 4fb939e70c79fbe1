// Users are assigned to arms by a seeded hash of the user ID: stable across domains and requests,
// independent of traffic order, and reproducible from (salt, user).

/** A 32-bit mix of (salt, user) → uniform in [0, 1) (murmur3's finaliser). */
export function userHash(salt: number, user: number): number {
  let h = (Math.imul(user ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(salt | 0, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Arm index for a user under traffic split `split` (shares summing to 1). */
export function assignArm(salt: number, user: number, split: readonly number[]): number {
  const u = userHash(salt, user);
  let acc = 0;
  for (let a = 0; a < split.length - 1; a++) {
    acc += split[a];
    if (u < acc) return a;
  }
  return split.length - 1;
}

/** Every user's arm for one salt (users 0..count − 1), for the steps that read the test user by user. */
export function armsOf(salt: number, count: number, split: readonly number[]): Int32Array {
  const out = new Int32Array(count);
  for (let u = 0; u < count; u++) out[u] = assignArm(salt, u, split);
  return out;
}
