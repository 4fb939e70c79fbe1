// The mapping file of `crossab import`: which column of a real log is the domain, the arm, the time,
// the item, the position, the click and the propensity, and which columns are features. One mapping
// describes every file of a dataset (OBD: 2 arms × 2 domains), so a domain or an arm may come from
// the file's path (a folder per campaign) instead of a column.
import { basename } from 'node:path';
import { z } from 'zod';
import { UserError } from '../util/errors.js';
import { issuesLine, readJsonFile } from './load.js';

const column = z.string().min(1);
const label = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ - (starting with a letter or digit)');

/** A column, or a '*' pattern over columns (OBD's 34 or 46 affinity columns): each must match at least one. */
const columnPattern = z.string().min(1);

const fromColumn = z.strictObject({ column });
/** The path segment (a folder or file name without extension) that equals one of these names. */
const fromPath = z.strictObject({ fromPath: z.array(label).min(1) });
/** One value for every row (a log of one domain, or of one logging policy). */
const fromValue = z.strictObject({ value: label });

export const MappingSchema = z.strictObject({
  $comment: z.string().optional(),
  /** The dataset's name in the store (`crossab import --name` overrides it). */
  dataset: label,
  domain: z.union([fromColumn, fromPath, fromValue]),
  arm: z.union([fromColumn, fromPath, fromValue]),
  /** The domains and arms a row may name; a value outside them is refused. Default: fromPath's names or the value (required with a column). */
  domains: z.array(label).min(1).optional(),
  arms: z.array(label).min(1).optional(),
  /** The control arm of the A/B readout. */
  control: label,
  /** The traffic split the test was configured with, per arm (normalised); without it the sample-ratio check is not made. */
  split: z.record(label, z.number().positive()).optional(),
  columns: z.strictObject({
    /** A timestamp (with or without a zone; UTC when none), or a number of seconds since 1970. */
    time: column,
    item: column,
    position: column,
    click: column,
    propensity: column,
    conversion: column.optional(),
  }),
  /**
   * The analysis unit of the A/B readout: 'row' (each logged display is independent), 'timestamp'
   * (rows sharing a timestamp are one slate) or a user or session column (rows of one unit are
   * correlated and clustered together).
   */
  unit: z.union([z.literal('row'), z.literal('timestamp'), fromColumn]).default('row'),
  positions: z.strictObject({ first: z.number().int().min(0).default(1), count: z.number().int().min(1).max(100) }),
  features: z.strictObject({ user: z.array(columnPattern).default([]), context: z.array(columnPattern).default([]) }).default({ user: [], context: [] }),
  /** An item side table next to each log file (OBD's item_context.csv), joined by key. */
  items: z.strictObject({ file: z.string().min(1), key: column, features: z.array(columnPattern).default([]) }).optional(),
});

export type Mapping = z.infer<typeof MappingSchema>;

export function parseMapping(raw: unknown, origin = 'mapping'): Mapping {
  const r = MappingSchema.safeParse(raw);
  if (!r.success) throw new UserError(issuesLine(r.error, origin));
  const m = r.data;
  const listed = (from: Mapping['domain']) => ('fromPath' in from ? from.fromPath : 'value' in from ? [from.value] : null);
  const domains = m.domains ?? listed(m.domain);
  const arms = m.arms ?? listed(m.arm);
  if (!domains)
    throw new UserError(`${origin}: domains: list the domains a row may name (the domain comes from column '${(m.domain as { column: string }).column}')`);
  if (!arms) throw new UserError(`${origin}: arms: list the arms a row may name (the arm comes from column '${(m.arm as { column: string }).column}')`);
  if (!arms.includes(m.control)) throw new UserError(`${origin}: control: '${m.control}' is not one of the arms (${arms.join(', ')})`);
  for (const a of Object.keys(m.split ?? {}))
    if (!arms.includes(a)) throw new UserError(`${origin}: split: '${a}' is not one of the arms (${arms.join(', ')})`);
  if (m.split && arms.some((a) => !(a in m.split!))) throw new UserError(`${origin}: split: give every arm a share (${arms.join(', ')})`);
  return { ...m, domains, arms };
}

export function loadMapping(path: string): Mapping {
  return parseMapping(readJsonFile(path, 'the mapping'), basename(path));
}

/** The columns a list of names and '*' patterns selects, in the file's order; null names the first pattern that matches nothing. */
export function expandColumns(patterns: readonly string[], columns: readonly string[]): { selected: string[]; unmatched: string | null } {
  const selected: string[] = [];
  for (const p of patterns) {
    const re = new RegExp(
      `^${p
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    const hits = columns.filter((c) => re.test(c));
    if (!hits.length) return { selected, unmatched: p };
    for (const h of hits) if (!selected.includes(h)) selected.push(h);
  }
  return { selected, unmatched: null };
}

/** A file's domain or arm when the mapping takes it from the path: the one listed name among its segments. */
export function labelFromPath(path: string, names: readonly string[]): string | null {
  const segments = path.split(/[\\/]/).map((s, k, all) => (k === all.length - 1 ? s.replace(/\.[^.]*$/, '') : s));
  for (let k = segments.length - 1; k >= 0; k--) if (names.includes(segments[k])) return segments[k];
  return null;
}
