// Which arms a run's A/B test has: the scenario's, the flags', or an A/A test of the control (from
// `--aa` or the scenario's `abtest.aa`), with one-line refusals for what cannot be a test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveArms } from '../../src/abtest/arms.js';
import { scenario } from '../helpers/scenarios.js';

test('arms come from the flags, else the scenario; an A/A test (flag or abtest.aa) is the control twice at equal shares', () => {
  const s = scenario('tiny');
  assert.deepEqual(
    resolveArms(s, [], {}).arms.map((a) => a.name),
    ['separate', 'shared-bottom'],
  );
  assert.deepEqual(
    resolveArms(s, [], { arms: ['mmoe', 'star'] }).arms.map((a) => [a.name, a.strategy]),
    [
      ['mmoe', 'mmoe'],
      ['star', 'star'],
    ],
  );
  const aa = resolveArms(s, [], { aa: true });
  assert.deepEqual(
    aa.arms.map((a) => [a.name, a.strategy, a.share]),
    [
      ['separate:A', 'separate', 0.5],
      ['separate:B', 'separate', 0.5],
    ],
  );
  const fromScenario = scenario('tiny', (r) => {
    r.abtest.aa = true;
    r.abtest.split = [0.7, 0.3];
  });
  assert.deepEqual(resolveArms(fromScenario, [], {}), aa, "the scenario's aa is the flag's, and ignores its split");
  // Arms named on the command line are an A/B test whatever the scenario says; --aa with them makes their first arm the control twice.
  assert.deepEqual(
    resolveArms(fromScenario, [], { arms: ['mmoe', 'star'] }).arms.map((a) => a.name),
    ['mmoe', 'star'],
  );
  assert.throws(() => resolveArms(s, [], { arms: ['mmoe', 'mmoe'] }), /listed twice/);
  assert.throws(() => resolveArms(s, [], { arms: ['mmoe', 'star'], control: 'separate' }), /control 'separate' is not one of the arms/);
});
