import { fold } from '../../domain/text.js';
import type { Data, Option } from '../context.js';
import { matchMany, matchOption, stepPayload } from '../input.js';
import { buttons, reply, type BaseStep, type Dyn, type StepKind } from './types.js';

/**
 * Several options. A button or one option typed (its number or label) toggles it (✓) and
 * asks again; "Xong" (its button, its number after the options, or the word) ends the list.
 * Several typed at once ("1,3,5", "1 3 5") or "tất cả" are the answer in one message.
 * The answer is the ids, in option order.
 */
export interface MultiStep<D = Data> extends BaseStep<D> {
  kind: 'multi';
  options: Dyn<D, Option[]>;
}

const DONE = '__done';
const DONE_WORDS = new Set(['xong', 'done', 'finish', 'hoan tat', 'xong roi']);
const ALL_WORDS = new Set(['tat ca', 'all']);

const pickedOf = (current: unknown) => (Array.isArray(current) ? (current as string[]) : []);

export const multi: StepKind<MultiStep> = {
  async prompt(step, question, env) {
    const options = await step.options(env.ctx, env.data);
    const picked = pickedOf(env.current);
    const choices = buttons(step.id, options).map((c, i) => (picked.includes(options[i]!.id) ? { ...c, label: `✓ ${c.label}` } : c));
    choices.push({ payload: stepPayload(step.id, DONE), label: env.ctx.t('multi.done') });
    return reply(`${question}\n${env.ctx.t('multi.hint')}`, choices);
  },
  async accept(step, input, env) {
    const { ctx } = env;
    const options = await step.options(ctx, env.data);
    const picked = new Set(pickedOf(env.current));
    let optionId = input.optionId;
    if (optionId === undefined) {
      // Exactly what the buttons show, typed: one option or "Xong" (numbered after the options).
      const shown = [...options, { id: DONE, label: ctx.t('multi.done') }];
      const f = fold(input.text!);
      const one = DONE_WORDS.has(f) ? shown.at(-1)! : ALL_WORDS.has(f) ? null : matchOption(shown, input.text, undefined);
      if (!one) {
        const many = matchMany(options, input.text!);
        return many ? { kind: 'answer', value: options.filter((o) => many.includes(o)).map((o) => o.id) } : { kind: 'retry', error: ctx.t('error.multi', { count: options.length }) };
      }
      optionId = one.id;
    }
    if (optionId === DONE) return picked.size ? { kind: 'answer', value: options.filter((x) => picked.has(x.id)).map((x) => x.id) } : { kind: 'retry', error: ctx.t('error.multi_empty') };
    const o = options.find((x) => x.id === optionId);
    if (!o) return { kind: 'retry', error: ctx.t('error.stale_button') };
    if (picked.has(o.id)) picked.delete(o.id);
    else picked.add(o.id);
    // Nothing ticked is "not answered yet" (an empty list would not fit the flow's answers).
    return { kind: 'again', value: picked.size ? options.filter((x) => picked.has(x.id)).map((x) => x.id) : undefined };
  },
};
