// The experiment's timed steps: a stage's events, and the reward model the Direct Method uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rewardModelOf, stage } from '../../src/experiment/steps.js';
import type { OfflineResults } from '../../src/train/parallel.js';
import type { ProgressEvent } from '../../src/util/events.js';
import { scenario } from '../helpers/scenarios.js';

test('stage: a start and an end event around the step, the end with its seconds', async () => {
  const events: ProgressEvent[] = [];
  const out = await stage(
    'train',
    (e) => events.push(e),
    async () => 42,
    'detail',
  );
  assert.equal(out, 42);
  assert.deepEqual(
    events.map((e) => [e.type, (e as { status: string }).status, (e as { detail?: string }).detail]),
    [
      ['stage', 'start', 'detail'],
      ['stage', 'end', 'detail'],
    ],
  );
  assert.ok((events[1] as { seconds: number }).seconds >= 0);
});

test("the Direct Method's reward model: the scenario's choice, else the trained strategy of least log loss (not of best AUC)", () => {
  const off = {
    trained: [{ strategy: 'a' }, { strategy: 'b' }, { strategy: 'c' }],
    strategies: { a: { logloss: 0.3, auc: 0.8 }, b: { logloss: 0.2, auc: 0.7 }, c: { logloss: 0.25, auc: 0.9 } },
  } as unknown as OfflineResults;
  assert.equal(rewardModelOf(scenario('tiny'), off), 'b');
  assert.equal(
    rewardModelOf(
      scenario('tiny', (r) => {
        r.ope = { ...r.ope, rewardModel: 'c' };
      }),
      off,
    ),
    'c',
  );
});
