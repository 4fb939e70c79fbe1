// The scenario file: one JSON document that fully determines a world, its training and its A/B test.
// Its fields (with their ranges, defaults and meanings) are declared block by block in blocks.ts;
// the rules that relate them are refinements (rules.ts), so that errors carry the offending field's path.
import type { DecisionRules, Expectation, PolicyArm } from './blocks.js';
import { ScenarioFields } from './blocks.js';
import { crossFieldRules } from './rules.js';
import type { z } from 'zod';

export const ScenarioSchema = ScenarioFields.superRefine((s, ctx) => crossFieldRules(s, (path, message) => ctx.addIssue({ code: 'custom', path, message })));

export type Scenario = z.infer<typeof ScenarioSchema>;
export type TrainingConfig = Scenario['training'];
export type { DecisionRules, Expectation, PolicyArm };
