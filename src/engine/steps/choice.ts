import type { Data, Option } from '../context.js';
import { matchOption } from '../input.js';
import { buttons, reply, type BaseStep, type Dyn, type StepKind } from './types.js';

/** One option from a list: a button, its number, or its label typed. */
export interface ChoiceStep<D = Data> extends BaseStep<D> {
  kind: 'choice';
  options: Dyn<D, Option[]>;
  /** Said after the answer is stored (e.g. a quota warning). */
  feedback?: Dyn<D, string | null>;
}

export const choice: StepKind<ChoiceStep> = {
  async prompt(step, question, env) {
    return reply(question, buttons(step.id, await step.options(env.ctx, env.data)));
  },
  async accept(step, input, env) {
    const options = await step.options(env.ctx, env.data);
    const o = matchOption(options, input.text, input.optionId);
    return o ? { kind: 'answer', value: o.id } : { kind: 'retry', error: env.ctx.t('error.choice', { count: options.length }) };
  },
  async feedback(step, _value, env) {
    return step.feedback ? step.feedback(env.ctx, env.data) : null;
  },
};
