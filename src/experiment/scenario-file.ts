// A scenario file as the commands take it: valid by its schema, and naming only strategies this build
// trains (the schema cannot know the registry, which sits above it).
import { basename } from 'node:path';
import { checkScenarioStrategies } from '../models/registry.js';
import { loadScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';

export function loadScenarioFile(path: string): Scenario {
  const s = loadScenario(path);
  checkScenarioStrategies(s, basename(path));
  return s;
}
