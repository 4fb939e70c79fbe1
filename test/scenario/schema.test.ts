import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, ScenarioError } from '../../src/scenario/load.js';
import { rawScenario } from '../helpers/scenarios.js';

function refusal(patch: (r: Record<string, any>) => void): string {
  const raw = rawScenario('tiny');
  patch(raw);
  try {
    parseScenario(raw, 'tiny.json');
  } catch (e) {
    assert.ok(e instanceof ScenarioError, String(e));
    assert.ok(!e.message.includes('\n'), 'one line');
    return e.message;
  }
  assert.fail('scenario was accepted');
}

test('the shipped scenarios validate', () => {
  for (const name of ['tiny', 'default']) assert.equal(parseScenario(rawScenario(name), name).name, name);
});

test('bad scenarios are refused with the field path and the problem', () => {
  assert.match(
    refusal((r) => {
      r.colour = 'red';
    }),
    /^tiny\.json: \(top level\): unknown key 'colour'/,
  );
  assert.match(
    refusal((r) => {
      r.users.count = -5;
    }),
    /users\.count: .*>=\s*10/,
  );
  assert.match(
    refusal((r) => {
      r.users.count = 'many';
    }),
    /users\.count: .*expected number/i,
  );
  assert.match(
    refusal((r) => {
      r.domains[0].share = 0.7;
    }),
    /domains: domain shares sum to 1\.1, not 1/,
  );
  assert.match(
    refusal((r) => {
      r.domains[1].features.push('colour');
    }),
    /domains\[1\]\.features\[4\]: feature 'colour' is not declared/,
  );
  assert.match(
    refusal((r) => {
      r.domains[0].slate = 50;
    }),
    /domains\[0\]\.slate: slate \(50\) exceeds candidates \(12\)/,
  );
  assert.match(
    refusal((r) => {
      r.features[0].vocab = undefined;
    }),
    /features\[0\]\.vocab: categorical features need a vocab size/,
  );
  assert.match(
    refusal((r) => {
      r.abtest.control = 'mmoe';
    }),
    /abtest\.control: control 'mmoe' is not one of the arms/,
  );
  assert.match(
    refusal((r) => {
      r.traffic.periods = { train: 0.7, valid: 0.1, test: 0.5 };
    }),
    /traffic\.periods: train \+ valid \+ test must sum to 1/,
  );
  assert.match(
    refusal((r) => {
      r.domains[0].extra = 1;
    }),
    /domains\[0\]: unknown key 'extra'/,
  );
});

test('policy arms: a policy needs probabilities for every domain, one per catalogue item, and may not share a strategy name', () => {
  const s = rawScenario('tiny');
  s.abtest = { arms: ['separate', 'random'], control: 'random', policies: { random: { kind: 'uniform' } } };
  assert.equal(parseScenario(s).abtest?.policies?.random.kind, 'uniform');
  s.abtest.policies = { random: { kind: 'table', domains: { head: { probabilities: [[1]] } } } };
  assert.throws(() => parseScenario(s), /abtest\.policies\.random\.domains\.head: gives 1 items for a catalogue of 180/);
  s.abtest.policies = { random: { kind: 'uniform' } };
  s.strategies = ['separate', 'random'];
  assert.throws(() => parseScenario(s), /'random' is also a strategy to train/);
});

test('a world that moves: dynamics, feedback, explore arms, the test floor and their expectations are checked at load', () => {
  const cases: [(r: Record<string, any>) => void, RegExp][] = [
    [(r) => (r.dynamics = { similarBy: 'user_age', fatigue: 1 }), /dynamics\.similarBy: 'user_age' is not a categorical item feature/],
    [(r) => (r.dynamics = { retention: { leave: 1.5 } }), /dynamics\.retention\.leave/],
    [(r) => (r.traffic.testFloor = 100_000), /traffic\.testFloor: 100000 test impressions per domain need \d+ test requests; the test period has 800/],
    [
      (r) => {
        r.abtest = {
          arms: ['separate', 'x'],
          control: 'separate',
          policies: { x: { kind: 'explore', strategy: 'y', temperature: 1 }, y: { kind: 'uniform' } },
        };
      },
      /abtest\.policies\.x\.strategy: 'y' is a policy/,
    ],
    [(r) => (r.expectations = [{ metric: 'feedback_gini', participant: 'p', domain: 'head', atLeast: 0 }]), /'feedback_gini' needs a feedback block/],
    [
      (r) => {
        r.feedback = { learners: { p: { kind: 'popular' } } };
        r.expectations = [{ metric: 'feedback_gini', participant: 'q', domain: 'head', atLeast: 0 }];
      },
      /expectations\[0\]\.participant: 'q' takes no part in the feedback loops/,
    ],
    [
      (r) => {
        r.feedback = { learners: { p: { kind: 'popular' } } };
        r.expectations = [{ metric: 'feedback_gini', participant: 'p', domain: 'all', atLeast: 0 }];
      },
      /'feedback_gini' is kept per domain/,
    ],
    [
      (r) => (r.expectations = [{ metric: 'ab_clicks_per_user_lift', arm: 'shared-bottom', domain: 'all', atMost: 0 }]),
      /'ab_clicks_per_user_lift' reads the long-term readout, which needs a dynamics block/,
    ],
  ];
  for (const [patch, want] of cases) assert.match(refusal(patch), want);
});
