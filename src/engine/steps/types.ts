import type { FileRef } from '../../domain/entities.js';
import type { Data, FlowContext, Option } from '../context.js';
import type { InboundAttachment, Reply } from '../types.js';
import { stepPayload } from '../input.js';

/** A value, or a function of the context and the answers so far. */
export type Dyn<D, T> = (ctx: FlowContext, data: D) => T | Promise<T>;

/** What every step has, whatever its kind; `D` is the flow's answers so far. */
export interface BaseStep<D = Data> {
  /** Unique within the flow; short, since it travels in button payloads. */
  id: string;
  /** Where the answer is kept in the flow's data (defaults to the step id). */
  field?: FieldRef<D>;
  prompt: Dyn<D, string>;
  /** Skip the step unless this holds. */
  when?: (ctx: FlowContext, data: D) => boolean;
  /** The line this answer shows in the summary before confirming (numbered for "sửa N"). */
  summary?: (ctx: FlowContext, data: D) => string | null;
  /** Runs after a valid answer is stored, e.g. to load a chosen draft into the data. */
  after?: (ctx: FlowContext, data: D) => Promise<void>;
}

/**
 * Where a step's answer is kept: a field of the answers, or one entry of a map field
 * (`['values', indicatorId]`: steps made per indicator or per dossier part share one typed map).
 */
export type FieldRef<D> = Extract<keyof D, string> | readonly [Extract<keyof D, string>, string];

type Located = { id: string; field?: string | readonly [string, string] };
const isMap = (v: unknown): v is Data => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readAnswer(data: Data, step: Located): unknown {
  const f = step.field ?? step.id;
  if (typeof f === 'string') return data[f];
  const map = data[f[0]];
  return isMap(map) ? map[f[1]] : undefined;
}

export function writeAnswer(data: Data, step: Located, value: unknown): void {
  const f = step.field ?? step.id;
  if (typeof f === 'string') data[f] = value;
  else {
    const map = data[f[0]];
    data[f[0]] = { ...(isMap(map) ? map : {}), [f[1]]: value };
  }
}

/** One message as a step sees it: the cleaned text, the option of a pressed button for this step, attachments. */
export interface StepInput {
  text?: string;
  optionId?: string;
  attachments: InboundAttachment[];
}

/** What a kind makes of an input. */
export type Outcome =
  /** Store `value` as the step's answer and move on. */
  | { kind: 'answer'; value: unknown }
  /** Store `value` and ask the same step again (a toggle in a multiple choice). */
  | { kind: 'again'; value: unknown }
  /** Say `error` and ask again; nothing is stored. */
  | { kind: 'retry'; error: string }
  /** Say these (e.g. a generated file) and ask the same step again; nothing is stored. */
  | { kind: 'side'; replies: Reply[] }
  /** End the flow with this action (confirm). */
  | { kind: 'finish'; action: string }
  /** Leave the flow without saving. */
  | { kind: 'cancel' };

/** What the engine lends a kind while it runs one step. */
export interface StepEnv {
  ctx: FlowContext;
  data: Data;
  /** The step's answer so far (its field in the data). */
  current: unknown;
  /** Summary lines of the steps answered before this one, in order. */
  summary(): string[];
  /** Fetches and stores a file the user sent; the error is already a sentence for the user. */
  receiveFile(attachment: InboundAttachment): Promise<{ ok: true; file: FileRef } | { ok: false; error: string }>;
}

/** The behaviour of one kind of step (src/engine/steps/<kind>.ts, registered in steps/index.ts). */
export interface StepKind<S> {
  /** Takes files; every other kind answers a message without text or button with a reason. */
  takesFiles?: boolean;
  /** Shows the summary of earlier answers, so "sửa N" works here. */
  summarises?: boolean;
  /** The question (already rendered) as one reply, with this kind's hints and buttons. */
  prompt(step: S, question: string, env: StepEnv): Promise<Reply>;
  accept(step: S, input: StepInput, env: StepEnv): Promise<Outcome>;
  /** A line said once the answer is stored (a verdict, a receipt). */
  feedback?(step: S, value: unknown, env: StepEnv): Promise<string | null>;
}

/** Buttons for a step's options. */
export const buttons = (stepId: string, options: Option[]) => options.map((o) => ({ payload: stepPayload(stepId, o.id), label: o.label }));

export const reply = (text: string, choices: Reply['choices'] = []): Reply => (choices.length ? { text, choices } : { text });
