import { test } from 'node:test';
import assert from 'node:assert/strict';
import { staticArm } from '../../src/abtest/feedback.js';
import { clusterArms, serveTest, switchbackSchedule, washedOut, type Participant } from '../../src/data/serve-test.js';
import { userHash } from '../../src/world/assign.js';
import { click, flat, grade, oracleAndNoisy, s, test2, w } from '../helpers/feedback-test.js';

const rq = w.replay!;

/** Static participants that record what they learn from: 'a' ranks by the truth, any other by its reverse. */
function spies() {
  const logs = new Map<string, number[]>();
  const spy = (name: string): Participant => {
    logs.set(name, []);
    return { ...staticArm(Float32Array.from(click, (c) => (name === 'a' ? c : -c))), learn: (served) => logs.get(name)!.push(...served.request) };
  };
  return { logs, spy };
}

test('pooled: both arms learn every served row; diverted: each learns only its own users\u2019 rows; every request is served by its user\u2019s arm', () => {
  const { logs, spy } = spies();
  const salt = 7;
  let pooledRows = 0;
  const treated = (r: number) => userHash(salt, rq.user[r]) < 0.5;
  for (const design of ['pooled', 'diverted'] as const) {
    const { treatment, control } = serveTest(w, test2('a', 'b'), design, salt, click, flat, spy);
    const a = logs.get('a')!;
    const b = logs.get('b')!;
    assert.ok(a.length > 0 && b.length > 0);
    if (design === 'pooled') {
      assert.deepEqual(a, b);
      pooledRows = a.length;
    } else {
      assert.ok(a.every(treated) && b.every((r) => !treated(r)), 'diverted logs stay in their arm');
      assert.equal(a.length + b.length, pooledRows, 'between them, every served row once');
    }
    // Every user is in exactly one arm, and all impressions are counted once.
    const slate = s.domains.map((d) => d.slate);
    let all = 0;
    for (let r = 0; r < rq.n; r++) all += slate[rq.domain[r]];
    assert.equal(treatment[0].sumY + control[0].sumY, all);
    // The oracle-ordered arm 'a' clicks more than the reversed arm 'b'.
    assert.ok(treatment[0].sumX / treatment[0].sumY > control[0].sumX / control[0].sumY);
  }
});

test('switchback schedule: per domain, round(split · periods) whole periods go to the treatment, on a schedule of its own per domain and salt; a washout covers the rounds right after a switch', () => {
  const R = 12;
  const schedules = [1, 2, 3, 4, 5].map((salt) => switchbackSchedule(salt, 3, R, 3, 0.5));
  for (const sch of schedules)
    for (let d = 0; d < 3; d++) {
      const rounds = [...sch.subarray(d * R, (d + 1) * R)];
      assert.equal(
        rounds.reduce((a, b) => a + b, 0),
        6,
        'two of four periods of three rounds',
      );
      for (let k = 0; k < 4; k++) assert.equal(new Set(rounds.slice(3 * k, 3 * k + 3)).size, 1, 'a period is served by one arm');
    }
  assert.ok(new Set(schedules.map((s) => s.join(''))).size > 1, 'salts differ');
  assert.ok(
    schedules.some((s) => s.subarray(0, R).join('') !== s.subarray(R, 2 * R).join('')),
    'domains differ',
  );
  const sch = Uint8Array.from([0, 0, 1, 1, 1, 0]);
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((t) => washedOut(sch, 0, t, 6, 2)),
    [false, false, true, true, false, true],
  );
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((t) => washedOut(sch, 0, t, 6, 0)),
    [false, false, false, false, false, false],
  );
});

test('switchback serving: each domain-round is served by its scheduled arm, which alone learns from it; washed-out rounds are served but not counted; with static arms the estimate centres on the global lift', () => {
  const t = { ...test2('a', 'b', 8), designs: ['switchback' as const], period: 2, washout: 1 };
  const { logs, spy } = spies();
  const salt = 3;
  const { treatment, control } = serveTest(w, t, 'switchback', salt, click, flat, spy);
  const sch = switchbackSchedule(salt, 3, 8, 2, 0.5);
  // Round k holds requests floor(k·n/8) … floor((k+1)·n/8) − 1, as serveInRounds slices them.
  const round = (r: number) => {
    let k = 0;
    while (Math.floor(((k + 1) * rq.n) / 8) <= r) k++;
    return k;
  };
  assert.ok(logs.get('a')!.length > 0 && logs.get('a')!.every((r) => sch[rq.domain[r] * 8 + round(r)] === 1));
  assert.ok(logs.get('b')!.length > 0 && logs.get('b')!.every((r) => sch[rq.domain[r] * 8 + round(r)] === 0));
  let counted = 0;
  for (let r = 0; r < rq.n; r++) if (!washedOut(sch, rq.domain[r], round(r), 8, 1)) counted += s.domains[rq.domain[r]].slate;
  assert.equal(treatment[0].sumY + control[0].sumY, counted);
  // Units are domain-rounds: 'all' has one per counted domain-round.
  assert.equal(treatment[0].users + control[0].users, treatment.slice(1).reduce((a, c) => a + c.users, 0) + control.slice(1).reduce((a, c) => a + c.users, 0));
  const { rounds, make } = oracleAndNoisy(8);
  const [g] = grade({ ...t, treatment: 'oracle', control: 'noisy' }, rounds, { salt: 1, assignments: 20, alpha: 0.05, click, bias: flat, make });
  assert.equal(g.domain, 'all');
  assert.ok(Math.abs(g.bias) < 3 * (g.sd / Math.sqrt(g.assignments)), `bias ${g.bias} against sd ${g.sd}`);
  assert.ok(g.coverage >= 0.7, `coverage ${g.coverage}`);
});

test('per-domain: each domain splits its users on a hash of its own, so a user’s arms on two domains are independent; each request is served by its (user, domain) arm; both arms learn the pooled log; each cell is a unit', () => {
  const { logs, spy } = spies();
  const salt = 5;
  const D = s.domains.length;
  const { treatment, control } = serveTest(w, { ...test2('a', 'b'), designs: ['per-domain'] }, 'per-domain', salt, click, flat, spy);
  assert.ok(logs.get('a')!.length > 0);
  assert.deepEqual(logs.get('a'), logs.get('b'), 'both arms learn everything served');
  const treatedCell = (u: number, d: number) => userHash(salt ^ 0x27d4eb2f, u * D + d) < 0.5;
  const want = Array.from({ length: D }, () => [0, 0]);
  const cells = new Map<number, Set<number>>();
  for (let r = 0; r < rq.n; r++) {
    const [u, d] = [rq.user[r], rq.domain[r]];
    want[d][treatedCell(u, d) ? 0 : 1] += s.domains[d].slate;
    cells.set(u * D + d, new Set());
  }
  for (let d = 0; d < D; d++) {
    assert.deepEqual([treatment[d + 1].sumY, control[d + 1].sumY], want[d], `domain ${d}: impressions by the cell's arm`);
    // The oracle-ordered arm 'a' clicks more than the reversed arm 'b' on every domain.
    assert.ok(treatment[d + 1].sumX / treatment[d + 1].sumY > control[d + 1].sumX / control[d + 1].sumY);
  }
  // 'all' has one unit per (user, domain) cell that was served.
  assert.equal(treatment[0].users + control[0].users, cells.size);
  // Users seen on two or more domains: about half have different arms on two of them (independent halves).
  const byUser = new Map<number, boolean[]>();
  for (const key of cells.keys()) byUser.set(Math.floor(key / D), [...(byUser.get(Math.floor(key / D)) ?? []), treatedCell(Math.floor(key / D), key % D)]);
  const multi = [...byUser.values()].filter((a) => a.length > 1);
  const mixed = multi.filter((a) => new Set(a).size > 1).length / multi.length;
  assert.ok(multi.length > 100 && mixed > 0.4 && mixed < 0.9, `${multi.length} users on several domains, ${mixed} of them in both arms`);
});

test('cluster arms: exactly round(split · clusters) of the values 1..clusters in the treatment, a different choice per salt; value 0 is no cluster', () => {
  const arms = [1, 2, 3, 4, 5, 6].map((salt) => clusterArms(salt, 20, 0.3));
  for (const a of arms) {
    assert.equal(a.length, 21);
    assert.equal(a[0], 0);
    assert.equal(
      a.reduce((x, y) => x + y, 0),
      6,
    );
  }
  assert.ok(new Set(arms.map((a) => a.join(''))).size > 4, 'salts choose different clusters');
  assert.equal(
    clusterArms(1, 3, 0.5).reduce((x, y) => x + y, 0),
    2,
    'round(1.5) = 2',
  );
});

test('cluster serving: every user of a value is in its cluster’s arm on every domain; both arms learn the pooled log; a cluster is one unit', () => {
  const { logs, spy } = spies();
  const salt = 4;
  const t = { ...test2('a', 'b'), designs: ['cluster' as const], clusterBy: 'user_region' };
  const { treatment, control } = serveTest(w, t, 'cluster', salt, click, flat, spy);
  assert.ok(logs.get('a')!.length > 0);
  assert.deepEqual(logs.get('a'), logs.get('b'), 'both arms learn everything served');
  const region = w.users.cat[w.layout.categorical.findIndex((f) => f.name === 'user_region')]!;
  const arms = clusterArms(salt, 20, 0.5);
  const D = s.domains.length;
  const want = Array.from({ length: D + 1 }, () => [0, 0]);
  const clusters = [new Set<number>(), new Set<number>()];
  for (let r = 0; r < rq.n; r++) {
    const g = region[rq.user[r]];
    const side = arms[g] ? 0 : 1;
    want[rq.domain[r] + 1][side] += s.domains[rq.domain[r]].slate;
    want[0][side] += s.domains[rq.domain[r]].slate;
    clusters[side].add(g);
  }
  assert.deepEqual(
    treatment.map((c, d) => [c.sumY, control[d].sumY]),
    want,
  );
  assert.deepEqual([treatment[0].users, control[0].users], [clusters[0].size, clusters[1].size]);
});
