// `crossab plan`: the test sized from logs alone, as JSON and as a table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawScenario, scenarioPath } from '../helpers/scenarios.js';
import { crossab } from '../helpers/cli.js';

test('plan --json: per domain the detectable lift, CUPED, and the users a +minLift test needs; the text form names them', () => {
  const r = crossab(['plan', scenarioPath('tiny'), '--json', '--seed', '4']);
  assert.equal(r.code, 0, r.stderr);
  const p = JSON.parse(r.stdout);
  assert.equal(p.arms, 2);
  assert.equal(p.family, 3);
  assert.equal(p.min_lift, 0.05);
  assert.deepEqual(
    p.domains.map((d: { domain: string }) => d.domain),
    ['head', 'mid', 'tail'],
  );
  for (const d of p.domains) {
    assert.ok(d.mde > 0 && d.cuped_mde > 0 && d.cuped_mde <= d.mde + 1e-12, JSON.stringify(d));
    assert.ok(d.cuped_users_needed > 0 && d.traffic_multiple > 1, 'a tiny world cannot see +5%');
    assert.ok(d.sequential_users_needed > d.cuped_users_needed);
  }
  const t = crossab(['plan', scenarioPath('tiny'), '--seed', '4', '--arms', '3']);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /3 arms/);
  assert.match(t.stdout, /each of 6 primary tests at α 0\.0083 \(0\.05 with holm\)/);
  assert.match(t.stdout, /tail \(tail\)/);
});

test('plan: a test as long as the logs leaves no history before the pilot, and says CUPED cannot be sized', () => {
  const s = rawScenario('tiny');
  delete s.$schema;
  s.traffic.replayRequests = s.traffic.requests;
  const file = join(mkdtempSync(join(tmpdir(), 'crossab-plan-')), 'long.json');
  writeFileSync(file, JSON.stringify(s));
  const j = JSON.parse(crossab(['plan', file, '--json']).stdout);
  assert.equal(j.history_requests, 0);
  for (const d of j.domains) assert.equal(d.cuped_mde, d.mde);
  assert.match(crossab(['plan', file]).stdout, /no history precedes the pilot and CUPED cannot be sized here/);
  // tiny logs 4,000 requests and tests 1,500: the 2,500 before the pilot are CUPED's history.
  assert.equal(JSON.parse(crossab(['plan', scenarioPath('tiny'), '--json']).stdout).history_requests, 2500);
});
