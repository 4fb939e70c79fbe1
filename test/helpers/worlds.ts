// Scenario factories for the claims the tests check (conditions stated in each).
import { scenario } from './scenarios.js';
import type { Scenario } from '../../src/scenario/schema.js';

/**
 * Personal taste: users carry a strong idiosyncratic preference (learnable only from their own
 * history) and heavy users have long histories.
 */
export function personalTaste(idiosyncratic = 1.5, requests = 16000): Scenario {
  return scenario('tiny', (r) => {
    r.name = 'personal-taste';
    r.users = { count: 1200, activitySkew: 0.9, heavyShare: 0.1, coldStartShare: 0.15, idiosyncratic, drift: 0.1 };
    r.truth = { correlation: 0.8, interaction: 0.3, main: 0.8 };
    r.items = { count: 300, popularitySkew: 0.5 };
    // Frequent clicks: a user's recent impressions carry enough labels to learn their taste from.
    for (const d of r.domains) d.baseCtr = 0.3;
    r.traffic = { requests, replayRequests: 100, periods: { train: 0.6, valid: 0.1, test: 0.3 } };
    r.training = { ...r.training, epochs: 4, batchSize: 256, maml: { innerLr: 0.5, innerSteps: 5, support: 48, metaUsers: 32, metaWeight: 1 } };
    delete r.abtest;
  });
}
