import { parsePercent } from '../../domain/standards.js';
import type { Data, FlowContext } from '../context.js';
import { reply, type BaseStep, type StepKind } from './types.js';

/** A percentage typed as "72", "72%", "72,5" (stored as a number). */
export interface PercentStep<D = Data> extends BaseStep<D> {
  kind: 'percent';
  /** Said after the value is stored (e.g. met / not met). */
  feedback?: (ctx: FlowContext, data: D, value: number) => string | null;
}

export const percent: StepKind<PercentStep> = {
  async prompt(_step, question, env) {
    return reply(`${question}\n${env.ctx.t('percent.hint')}`);
  },
  async accept(_step, input, env) {
    const r = input.optionId !== undefined ? null : parsePercent(input.text!);
    return r?.ok ? { kind: 'answer', value: r.value } : { kind: 'retry', error: env.ctx.t('error.percent') };
  },
  async feedback(step, value, env) {
    return step.feedback?.(env.ctx, env.data, value as number) ?? null;
  },
};
