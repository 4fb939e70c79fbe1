import { DEFAULT_DB } from '../store/location.js';
import { listRuns } from '../store/catalog.js';
import { formatTable } from '../util/table.js';
import { parse } from './args.js';
import { COMMANDS } from './specs.js';

export async function runs(argv: string[]): Promise<number> {
  const { values } = parse('runs', argv, COMMANDS.runs.flags, COMMANDS.runs.positionals);
  const rows = await listRuns(values.db ?? DEFAULT_DB);
  if (values.json) process.stdout.write(JSON.stringify(rows) + '\n');
  else if (rows.length === 0) process.stdout.write('no runs yet\n');
  else
    process.stdout.write(
      formatTable(
        ['run', 'scenario', 'seed', 'status', 'started', 'seconds', 'backend', 'fingerprint'],
        rows.map((r) => [
          String(r.run_id),
          String(r.scenario),
          Number(r.seed),
          String(r.status),
          String(r.started_at),
          r.wall_seconds == null ? '' : Number(r.wall_seconds).toFixed(1),
          String(r.backend),
          String(r.fingerprint).slice(0, 12),
        ]),
      ) + '\n',
    );
  return 0;
}
