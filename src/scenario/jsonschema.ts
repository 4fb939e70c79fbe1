// The scenario schema as JSON Schema, committed as scenarios/scenario.schema.json so editors validate
// scenario files; a test keeps the committed file current.
import { z } from 'zod';
import { ScenarioSchema } from './schema.js';

export function scenarioJsonSchema(): string {
  return JSON.stringify(z.toJSONSchema(ScenarioSchema, { io: 'input', unrepresentable: 'any' }), null, 2) + '\n';
}
