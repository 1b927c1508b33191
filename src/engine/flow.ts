import type { Campaign } from '../campaign/schema.js';
import type { Channel, FileRef, Identity, Lang } from '../domain/entities.js';
import type { MsgKey, Params } from '../i18n.js';
import type { Actor, Store } from '../store/index.js';
import type { FileStore } from '../files.js';
import type { FlowJobs, SendOutcome } from './ports.js';
import type { Reply } from './types.js';

export type Data = Record<string, unknown>;

/** What a flow can see and use while running one step for one user. */
export interface FlowContext {
  channel: Channel;
  userId: string;
  lang: Lang;
  now: Date;
  identity: Identity;
  campaign: Campaign;
  store: Store;
  /** Received and generated files under DATA_DIR. */
  files: FileStore;
  t(key: MsgKey, params?: Params): string;
  /** Text after a flow's slash command ("/hoso 12" → "12"), during begin/render. */
  args?: string;
  /** Background jobs (jobs/): broadcasts, alerts, catch-up reminders. Undefined in engine-only tests. */
  jobs?: FlowJobs;
  /** The actor recorded in the audit stream for changes made by this user. */
  actor: Actor;
  /**
   * Tells another user something outside their conversation (a dossier returned …), on
   * their own channel. Undefined when the app has not wired it (some unit tests).
   */
  notify?: (to: { channel: Channel; userId: string }, reply: Reply, idempotencyKey?: string) => Promise<SendOutcome>;
}

export interface Option {
  /** Short id, part of the button payload (keep it under ~40 bytes). */
  id: string;
  label: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

type Dyn<T> = (ctx: FlowContext, data: Data) => T | Promise<T>;

interface BaseStep {
  /** Unique within the flow; short, since it travels in button payloads. */
  id: string;
  /** Where the answer is kept in the flow's data (defaults to the step id). */
  field?: string;
  prompt: Dyn<string>;
  /** Skip the step unless this holds. */
  when?: (ctx: FlowContext, data: Data) => boolean;
  /** The line this answer shows in the summary before confirming (numbered for "sửa N"). */
  summary?: (ctx: FlowContext, data: Data) => string | null;
  /** Runs after a valid answer is stored, e.g. to load a chosen draft into the data. */
  after?: (ctx: FlowContext, data: Data) => Promise<void>;
}

export type Step =
  | (BaseStep & { kind: 'choice'; options: Dyn<Option[]>; feedback?: Dyn<string | null> })
  | (BaseStep & { kind: 'multi'; options: Dyn<Option[]> })
  | (BaseStep & {
      kind: 'text';
      max: number;
      /** May be skipped with "bỏ qua" (stored as null). */
      optional?: boolean;
      parse?: (text: string, ctx: FlowContext, data: Data) => Parsed<unknown> | Promise<Parsed<unknown>>;
    })
  | (BaseStep & { kind: 'percent'; feedback?: (ctx: FlowContext, data: Data, value: number) => string | null })
  | (BaseStep & { kind: 'file' })
  | (BaseStep & { kind: 'confirm'; actions: Dyn<Option[]>; extra?: Dyn<string | null> });

export type FileAnswer = FileRef | null;

export interface Flow {
  id: string;
  /** Menu label. */
  title: MsgKey;
  /** Slash command that starts the flow from anywhere (e.g. "/thongke"); text after it arrives as ctx.args. */
  command?: string;
  /** Hidden from the menu (started by a command or another flow). */
  hidden?: boolean;
  /** Whether this user may run the flow (role checks live here). */
  available(ctx: FlowContext): boolean;
  /** Runs before the first step: refuse with a message, or pre-fill data (e.g. resume a draft). */
  begin?(ctx: FlowContext): Promise<{ data?: Data; refuse?: string; notice?: string }>;
  steps(ctx: FlowContext, data: Data): Step[];
  /** Called with the confirm step's chosen action; returns what to tell the user. */
  complete(ctx: FlowContext, data: Data, action: string): Promise<Reply[]>;
  /** Flows that are only a message (status, help) have no steps and render here. */
  render?(ctx: FlowContext): Promise<Reply[]>;
}
