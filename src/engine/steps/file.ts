import type { FileRef } from '../../domain/entities.js';
import type { Data } from '../context.js';
import { isSkipWord, matchOption, stepPayload } from '../input.js';
import type { FlowContext } from '../context.js';
import type { BaseStep, StepKind } from './types.js';

/** A document or photo (stored under DATA_DIR), or "later" (null). */
export interface FileStep<D = Data> extends BaseStep<D> {
  kind: 'file';
  /** The label of the "no file now" button when it means something else (e.g. keep the file already sent). */
  skipLabel?: (ctx: FlowContext, data: D) => string | null;
  /** A file must be sent (the user already said they attach one): no "later" button, no "later" word. */
  required?: boolean;
}

export const file: StepKind<FileStep> = {
  takesFiles: true,
  async prompt(step, question, env) {
    const { ctx } = env;
    if (step.required) return { text: `${question}\n${ctx.t('file.hint_required')}`, expectsFile: true };
    const later = step.skipLabel?.(ctx, env.data) ?? ctx.t('file.later');
    return { text: `${question}\n${ctx.t('file.hint')}`, choices: [{ payload: stepPayload(step.id, '__skip'), label: later }], expectsFile: true };
  },
  async accept(step, input, env) {
    const { ctx } = env;
    const attachment = input.attachments.find((a) => a.kind === 'file' || a.kind === 'image');
    if (step.required && !attachment) {
      const sticker = input.attachments.some((a) => a.kind === 'sticker');
      return { kind: 'retry', error: ctx.t(sticker ? 'error.sticker' : input.attachments.length ? 'error.file_type' : 'error.file_required') };
    }
    // Its one button, pressed or typed ("Bổ sung sau", "bo sung sau", "1"); a file step takes no other text.
    const later = [{ id: '__skip', label: ctx.t('file.later') }];
    if (input.optionId === '__skip' || isSkipWord(input.text) || (input.text && matchOption(later, input.text, undefined))) return { kind: 'answer', value: null };
    if (!attachment) {
      const sticker = input.attachments.some((a) => a.kind === 'sticker');
      return { kind: 'retry', error: ctx.t(sticker ? 'error.sticker' : input.attachments.length ? 'error.file_type' : 'error.file_expected') };
    }
    const saved = await env.receiveFile(attachment);
    return saved.ok ? { kind: 'answer', value: saved.file } : { kind: 'retry', error: saved.error };
  },
  async feedback(_step, value, env) {
    return value ? env.ctx.t('file.received', { name: (value as FileRef).name }) : null;
  },
};
