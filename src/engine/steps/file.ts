import type { FileRef } from '../../domain/entities.js';
import type { Data } from '../context.js';
import { isSkipWord, matchOption, stepPayload } from '../input.js';
import type { FlowContext } from '../context.js';
import type { BaseStep, StepKind } from './types.js';
import type { Reply } from '../types.js';

/** A document or photo (stored under DATA_DIR), or "later" (null). */
export interface FileStep<D = Data> extends BaseStep<D> {
  kind: 'file';
  /** The label of the "no file now" button when it means something else (e.g. keep the file already sent). */
  skipLabel?: (ctx: FlowContext, data: D) => string | null;
  /** A file must be sent (the user already said they attach one): no "later" button, no "later" word. */
  required?: boolean;
  /**
   * A second button that answers without leaving the step (e.g. "Tạo bản dự thảo": the bot
   * sends a draft of this part, and the step waits for the signed file as before).
   */
  extra?: (ctx: FlowContext, data: D) => { label: string; run: () => Promise<Reply[]> } | null;
}

const EXTRA = '__extra';

export const file: StepKind<FileStep> = {
  takesFiles: true,
  async prompt(step, question, env) {
    const { ctx } = env;
    if (step.required) return { text: `${question}\n${ctx.t('file.hint_required')}`, expectsFile: true };
    const later = step.skipLabel?.(ctx, env.data) ?? ctx.t('file.later');
    const extra = step.extra?.(ctx, env.data);
    const choices = [{ payload: stepPayload(step.id, '__skip'), label: later }, ...(extra ? [{ payload: stepPayload(step.id, EXTRA), label: extra.label }] : [])];
    return { text: `${question}\n${ctx.t('file.hint')}`, choices, expectsFile: true };
  },
  async accept(step, input, env) {
    const { ctx } = env;
    const attachment = input.attachments.find((a) => a.kind === 'file' || a.kind === 'image');
    if (step.required && !attachment) {
      const sticker = input.attachments.some((a) => a.kind === 'sticker');
      return { kind: 'retry', error: ctx.t(sticker ? 'error.sticker' : input.attachments.length ? 'error.file_type' : 'error.file_required') };
    }
    // Its buttons, pressed or typed ("Bổ sung sau", "bo sung sau", "1"); a file step takes no other text.
    const extra = attachment ? null : step.extra?.(ctx, env.data);
    const typed = input.text ? matchOption([{ id: '__skip', label: ctx.t('file.later') }, ...(extra ? [{ id: EXTRA, label: extra.label }] : [])], input.text, undefined) : undefined;
    if (extra && (input.optionId === EXTRA || typed?.id === EXTRA)) return { kind: 'side', replies: await extra.run() };
    if (input.optionId === '__skip' || isSkipWord(input.text) || typed?.id === '__skip') return { kind: 'answer', value: null };
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
