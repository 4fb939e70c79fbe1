import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RELEASE, VERSION } from '../../src/util/version.js';
import { root } from '../helpers/scenarios.js';

test("VERSION is package.json's release and a hash of the compiled code, so a changed build never reuses a run", () => {
  assert.equal(RELEASE, JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  assert.match(VERSION, new RegExp(`^${RELEASE.replace(/\./g, '\\.')}\\+[0-9a-f]{10}$`));
});
