import { DEFAULT_DB, openDb } from '../store/db.js';
import { formatTable } from '../table.js';
import { dbFlag, parse, type CommandHelp } from './args.js';
import { isAlive } from '../liveness.js';

export const usage = 'crossab runs [--db PATH] [--json]';

const FLAGS = {
  db: dbFlag(false),
  json: { type: 'boolean', help: 'print the runs as a JSON array' },
} as const;

export const help: CommandHelp = {
  usage, flags: FLAGS, summary: "List the store's runs with their status (running, complete, cancelled, failed, interrupted)",
  examples: ['crossab runs', 'crossab runs --db other.duckdb --json'],
};


export async function runs(argv: string[]): Promise<number> {
  const { values } = parse('runs', argv, FLAGS, { min: 0, max: 0, name: '' });
  const db = await openDb(values.db ?? DEFAULT_DB, { readOnly: true });
  let rows: Record<string, unknown>[];
  try {
    rows = (await db.con.runAndReadAll(`SELECT run_id, scenario, seed, backend, version, fingerprint, status, pid,
      strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started_at, strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished_at, wall_seconds, strategies, arms, control, pid_stamp
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
