// Tests that need a program npm does not bring (Debian's Chromium, tmux): on a machine without it
// they skip and say how to install it; where CROSSAB_REQUIRE_TOOLS=1 (.ci/run sets it) a missing
// program fails them instead, so CI can never pass by skipping.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';

export const CHROMIUM = process.env.CROSSAB_CHROMIUM ?? '/usr/bin/chromium';

function present(tool: 'chromium' | 'tmux'): boolean {
  return tool === 'chromium' ? existsSync(CHROMIUM) : spawnSync('tmux', ['-V']).status === 0;
}

/** True when `tool` is installed; otherwise skips the test (or fails it under CROSSAB_REQUIRE_TOOLS=1). */
export function hasTool(t: TestContext, tool: 'chromium' | 'tmux'): boolean {
  if (present(tool)) return true;
  const why = `${tool} is not installed (sudo apt-get install ${tool}; .ci/run installs it)`;
  if (process.env.CROSSAB_REQUIRE_TOOLS === '1') assert.fail(why);
  t.skip(why);
  return false;
}
