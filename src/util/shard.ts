// "I/N" — part I of N, counted from 0 — as `sweep run --shard` and `run --replay-shard` take it. The
// bounds and the messages stay with each command (a sweep allows 100,000 shards, a replay 10,000).

/** The index and count of an "I/N" text (spaces around it allowed), or null when it is not of that form. */
export function parseIndexOf(text: string): { index: number; count: number } | null {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  return m ? { index: Number(m[1]), count: Number(m[2]) } : null;
}
