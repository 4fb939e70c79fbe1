// `crossab readout` as text: the rules it read by, the unit and what it assumes, each arm's traffic,
// the decision per domain with its interval, the sequential looks when asked, and the off-policy
// table with its warnings explained — the same numbers as --json, formatted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossab } from '../helpers/cli.js';
import { root } from '../helpers/scenarios.js';

const fixture = join(root, 'test/fixtures/obd');
const files = ['random/men/men.csv', 'random/women/women.csv', 'bts/men/men.csv', 'bts/women/women.csv'].map((f) => join(fixture, f));
const logs = (name: string) => join(root, 'scenarios/logs', name);

test('readout prints the rules, the unit, the traffic, the decisions and (with a policy) the off-policy table, matching --json', () => {
  const db = join(mkdtempSync(join(tmpdir(), 'crossab-readout-text-')), 'store.duckdb');
  assert.equal(crossab(['import', ...files, '--map', logs('obd.map.json'), '--db', db]).code, 0);
  const args = ['readout', 'obd', '--db', db, '--method', 'sequential', '--policy', logs('obd-bts-prior.policy.json')];
  const text = crossab(args);
  assert.equal(text.code, 0, text.stderr);
  const json = JSON.parse(crossab([...args, '--json']).stdout);
  const lines = text.stdout.split('\n');
  assert.match(lines[0], /^dataset obd: A\/B test read by sequential \(α 0\.05, power 0\.8, smallest lift worth shipping \+\d+\.\d%, .* across domains\)$/);
  assert.equal(lines[1], `unit: displays — ${json.assumes}`);
  assert.ok(text.stdout.includes('the log has no conversions: decisions rest on clicks alone'));
  // Each arm's traffic, the control marked, the CTR to 0.001%.
  for (const r of json.ab.results as { domain: string; arm: string; impressions: number; clicks: number; ctr: number }[]) {
    const arm = r.arm + (r.arm === json.ab.control ? ' (control)' : '');
    const row = lines.find((l) => new RegExp(`^${r.domain}\\s+${arm.replace(/[()]/g, '\\$&')}\\s+${r.impressions}\\s+${r.clicks}\\s+`).test(l));
    assert.ok(row?.trimEnd().endsWith(`${(100 * r.ctr).toFixed(3)}%`), `${r.domain} ${r.arm}: ${row}`);
  }
  // The decisions, one row per domain, with the lift and the decision the JSON holds.
  for (const d of json.decisions as { domain: string; lift: number | null; decision: string }[]) {
    // A lift the excerpt cannot estimate (no click in the control) is null in JSON and a dash in text.
    const lift = d.lift === null ? '–' : `${d.lift >= 0 ? '+' : ''}${(100 * d.lift).toFixed(1)}%`;
    assert.ok(
      lines.some((l) => l.startsWith(d.domain) && l.includes(lift) && l.includes(d.decision)),
      `${d.domain}: ${lift} ${d.decision}`,
    );
  }
  assert.ok(text.stdout.includes('sequential looks (one a day, always-valid 95% confidence sequence on the CTR lift):'));
  assert.ok(text.stdout.includes("off-policy estimates of an arm's CTR from another arm's log"));
  const rows = lines.filter((l) => l.startsWith(logs('obd-bts-prior.policy.json')));
  assert.equal(rows.length, json.counterfactual.length);
  assert.equal(
    text.stdout.includes('warnings: dominant-weight ='),
    json.counterfactual.some((c: { warnings: string[] }) => c.warnings.length > 0),
  );
  assert.ok(!text.stdout.includes('\n\n\n'), 'no two blank lines in a row');
});
