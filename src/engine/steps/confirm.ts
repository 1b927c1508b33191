import type { Data, Option } from '../context.js';
import { matchOption } from '../input.js';
import { buttons, reply, type BaseStep, type Dyn, type StepKind } from './types.js';

/**
 * The numbered summary of the answers ("sửa N" edits one) and the flow's actions;
 * the action `cancel` leaves without saving, any other ends the flow with it.
 */
export interface ConfirmStep<D = Data> extends BaseStep<D> {
  kind: 'confirm';
  actions: Dyn<D, Option[]>;
  /** Shown under the summary (a verdict, a recipient count). */
  extra?: Dyn<D, string | null>;
}

export const confirm: StepKind<ConfirmStep> = {
  summarises: true,
  async prompt(step, question, env) {
    const { ctx, data } = env;
    const lines = env.summary().map((l, i) => `${i + 1}. ${l}`);
    const extra = step.extra ? await step.extra(ctx, data) : null;
    // "Gõ sửa và số mục" only under numbered lines to edit.
    const text = [question, ...lines, extra, lines.length ? ctx.t('confirm.edit_hint') : null].filter(Boolean).join('\n');
    // The numbers here are the summary's ("sửa N", or the number alone: engine.ts); the actions are pressed or typed by name.
    return { ...reply(text, buttons(step.id, await step.actions(ctx, data))), numbered: false };
  },
  async accept(step, input, env) {
    const actions = await step.actions(env.ctx, env.data);
    const o = input.text !== undefined && /^\d+[.)]?$/.test(input.text) ? null : matchOption(actions, input.text, input.optionId);
    if (!o) return { kind: 'retry', error: env.ctx.t('error.choice', { count: actions.length }) };
    return o.id === 'cancel' ? { kind: 'cancel' } : { kind: 'finish', action: o.id };
  },
};
