import type { Data, Option } from '../context.js';
import { matchMany, stepPayload } from '../input.js';
import { buttons, reply, type BaseStep, type Dyn, type StepKind } from './types.js';

/** Several options: buttons toggle (✓) until "done", or "1,3,5" / "tất cả" typed. The answer is the ids, in option order. */
export interface MultiStep<D = Data> extends BaseStep<D> {
  kind: 'multi';
  options: Dyn<D, Option[]>;
}

const pickedOf = (current: unknown) => (Array.isArray(current) ? (current as string[]) : []);

export const multi: StepKind<MultiStep> = {
  async prompt(step, question, env) {
    const options = await step.options(env.ctx, env.data);
    const picked = pickedOf(env.current);
    const choices = buttons(step.id, options).map((c, i) => (picked.includes(options[i]!.id) ? { ...c, label: `✓ ${c.label}` } : c));
    choices.push({ payload: stepPayload(step.id, '__done'), label: env.ctx.t('multi.done') });
    return reply(`${question}\n${env.ctx.t('multi.hint')}`, choices);
  },
  async accept(step, input, env) {
    const { ctx } = env;
    const options = await step.options(ctx, env.data);
    const picked = new Set(pickedOf(env.current));
    if (input.optionId === undefined) {
      const many = matchMany(options, input.text!);
      return many ? { kind: 'answer', value: many.map((o) => o.id) } : { kind: 'retry', error: ctx.t('error.multi', { count: options.length }) };
    }
    if (input.optionId === '__done') return picked.size ? { kind: 'answer', value: env.current } : { kind: 'retry', error: ctx.t('error.multi_empty') };
    const o = options.find((x) => x.id === input.optionId);
    if (!o) return { kind: 'retry', error: ctx.t('error.stale_button') };
    if (picked.has(o.id)) picked.delete(o.id);
    else picked.add(o.id);
    return { kind: 'again', value: options.filter((x) => picked.has(x.id)).map((x) => x.id) };
  },
};
