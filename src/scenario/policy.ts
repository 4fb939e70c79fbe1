// A policy file: a target policy for the off-policy estimates on an imported log, given by where its
// action probabilities come from (see ope/slot-policy.ts for what each source assumes).
import { basename } from 'node:path';
import { z } from 'zod';
import { UserError } from '../util/errors.js';
import { issuesLine, readJsonFile } from './load.js';

const label = z.string().min(1);
const positive = z.number().positive();

const ThompsonDomain = z.strictObject({
  /** Item ids in the order of alpha and beta (default "0", "1", … as OBD numbers them). */
  items: z.array(label).optional(),
  alpha: z.array(positive).min(1),
  beta: z.array(positive).min(1),
});

export const PolicySchema = z.discriminatedUnion('kind', [
  z.strictObject({
    $comment: z.string().optional(),
    kind: z.literal('empirical'),
    /** The arm whose own log gives its probabilities. */
    arm: label,
    estimate: z.enum(['frequency', 'mean-propensity']).default('frequency'),
  }),
  z.strictObject({
    $comment: z.string().optional(),
    kind: z.literal('thompson-prior'),
    /** The arm this policy is (its on-policy CTR is the truth the estimates are graded against). */
    arm: label,
    draws: z.number().int().min(1000).max(10_000_000).default(100_000),
    seed: z.number().int().min(0).max(2_147_483_647).default(1),
    domains: z.record(label, ThompsonDomain),
  }),
  z.strictObject({
    $comment: z.string().optional(),
    kind: z.literal('table'),
    arm: label,
    /** Per domain: items and, per item, its probability at each position. */
    domains: z.record(label, z.strictObject({ items: z.array(label).min(1), probabilities: z.array(z.array(z.number().min(0).max(1)).min(1)).min(1) })),
  }),
]);

export type PolicySpec = z.infer<typeof PolicySchema>;

export function parsePolicy(raw: unknown, origin = 'policy'): PolicySpec {
  const r = PolicySchema.safeParse(raw);
  if (!r.success) throw new UserError(issuesLine(r.error, origin));
  const p = r.data;
  if (p.kind === 'thompson-prior')
    for (const [d, t] of Object.entries(p.domains)) {
      if (t.alpha.length !== t.beta.length) throw new UserError(`${origin}: domains.${d}: alpha has ${t.alpha.length} items, beta ${t.beta.length}`);
      if (t.items && t.items.length !== t.alpha.length)
        throw new UserError(`${origin}: domains.${d}: items has ${t.items.length} ids, alpha ${t.alpha.length}`);
    }
  if (p.kind === 'table')
    for (const [d, t] of Object.entries(p.domains))
      if (t.probabilities.length !== t.items.length)
        throw new UserError(`${origin}: domains.${d}: ${t.items.length} items but ${t.probabilities.length} rows of probabilities`);
  return p;
}

export function loadPolicy(path: string): PolicySpec {
  return parsePolicy(readJsonFile(path, 'the policy'), basename(path));
}
