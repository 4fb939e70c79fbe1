// Tests that need what npm does not bring (Debian's Chromium, tmux and Slurm; tfjs-node's native
// binding, built by `npm run build:tfjs-node` where its download is impossible): on a machine without
// it they skip and say how to get it; where CROSSAB_REQUIRE_TOOLS=1 (.ci/run sets it) a missing tool
// fails them instead, so CI can never pass by skipping.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { root } from './scenarios.js';
import { quietTensorFlow } from '../../src/tf/backend.js';

export const CHROMIUM = process.env.CROSSAB_CHROMIUM ?? '/usr/bin/chromium';

type Tool = 'chromium' | 'tmux' | 'slurm' | 'tfjs-node';

const HOW: Record<Tool, string> = {
  chromium: 'sudo apt-get install chromium; .ci/run installs it',
  tmux: 'sudo apt-get install tmux; .ci/run installs it',
  slurm: 'bash .ci/slurm/start.sh installs and starts a one-node cluster; .ci/run does',
  'tfjs-node': 'npm run build:tfjs-node builds it; .ci/run does',
};

const seen = new Map<Tool, boolean>();

/** This process's environment with libtensorflow's start-up lines silenced as crossab silences them. */
function quiet(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  quietTensorFlow(env);
  return env;
}

function present(tool: Tool): boolean {
  if (tool === 'chromium') return existsSync(CHROMIUM);
  if (tool === 'tmux') return spawnSync('tmux', ['-V']).status === 0;
  // A cluster that answers, not just the commands: sinfo lists an idle or busy node.
  if (tool === 'slurm') return spawnSync('sinfo', ['--noheader', '--format=%t'], { encoding: 'utf8', timeout: 10_000 }).stdout?.trim().length > 0;
  // Loaded in a child: a binding that is missing or fails to load must not take this process down.
  return (
    spawnSync(process.execPath, ['-e', "require('@tensorflow/tfjs-node')"], {
      cwd: root,
      env: quiet(),
      timeout: 60_000,
    }).status === 0
  );
}

/** True when `tool` is there; otherwise skips the test (or fails it under CROSSAB_REQUIRE_TOOLS=1). */
export function hasTool(t: TestContext, tool: Tool): boolean {
  if (!seen.has(tool)) seen.set(tool, present(tool));
  if (seen.get(tool)) return true;
  const why = `${tool} is not available (${HOW[tool]})`;
  if (process.env.CROSSAB_REQUIRE_TOOLS === '1') assert.fail(why);
  t.skip(why);
  return false;
}
