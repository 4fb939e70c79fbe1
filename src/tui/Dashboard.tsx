// The live view of a run: stages, per-strategy training progress, offline AUC as it arrives, and at
// the end the decisions as a table, one row per domain.
import type React from 'react';
import { Box, Text } from 'ink';
import { ProgressBar, Spinner } from '@inkjs/ui';
import { printable } from '../util/terminal.js';
import { STAGES, progressOf, type DashboardState, type StrategyProgress } from './state.js';

const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '  –   ');
const eta = (s: number) => (Number.isFinite(s) && s > 0 ? `${Math.round(s)}s` : '');

/**
 * A strategy's progress, and once done what it kept: the restored best epoch, not the last one run
 * (a per-domain strategy's models each keep their own, listed under its row).
 */
function rowText(p: StrategyProgress): string {
  if (p.status === 'waiting') return 'waiting';
  if (p.status === 'training') return `epoch ${p.epoch}/${p.epochs || '?'}  loss ${f4(p.loss)}  val AUC ${f4(p.validAuc)}  ETA ${eta(p.etaSeconds)}`;
  const time = `${p.seconds.toFixed(1)}s`;
  if (p.kept.length > 1) return `kept per domain (${p.kept.length} models)  ${time}`;
  const k = p.kept[0];
  return k ? `kept epoch ${k.epoch}/${k.ran}  val AUC ${f4(k.validAuc)}  ${time}` : `epoch ${p.epoch}/${p.epochs || '?'}  val AUC ${f4(p.validAuc)}  ${time}`;
}

/** The summary's wide layout when it fits beside the two-column margin, else its narrow one. */
function summaryFor(done: { summary: string[]; narrowSummary?: string[] }, columns: number): string[] {
  const fits = done.summary.every((l) => l.length + 2 <= columns);
  return fits || !done.narrowSummary ? done.summary : done.narrowSummary;
}

export function Dashboard({ state, domains, columns = 100 }: { state: DashboardState; domains: string[]; columns?: number }): React.ReactElement {
  // A strategy's row is its name (20), the bar and ~46 columns of epoch, loss, AUC and time: the bar
  // takes what is left, so a row never wraps into stray bar pieces on an 80-column terminal.
  const bar = Math.max(8, Math.min(30, columns - 70));
  return (
    <Box flexDirection="column">
      <Box gap={2}>
        {STAGES.map((s) => {
          const st = state.stages[s];
          return (
            <Box key={s} gap={1}>
              {st.status === 'running' ? <Spinner /> : <Text color={st.status === 'done' ? 'green' : 'gray'}>{st.status === 'done' ? '✔' : '·'}</Text>}
              <Text color={st.status === 'pending' ? 'gray' : undefined}>{s}</Text>
            </Box>
          );
        })}
      </Box>
      <Text color="gray">
        backend {state.backend ?? '…'}
        {state.runId ? `  run ${state.runId}` : ''}
      </Text>
      <Box flexDirection="column" marginTop={1}>
        {state.strategies.map((p) => (
          <Box key={p.name} flexDirection="column">
            <Box gap={1}>
              <Box width={20}>
                <Text bold={p.status === 'training'}>{p.name}</Text>
              </Box>
              <Box width={bar}>
                <ProgressBar value={Math.round(100 * progressOf(p))} />
              </Box>
              <Text>{rowText(p)}</Text>
            </Box>
            {p.status === 'done' &&
              p.kept.length > 1 &&
              p.kept.map((k) => (
                <Text
                  key={k.domain}
                  color="gray"
                >{`${' '.repeat(21)}${(k.domain ?? '').slice(0, 12).padEnd(12)} kept epoch ${k.epoch}/${k.ran}  val AUC ${f4(k.validAuc)}`}</Text>
              ))}
          </Box>
        ))}
      </Box>
      {Object.keys(state.offline).length > 0 && (
        <Box flexDirection="column" marginTop={1}>
          <Text bold>
            {'test AUC'.padEnd(20)}
            {[...domains, 'overall'].map((d) => d.slice(0, 10).padStart(11)).join('')}
          </Text>
          {Object.entries(state.offline).map(([name, auc]) => (
            <Text key={name}>
              {name.padEnd(20)}
              {[...domains, 'overall'].map((d) => f4(auc[d]).padStart(11)).join('')}
            </Text>
          ))}
        </Box>
      )}
      {state.done && (
        <Box flexDirection="column" marginTop={1}>
          {/* A tick only when every domain was decided: an under-powered test is not a success. */}
          {summaryFor(state.done, columns).map((line, k) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the lines are fixed once the run is done
            <Text key={k} color={k === 0 ? (state.done!.decided ? 'green' : 'yellow') : undefined}>
              {k === 0 ? (state.done!.decided ? '✔ ' : '⚠ ') : '  '}
              {printable(line)}
            </Text>
          ))}
          {state.done.report && <Text>report: {state.done.report}</Text>}
          <Text color="gray">press q to quit</Text>
        </Box>
      )}
      {state.error && <Text color="red">✘ {printable(state.error)}</Text>}
    </Box>
  );
}
