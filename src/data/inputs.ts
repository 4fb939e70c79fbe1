// A generated world as everything training and replay read: the encoded logged impressions, each
// user's history, the rows of each period and, on first use, the replay candidates. The main thread
// and every training worker build it the same way from the same world, so their numbers agree.
import { buildDataset, type Dataset } from './dataset.js';
import { buildCandidateDataset } from './candidates.js';
import { buildHistory, type History } from './history.js';
import type { Scenario } from '../scenario/schema.js';
import { generateWorld, type World } from '../world/world.js';
import { periodRows } from '../world/impressions.js';
import { sliceRequests, type Requests } from '../world/traffic.js';

export type CandidateDataset = ReturnType<typeof buildCandidateDataset>;

export interface TrainingInputs {
  world: World;
  ds: Dataset;
  history: History;
  split: { train: Int32Array; valid: Int32Array; test: Int32Array };
  /** Built on first use and kept: every arm scores the same candidates. */
  candidates?: CandidateDataset;
  testCandidates?: TestCandidates;
}

/**
 * The logged test period's requests with their whole candidate pools, as model inputs: every strategy
 * ranks them, so off-policy estimates from the logged slates can be held against each strategy's
 * true value on the same requests. Row k is candidate k of `requests`; `from` is the first request's
 * index among the logged requests.
 */
export type TestCandidates = CandidateDataset & { requests: Requests; experience: Int32Array; from: number };

/** The model inputs of a generated world. */
export function trainingInputs(world: World): TrainingInputs {
  const ds = buildDataset(world);
  const history = buildHistory(ds, world.users.count);
  const split = { train: periodRows(world.logged, 'train'), valid: periodRows(world.logged, 'valid'), test: periodRows(world.logged, 'test') };
  return { world, ds, history, split };
}

/** Generate the world of (scenario, seed) and encode it. */
export function modelInputs(scenario: Scenario, seed: number): TrainingInputs {
  return trainingInputs(generateWorld(scenario, seed));
}

export function candidatesOf(p: TrainingInputs): CandidateDataset {
  p.candidates ??= buildCandidateDataset(p.world, p.ds);
  return p.candidates;
}

export function testCandidatesOf(p: TrainingInputs): TestCandidates {
  if (!p.testCandidates) {
    const w = p.world;
    const { validEnd: from, testEnd: to } = w.timeline;
    const requests = sliceRequests(w.loggedRequests, from, to, w.truth.dim);
    const experience = w.loggedExperience.subarray(from, to);
    p.testCandidates = { ...buildCandidateDataset(w, p.ds, requests, experience), requests, experience, from };
  }
  return p.testCandidates;
}
