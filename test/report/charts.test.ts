// The report's charts from a stored run: one colour per strategy (and arm) in every chart, a training
// curve per model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCharts } from '../../src/report/charts.js';
import { openDb } from '../../src/store/db.js';
import { loadRun } from '../../src/store/run-data.js';
import { scenarioPath } from '../helpers/scenarios.js';
import { crossab } from '../helpers/cli.js';

/** Every colour encoding in a spec, at any depth. */
function colours(spec: unknown, out: { field?: string; scale?: { domain?: unknown[] } }[] = []) {
  if (spec && typeof spec === 'object') {
    for (const [k, v] of Object.entries(spec)) {
      if (k === 'color' && v && typeof v === 'object' && 'field' in v) out.push(v as never);
      else colours(v, out);
    }
  }
  return out;
}

test('every chart colours a strategy or an arm from the same list, so a strategy keeps its colour from chart to chart', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'crossab-charts-')), 'c.duckdb');
  const r = crossab(['run', scenarioPath('tiny'), '--db', db, '--json', '--no-report', '--strategies', 'separate,shared-bottom,mmoe']);
  assert.equal(r.code, 0, r.stderr);
  const store = await openDb(db, { readOnly: true });
  try {
    const d = await loadRun(store, JSON.parse(r.stdout).run_id);
    const named = runCharts(d)
      .flatMap((c) => colours(c.spec))
      .filter((c) => c.field === 'strategy' || c.field === 'arm');
    assert.ok(named.length >= 5, `${named.length} strategy or arm colourings`);
    const domains = new Set(named.map((c) => JSON.stringify(c.scale?.domain)));
    assert.equal(domains.size, 1, [...domains].join('\n'));
    const [domain] = named.map((c) => c.scale!.domain!);
    assert.deepEqual(domain.slice(-2), ['constant', 'oracle'], 'the references last, after every strategy');
    for (const s of ['separate', 'shared-bottom', 'mmoe']) assert.ok(domain.includes(s), s);
    // One model per domain draws a curve per domain model; a shared model one curve.
    const curves = runCharts(d).find((c) => c.id === 'training-curves')!;
    const models = new Set((curves.spec as { data: { values: { model: string }[] } }).data.values.map((v) => v.model));
    assert.deepEqual([...models].filter((m) => m.startsWith('separate')).sort(), ['separate · head', 'separate · mid', 'separate · tail']);
    assert.ok(models.has('mmoe'));
  } finally {
    store.close();
  }
});
