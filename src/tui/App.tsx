// The terminal app: pick a scenario, choose seed and strategies, run with live progress. Keys:
// arrows and enter to choose, space to toggle a strategy, q to quit; Ctrl-C cancels a run cleanly.
import type React from 'react';
import { useEffect, useReducer, useRef, useState } from 'react';
import { Box, Text, useApp, useInput } from 'ink';
import { MultiSelect, Select, TextInput } from '@inkjs/ui';
import type { Scenario } from '../scenario/schema.js';
import type { ProgressEvent } from '../util/events.js';
import { printable } from '../util/terminal.js';
import { STRATEGIES } from '../models/registry.js';
import { resolveStrategies } from '../experiment/plan.js';
import { initialState, reduce } from './state.js';
import { Dashboard } from './Dashboard.js';

export interface ScenarioChoice {
  path: string;
  scenario: Scenario | null;
  error: string | null;
}

export interface AppProps {
  scenarios: ScenarioChoice[];
  /** The terminal's size, so lists show as many rows as fit and labels are cut to its width (default 100 × 50). */
  columns?: number;
  rows?: number;
  /** Starts the run; resolves when it ends. The app only renders its events. */
  start(choice: { scenario: Scenario; seed: number; strategies: string[] }, onEvent: (e: ProgressEvent) => void): Promise<void>;
  /** Called on Ctrl-C during a run: cancels it and resolves when the store is consistent. */
  cancel(): Promise<void>;
}

type Screen = 'pick' | 'seed' | 'strategies' | 'running';

/** A label cut to `width` columns, with an ellipsis where it was cut. */
export const clip = (text: string, width: number): string => (text.length <= width ? text : `${text.slice(0, Math.max(1, width - 1))}…`);

/** The A/B arms a run of this scenario replays, and its control: the abtest block's, else the first two strategies chosen. */
export function armsOf(s: Scenario, chosen: string[]): { arms: string[]; control: string | null } {
  if (s.abtest) return { arms: s.abtest.arms, control: s.abtest.control };
  return { arms: chosen.slice(0, 2), control: chosen[0] ?? null };
}

export function App({ scenarios, start, cancel, columns = 100, rows = 50 }: AppProps): React.ReactElement {
  // Room for a list: the terminal's rows less the heading, the count line, an error line and the margin.
  const listRows = Math.max(3, rows - 6);
  const labelWidth = Math.max(20, columns - 4);
  const { exit } = useApp();
  const [screen, setScreen] = useState<Screen>('pick');
  const [choice, setChoice] = useState<ScenarioChoice | null>(null);
  const [seed, setSeed] = useState<number>(1);
  const [strategies, setStrategies] = useState<string[]>([]);
  const [state, dispatch] = useReducer(reduce, initialState([]));
  const [error, setError] = useState<string | null>(null);
  const [finished, setFinished] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [hint, setHint] = useState<string | null>(null);
  const cancelStarted = useRef(false);

  useInput((input, key) => {
    if (key.ctrl && input === 'c') {
      if (screen === 'running' && !finished) {
        if (cancelStarted.current) return;
        cancelStarted.current = true;
        setCancelling(true);
        void cancel().finally(() => exit());
      } else exit();
    } else if (input === 'q') {
      if (screen === 'running' && !finished) setHint('a run is in progress: Ctrl-C cancels it (the run is stored as cancelled)');
      else if (screen === 'pick' || finished) exit();
    }
  });

  // The run starts once, when the screen turns to 'running'; the choices are fixed by then.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a re-render must not start a second run
  useEffect(() => {
    if (screen !== 'running' || !choice?.scenario) return;
    start({ scenario: choice.scenario, seed, strategies }, dispatch).then(
      () => setFinished(true),
      (e: Error) => {
        setError(e.message);
        setFinished(true);
      },
    );
  }, [screen]);

  if (screen === 'pick') {
    return (
      <Box flexDirection="column">
        <Text bold>crossab — pick a scenario (↑↓, enter; q quits)</Text>
        {scenarios.length > listRows && (
          <Text color="gray">
            {scenarios.length} scenarios, {listRows} shown at a time: ↑↓ scrolls
          </Text>
        )}
        <Select
          visibleOptionCount={Math.min(scenarios.length, listRows)}
          options={scenarios.map((s, k) => ({
            label: clip(printable(s.scenario ? `${s.scenario.name}  ${s.scenario.description ?? ''}` : `${s.path} (invalid: ${s.error})`), labelWidth),
            value: String(k),
          }))}
          onChange={(v) => {
            const c = scenarios[Number(v)];
            if (!c.scenario) return setError(c.error);
            setChoice(c);
            setSeed(c.scenario.seed);
            setScreen('seed');
          }}
        />
        {error && <Text color="red">{printable(error)}</Text>}
      </Box>
    );
  }
  if (screen === 'seed') {
    return (
      <Box flexDirection="column">
        <Text bold>
          {printable(choice!.scenario!.name)}: seed (enter keeps {seed})
        </Text>
        <TextInput
          placeholder={String(seed)}
          onSubmit={(v) => {
            const t = v.trim();
            if (t && !/^\d+$/.test(t)) return setError(`seed must be a whole number, got '${t}'`);
            if (t) setSeed(Number(t));
            setError(null);
            setScreen('strategies');
          }}
        />
        {error && <Text color="red">{printable(error)}</Text>}
      </Box>
    );
  }
  if (screen === 'strategies') {
    const s = choice!.scenario!;
    // The same list `crossab run` trains for this scenario.
    const defaults = resolveStrategies(s);
    const { arms, control } = armsOf(s, defaults);
    const role = (name: string) => (name === control ? ' [control]' : arms.includes(name) ? ' [A/B arm]' : '');
    return (
      <Box flexDirection="column">
        <Text bold>strategies to train (space toggles, enter starts)</Text>
        <Text color="gray">
          {STRATEGIES.length} strategies, {defaults.length} chosen{STRATEGIES.length > listRows ? `, ${listRows} shown at a time: ↑↓ scrolls` : ''}
        </Text>
        <Text color="gray">{s.abtest ? `the A/B test replays ${arms.join(', ')}` : 'the first two chosen are the A/B test (the first its control)'}</Text>
        <MultiSelect
          visibleOptionCount={Math.min(STRATEGIES.length, listRows)}
          options={STRATEGIES.map((x) => ({ label: clip(`${x.name}${role(x.name)} — ${x.summary}`, labelWidth), value: x.name }))}
          defaultValue={defaults}
          onSubmit={(v) => {
            if (v.length === 0) return setError('choose at least one strategy');
            // The scenario's arms always train: deselecting one would be ignored, so it is refused instead.
            const missing = s.abtest ? s.abtest.arms.filter((a) => !v.includes(a)) : [];
            if (missing.length) return setError(`${missing.join(', ')}: an A/B arm of this scenario trains whatever is chosen; keep it selected`);
            setStrategies(v);
            setScreen('running');
          }}
        />
        {error && <Text color="red">{printable(error)}</Text>}
      </Box>
    );
  }
  return (
    <Box flexDirection="column">
      <Text bold>
        crossab · {printable(choice!.scenario!.name)} · seed {seed}
      </Text>
      <Dashboard state={state} domains={choice!.scenario!.domains.map((d) => printable(d.name))} columns={columns} />
      {cancelling ? (
        <Text color="yellow">cancelling… stopping the training workers and marking the run cancelled</Text>
      ) : (
        hint && !finished && <Text color="yellow">{hint}</Text>
      )}
      {error && !cancelling && <Text color="red">✘ {printable(error)}</Text>}
      {finished && error && <Text color="gray">press q to quit</Text>}
    </Box>
  );
}
