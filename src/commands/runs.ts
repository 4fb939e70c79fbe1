import { DEFAULT_DB, openDb } from '../store/db.js';
import { formatTable } from '../util/table.js';
import { parse } from './args.js';
import { COMMANDS } from './specs.js';
import { isAlive } from '../util/liveness.js';

export async function runs(argv: string[]): Promise<number> {
  const { values } = parse('runs', argv, COMMANDS.runs.flags, COMMANDS.runs.positionals);
  const db = await openDb(values.db ?? DEFAULT_DB, { readOnly: true });
  let rows: Record<string, unknown>[];
  try {
    // Reading never migrates: a store from before schema 3 has no pid_stamp yet.
    const [{ n }] = (await db.con.runAndReadAll("SELECT count(*)::INTEGER AS n FROM information_schema.columns WHERE table_name = 'runs' AND column_name = 'pid_stamp'")).getRowObjects();
    const stamp = Number(n) > 0 ? 'pid_stamp' : 'NULL AS pid_stamp';
    rows = (await db.con.runAndReadAll(`SELECT run_id, scenario, seed, backend, version, fingerprint, status, pid,
      strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started_at, strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished_at, wall_seconds, strategies, arms, control, ${stamp}
      FROM runs ORDER BY started_at, run_id`)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    db.close();
  }
  // A 'running' run whose process is gone was killed without a chance to record it.
  for (const r of rows) {
    if (r.status === 'running' && !isAlive(Number(r.pid), r.pid_stamp as string | null)) r.status = 'interrupted';
    delete r.pid_stamp;
  }
  if (values.json) process.stdout.write(JSON.stringify(rows) + '\n');
  else if (rows.length === 0) process.stdout.write('no runs yet\n');
  else process.stdout.write(formatTable(['run', 'scenario', 'seed', 'status', 'started', 'seconds', 'backend', 'fingerprint'],
    rows.map((r) => [String(r.run_id), String(r.scenario), Number(r.seed), String(r.status), String(r.started_at), r.wall_seconds == null ? '' : Number(r.wall_seconds).toFixed(1), String(r.backend), String(r.fingerprint).slice(0, 12)])) + '\n');
  return 0;
}
