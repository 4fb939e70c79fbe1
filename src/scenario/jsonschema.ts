// The scenario schema as JSON Schema, committed as scenarios/scenario.schema.json so editors validate
// scenario files and show each field's meaning, and as the reference page docs/reference/scenario.md;
// tests keep both current.
import { z } from 'zod';
import { ScenarioSchema } from './schema.js';

/** The part of JSON Schema that zod writes for crossab's scenario, as the reference page reads it. */
interface Node {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  maxLength?: number;
  items?: Node;
  properties?: Record<string, Node>;
  required?: string[];
  additionalProperties?: Node | boolean;
  oneOf?: Node[];
}

const jsonSchema = (): Node => z.toJSONSchema(ScenarioSchema, { io: 'input', unrepresentable: 'any' }) as Node;

export function scenarioJsonSchema(): string {
  return JSON.stringify(jsonSchema(), null, 2) + '\n';
}

/** "0 to 1", "more than 0, at most 1", … in words a reader checks a value against. */
function range(n: Node): string {
  const low = n.minimum !== undefined ? `≥ ${n.minimum}` : n.exclusiveMinimum !== undefined ? `> ${n.exclusiveMinimum}` : '';
  const high = n.maximum !== undefined ? `≤ ${n.maximum.toLocaleString('en-US')}` : n.exclusiveMaximum !== undefined ? `< ${n.exclusiveMaximum}` : '';
  return [low, high].filter(Boolean).join(', ');
}

function typeOf(n: Node): string {
  if (n.const !== undefined) return `\`${JSON.stringify(n.const)}\``;
  if (n.enum) return n.enum.map((v) => `\`${v}\``).join(' | ');
  if (n.oneOf) return 'one of the kinds below';
  if (n.type === 'array') {
    const count = n.minItems ? ` (at least ${n.minItems})` : '';
    return `list of ${n.items?.type === 'object' ? 'objects' : typeOf(n.items ?? {})}${count}`;
  }
  if (n.type === 'object' && typeof n.additionalProperties === 'object')
    return `map of name → ${n.additionalProperties.type === 'object' || n.additionalProperties.oneOf ? 'object' : typeOf(n.additionalProperties)}`;
  if (n.type === 'string' && n.pattern) return 'name';
  const r = n.type === 'number' || n.type === 'integer' ? range(n) : '';
  return r ? `${n.type} (${r})` : (n.type ?? 'any');
}

const cell = (x: string) => x.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A field's default as the page shows it: objects are described by their own rows. */
function shownDefault(n: Node, required: boolean): string {
  if (n.default === undefined) return required ? 'required' : '';
  if (typeof n.default === 'object' && n.default !== null && !Array.isArray(n.default)) return 'see below';
  return `\`${JSON.stringify(n.default)}\``;
}

interface Section {
  path: string;
  /** Which kind of a union the section's fields belong to ("kind explore"), if any. */
  kind: string;
  doc: string;
  rows: string[];
}

/** One section per object in the schema, depth first, in the order a scenario file lists them. */
function sections(n: Node, path: string, kind: string, doc: string, out: Section[]): void {
  const fields = n.properties ?? {};
  const section: Section = { path, kind, doc, rows: [] };
  out.push(section);
  const nested: [Node, string, string, string][] = [];
  for (const [key, f] of Object.entries(fields)) {
    section.rows.push(`| \`${key}\` | ${cell(typeOf(f))} | ${cell(shownDefault(f, n.required?.includes(key) ?? false))} | ${cell(f.description ?? '')} |`);
    const at = path ? `${path}.${key}` : key;
    const inner = f.type === 'array' ? f.items : typeof f.additionalProperties === 'object' ? f.additionalProperties : f;
    const innerPath = f.type === 'array' ? `${at}[]` : typeof f.additionalProperties === 'object' ? `${at}.NAME` : at;
    if (inner?.oneOf)
      for (const variant of inner.oneOf)
        nested.push([variant, innerPath, `kind ${variant.properties?.kind?.const}`, variant.properties?.kind?.description ?? '']);
    else if (inner?.properties) nested.push([inner, innerPath, kind, inner === f ? (f.description ?? '') : (inner.description ?? f.description ?? '')]);
  }
  for (const [node, at, k, text] of nested) sections(node, at, k, text, out);
}

/** docs/reference/scenario.md: every field of a scenario file with its type, range, default and meaning. */
export function scenarioReference(): string {
  const out: Section[] = [];
  sections(jsonSchema(), '', '', 'The top level of a scenario file.', out);
  const title = (s: Section) => (s.path ? `\`${s.path}\`${s.kind ? ` (${s.kind})` : ''}` : 'The file');
  const body = out.map((s) => {
    return `## ${title(s)}\n\n${s.doc}\n\n| field | type | default | meaning |\n|---|---|---|---|\n${s.rows.join('\n')}\n`;
  });
  const contents = out.map((s) => `- [${title(s).replace(/`/g, '')}](#${anchor(title(s))})`).join('\n');
  return `# Scenario reference\n\nGenerated from \`src/scenario/blocks.ts\` by \`npm run docs\`; do not edit by hand. The same meanings reach editors through \`scenarios/scenario.schema.json\`; the rules that relate fields (shares sum to 1, a domain's features are declared, …) are in \`src/scenario/rules.ts\`. "required" marks a field without a default; an empty default means the field may be left out.\n\n${contents}\n\n${body.join('\n')}`;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
