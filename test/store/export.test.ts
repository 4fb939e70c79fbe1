// The logs as Parquet: every logged impression once, in time order, a feature a domain does not
// expose as NULL, labels and probabilities as generated; the bandit file in OBP's shape (positions
// from 0, each slate's probability on each of its rows); a failed export leaves no file behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeBanditParquet, writeParquet } from '../../src/store/export.js';
import { generateWorld, loggedPropensities } from '../../src/world/world.js';
import { scenario } from '../helpers/scenarios.js';

const dir = mkdtempSync(join(tmpdir(), 'crossab-export-'));
const w = generateWorld(
  scenario('tiny', (r) => {
    r.traffic.requests = 600;
  }),
  3,
);

async function rows(path: string, sql: string): Promise<Record<string, unknown>[]> {
  const i = await DuckDBInstance.create(':memory:');
  const con = await i.connect();
  try {
    return (await con.runAndReadAll(sql.replaceAll('$F', `read_parquet('${path}')`))).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    con.closeSync();
    i.closeSync();
  }
}

test('writeParquet: one row per logged impression in time order, with its labels, probabilities and features (NULL where the domain has none)', async () => {
  const path = join(dir, 'logs.parquet');
  await writeParquet(w, path);
  const [count] = await rows(
    path,
    'SELECT count(*) AS n, sum(click) AS clicks, sum(conversion) AS convs, bool_and(time >= lag) AS ordered FROM (SELECT *, lag(time, 1, 0) OVER () AS lag FROM $F)',
  );
  const l = w.logged;
  assert.equal(Number(count.n), l.n);
  assert.equal(
    Number(count.clicks),
    l.click.reduce((a, b) => a + b, 0),
  );
  assert.equal(
    Number(count.convs),
    l.conv.reduce((a, b) => a + b, 0),
  );
  assert.equal(count.ordered, true);
  // The first impression of the file, field by field against the world's columns.
  const [first] = await rows(path, 'SELECT * FROM $F LIMIT 1');
  const k = Array.from({ length: l.n }, (_, i) => i).sort((a, b) => l.time[a] - l.time[b] || l.position[a] - l.position[b])[0];
  assert.equal(first.domain, w.layout.domains[l.domain[k]]);
  assert.equal(Number(first.item), l.item[k]);
  assert.ok(Math.abs(Number(first.p_click) - l.pClick[k]) < 1e-6);
  for (const [j, f] of w.layout.categorical.entries()) assert.equal(first[f.name] === null ? 0 : Number(first[f.name]), l.cat[j][k], f.name);
  // A domain that does not log a feature: NULL there, never 0 or NaN.
  const hidden = w.layout.categorical.findIndex((_, j) => w.layout.exposesCat.some((d) => !d[j]));
  assert.ok(hidden >= 0, 'tiny has a feature some domain does not log');
  const name = w.layout.categorical[hidden].name;
  const [nulls] = await rows(path, `SELECT count(*) FILTER (WHERE "${name}" IS NULL) AS n, count(*) FILTER (WHERE "${name}" = 0) AS zeros FROM $F`);
  assert.ok(Number(nulls.n) > 0 && Number(nulls.zeros) === 0, `${name}: ${nulls.n} NULL, ${nulls.zeros} zeros`);
});

test('writeBanditParquet: positions from 0, the slate probability on every row of its slate, the per-row propensities as computed', async () => {
  const path = join(dir, 'bandit.parquet');
  await writeBanditParquet(w, path);
  const prop = loggedPropensities(w);
  const [shape] = await rows(path, 'SELECT min(position) AS lo, max(position) AS hi, count(DISTINCT slate_id) AS slates, count(*) AS n FROM $F');
  assert.deepEqual([Number(shape.lo), Number(shape.slates), Number(shape.n)], [0, w.loggedRequests.n, w.logged.n]);
  assert.equal(Number(shape.hi), Math.max(...w.scenario.domains.map((d) => d.slate)) - 1);
  // One slate probability per slate, equal to its last position's cascade propensity.
  const [same] = await rows(path, 'SELECT count(*) AS n FROM (SELECT slate_id FROM $F GROUP BY slate_id HAVING count(DISTINCT pscore) > 1)');
  assert.equal(Number(same.n), 0);
  const r = 5;
  const last = w.loggedRow[r + 1] - 1;
  const [slate] = await rows(path, `SELECT any_value(pscore) AS p, max(pscore_cascade) AS top FROM $F WHERE slate_id = ${w.logged.request[last]}`);
  assert.equal(Number(slate.p), prop.cascade[last]);
  assert.ok(Number(slate.top) <= 1 && Number(slate.p) <= Number(slate.top), 'the cascade only shrinks along the slate');
});

test('a failed export leaves neither the file nor a temporary one behind', async () => {
  const before = readdirSync(dir).sort();
  const missing = join(dir, 'no-such-folder', 'logs.parquet');
  await assert.rejects(writeParquet(w, missing));
  assert.ok(!existsSync(missing));
  assert.deepEqual(readdirSync(dir).sort(), before, 'nothing new beside the folder it was asked for either');
});
