import { loadMapping } from '../scenario/mapping.js';
import { importDataset } from '../logs/import.js';
import { DEFAULT_DB } from '../store/location.js';
import { UserError } from '../util/errors.js';
import { formatTable } from '../util/table.js';
import { parse } from './args.js';
import { COMMANDS } from './specs.js';

export async function importLog(argv: string[]): Promise<number> {
  const { values, positionals } = parse('import', argv, COMMANDS.import.flags, COMMANDS.import.positionals);
  if (!values.map) throw new UserError("import: --map MAPPING.json is required (it says which column is which; see 'crossab import --help')");
  if (values.name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(values.name))
    throw new UserError(`import: --name '${values.name}' must be letters, digits, . _ - (starting with a letter or digit)`);
  const mapping = loadMapping(values.map);
  const out = await importDataset({ files: positionals, mapping, name: values.name, replace: values.replace ?? false, db: values.db ?? DEFAULT_DB });
  if (values.json) {
    process.stdout.write(JSON.stringify(out) + '\n');
    return 0;
  }
  const said = { imported: 'imported', replaced: 'replaced', unchanged: 'already imported with the same files and mapping: unchanged' }[out.status];
  process.stdout.write(
    [
      `dataset ${out.dataset}: ${said}; ${out.rows.toLocaleString('en')} rows`,
      '',
      formatTable(
        ['domain', 'arm', 'rows', 'clicks', 'CTR'],
        out.counts.map((c) => [c.domain, c.arm, c.rows, c.clicks, `${((100 * c.clicks) / c.rows).toFixed(3)}%`]),
      ),
      '',
      `next: crossab readout ${out.dataset}`,
    ].join('\n') + '\n',
  );
  return 0;
}
