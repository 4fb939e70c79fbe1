// Which arms a run tests: the scenario's abtest block, overridden by flags; an A/A test runs the
// control strategy in two arms.
import type { Scenario } from '../scenario/schema.js';
import { UserError } from '../util/errors.js';
import type { Arm } from './readout.js';

export function resolveArms(s: Scenario, trained: string[], flags: { arms?: string[]; control?: string; aa?: boolean }): { arms: Arm[]; control: number } {
  let names = flags.arms ?? s.abtest?.arms ?? trained;
  const control = flags.control ?? (flags.arms ? flags.arms[0] : s.abtest?.control) ?? names[0];
  const aa = flags.aa ?? (flags.arms ? false : (s.abtest?.aa ?? false));
  if (aa) names = [control, control];
  if (names.length < 2) throw new UserError('an A/B test needs at least two arms (--arms a,b)');
  if (!names.includes(control)) throw new UserError(`control '${control}' is not one of the arms (${names.join(', ')})`);
  const split = !flags.arms && !aa && s.abtest?.split ? s.abtest.split : names.map(() => 1 / names.length);
  const arms = names.map((strategy, k) => ({ name: aa ? `${strategy}:${k === 0 ? 'A' : 'B'}` : strategy, strategy, share: split[k] }));
  if (!aa && new Set(names).size !== names.length) throw new UserError(`an arm is listed twice (${names.join(', ')}); use --aa for an A/A test`);
  return { arms, control: names.indexOf(control) };
}
