import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../src/scenario/load.js';
import { armModel, crossFieldRules } from '../../src/scenario/rules.js';
import { ScenarioFields } from '../../src/scenario/blocks.js';
import { rawScenario, refusal, scenario } from '../helpers/scenarios.js';

test('fields that disagree with each other are refused at the field to change', () => {
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
});

test('each block has its rules: one error per block is reported once, at its own path, and a valid scenario has none', () => {
  const issues = (patch: (r: Record<string, any>) => void) => {
    const raw = rawScenario('tiny');
    patch(raw);
    const found: string[] = [];
    crossFieldRules(ScenarioFields.parse(raw), (path, message) => found.push(`${path.join('.')}: ${message}`));
    return found;
  };
  assert.deepEqual(
    issues(() => {}),
    [],
  );
  const found = issues((r) => {
    r.features.push({ ...r.features[0] });
    r.domains[2].slate = 9;
    r.truth = { fitted: { domains: { nowhere: { items: [0], positions: [0] } } } };
    r.training.lossWeights = { domains: { nowhere: 1 } };
    r.traffic.testFloor = 1_000_000;
    r.dynamics = { similarBy: 'hour' };
    r.abtest.split = [0.5];
    r.expectations = [{ metric: 'auc', domain: 'head', atLeast: 0.5 }];
  });
  assert.deepEqual(
    found.map((f) => f.slice(0, f.indexOf(':'))),
    [
      'features.6.name',
      'domains.2.slate',
      'truth.fitted.domains.nowhere',
      'training.lossWeights.domains.nowhere',
      'traffic.testFloor',
      'dynamics.similarBy',
      'abtest.split',
      'expectations.0.strategy',
    ],
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

/** A feedback block with a test between two learners, with the test's fields given. */
const clustered = (test: Record<string, unknown>) => ({
  learners: { a: { kind: 'popular' }, b: { kind: 'thompson' } },
  test: { treatment: 'a', control: 'b', ...test },
});

test('a world that moves: dynamics, feedback, explore arms, the test floor and their expectations are checked at load', () => {
  const cases: [(r: Record<string, any>) => void, RegExp][] = [
    [(r) => (r.dynamics = { similarBy: 'user_age', fatigue: 1 }), /dynamics\.similarBy: 'user_age' is not a categorical item feature/],
    [(r) => (r.dynamics = { retention: { leave: 1.5 } }), /dynamics\.retention\.leave/],
    [(r) => (r.feedback = { userState: { similarBy: 'hour', fatigue: 1 } }), /feedback\.userState\.similarBy: 'hour' is not a categorical item feature/],
    [(r) => (r.feedback = { userState: { fatigue: 0 } }), /feedback\.userState\.fatigue/],
    [
      (r) => (r.expectations = [{ metric: 'gate_entropy', domain: 'head', atLeast: 0.5 }]),
      /expectations\[0\]\.strategy: metric 'gate_entropy' is judged per strategy \(a mixture model\): name one/,
    ],
    [
      (r) => (r.expectations = [{ metric: 'expert_dead_share', strategy: 'mmoe', domain: 'head', segment: 'heavy', atMost: 0.5 }]),
      /expectations\[0\]\.segment: 'expert_dead_share' is kept per domain, not per user segment/,
    ],
    [
      (r) => (r.feedback = { itemState: { decay: 1, by: 'hour' } }),
      /feedback\.itemState\.by: 'hour' is not a categorical user feature: markets are the values of one/,
    ],
    [
      (r) => (r.feedback = clustered({ designs: ['cluster'] })),
      /feedback\.test\.clusterBy: the 'cluster' design needs the user feature whose values are the clusters/,
    ],
    [(r) => (r.feedback = clustered({ clusterBy: 'user_age' })), /feedback\.test\.clusterBy: is read only by the 'cluster' design/],
    [
      (r) => (r.feedback = clustered({ designs: ['cluster'], clusterBy: 'item_category' })),
      /feedback\.test\.clusterBy: 'item_category' is not a categorical user feature/,
    ],
    [
      (r) => (r.feedback = clustered({ designs: ['cluster'], clusterBy: 'user_age', split: 0.05 })),
      /feedback\.test\.split: the 'cluster' design needs a cluster in each arm: 6 clusters of 'user_age' at split 0.05 put 0 in the treatment/,
    ],
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
      (r) => (r.feedback = { learners: { p: { kind: 'popular' } }, test: { treatment: 'p', control: 'q' } }),
      /feedback\.test\.control: 'q' is not a learner of the feedback block or an A\/B arm \(p, separate, shared-bottom\)/,
    ],
    [(r) => (r.feedback = { learners: { p: { kind: 'popular' } }, test: { treatment: 'p', control: 'p' } }), /feedback\.test\.control: is the treatment too/],
    [
      (r) => (r.feedback = { arms: 'retrain', learners: { p: { kind: 'popular' } }, test: { treatment: 'p', control: 'separate' } }),
      /feedback\.test\.control: with arms 'retrain', a test is between two learners or two retrained arms \(a trained strategy's own arm or an explore arm over one\): 'p' and 'separate' are not/,
    ],
    [
      (r) => {
        r.abtest = { arms: ['separate', 'random'], control: 'separate', policies: { random: { kind: 'uniform' } } };
        r.feedback = { arms: 'retrain', test: { treatment: 'random', control: 'separate' } };
      },
      /with arms 'retrain', a test is between two learners or two retrained arms .*: 'random' and 'separate' are not/,
    ],
    [
      (r) => (r.feedback = { test: { treatment: 'separate', control: 'shared-bottom', designs: ['pooled', 'pooled'] } }),
      /feedback\.test\.designs: lists a design twice/,
    ],
    [
      (r) => (r.feedback = { rounds: 4, test: { treatment: 'separate', control: 'shared-bottom', designs: ['switchback'], period: 4, washout: 0 } }),
      /feedback\.test\.period: switchback needs a period for each arm in every domain: 4 rounds make 1 period\(s\) of 4, 1 of them the treatment's/,
    ],
    [
      (r) => (r.feedback = { rounds: 8, test: { treatment: 'separate', control: 'shared-bottom', designs: ['switchback'], period: 2, washout: 2 } }),
      /feedback\.test\.washout: a washout of 2 round\(s\) discards every 2-round period after a switch: make it shorter than the period/,
    ],
    [
      (r) => (r.expectations = [{ metric: 'interference_bias', design: 'pooled', domain: 'all', atMost: 0 }]),
      /'interference_bias' needs a feedback block with a test/,
    ],
    [
      (r) => {
        r.feedback = { test: { treatment: 'shared-bottom', control: 'separate', designs: ['pooled'] } };
        r.expectations = [{ metric: 'interference_bias', design: 'diverted', domain: 'head', atMost: 0 }];
      },
      /expectations\[0\]\.design: 'diverted' is not a design of feedback\.test \(pooled\)/,
    ],
    [
      (r) => {
        r.feedback = { test: { treatment: 'shared-bottom', control: 'separate' } };
        r.expectations = [{ metric: 'interference_rmse', domain: 'all', atMost: 0 }];
      },
      /expectations\[0\]\.design: 'interference_rmse' is judged per design: name one of pooled, diverted/,
    ],
    [
      (r) => {
        r.feedback = { test: { treatment: 'shared-bottom', control: 'separate' } };
        r.expectations = [{ metric: 'interference_global_lift', design: 'pooled', vs: 'diverted', arm: 'separate', domain: 'all', atLeast: 0 }];
      },
      /expectations\[0\]\.vs: the global lift is the same for every design \(and 1 more\)/,
    ],
    [
      (r) => (r.expectations = [{ metric: 'ab_ctr', arm: 'separate', design: 'pooled', domain: 'all', atLeast: 0 }]),
      /design: only interference metrics take a design/,
    ],
    [
      (r) => (r.expectations = [{ metric: 'ab_clicks_per_user_lift', arm: 'shared-bottom', domain: 'all', atMost: 0 }]),
      /'ab_clicks_per_user_lift' reads the long-term readout, which needs a dynamics block/,
    ],
  ];
  for (const [patch, want] of cases) assert.match(refusal(patch), want);
});

test('armModel: an arm serves from its own model, an explore policy from its strategy, any other policy from none', () => {
  const s = scenario('tiny', (r) => {
    r.abtest = {
      arms: ['separate', 'wide', 'random'],
      control: 'separate',
      policies: { wide: { kind: 'explore', strategy: 'shared-bottom', temperature: 0.5 }, random: { kind: 'uniform' } },
    };
  });
  assert.deepEqual(
    ['separate', 'wide', 'random'].map((a) => armModel(s, a)),
    ['separate', 'shared-bottom', null],
  );
});
