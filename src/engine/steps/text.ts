import { fold } from '../../domain/text.js';
import type { Data, FlowContext, Parsed } from '../context.js';
import { isSkipWord, stepPayload } from '../input.js';
import { reply, type BaseStep, type StepKind } from './types.js';

/** Free text up to `max` characters, optionally parsed into another value. */
export interface TextStep<D = Data> extends BaseStep<D> {
  kind: 'text';
  max: number;
  /** May be skipped with "bỏ qua" (stored as null). */
  optional?: boolean;
  parse?: (text: string, ctx: FlowContext, data: D) => Parsed<unknown> | Promise<Parsed<unknown>>;
}

export const text: StepKind<TextStep> = {
  async prompt(step, question, env) {
    return reply(question, step.optional ? [{ payload: stepPayload(step.id, '__skip'), label: env.ctx.t('step.skip') }] : []);
  },
  async accept(step, input, env) {
    const { ctx } = env;
    // Its button "Bỏ qua" typed is a skip too (shown without a number: a typed number is text here).
    const skipLabel = step.optional && input.text !== undefined && fold(input.text) === fold(ctx.t('step.skip'));
    if (input.optionId === '__skip' || (step.optional && isSkipWord(input.text)) || skipLabel) return { kind: 'answer', value: null };
    if (input.optionId !== undefined) return { kind: 'retry', error: ctx.t('error.stale_button') };
    const typed = input.text!;
    if (typed.length > step.max) return { kind: 'retry', error: ctx.t('error.text_too_long', { max: step.max, length: typed.length }) };
    // Control characters never reach storage.
    const clean = typed.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
    if (!clean) return { kind: 'retry', error: ctx.t('error.empty') };
    if (!step.parse) return { kind: 'answer', value: clean };
    const r = await step.parse(clean, ctx, env.data);
    return r.ok ? { kind: 'answer', value: r.value } : { kind: 'retry', error: r.error };
  },
};
