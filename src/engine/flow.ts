import { z } from 'zod';
import type { Channel, FileRef, Identity, Lang } from '../domain/entities.js';
import type { MsgKey, Params } from '../i18n.js';
import type { Step } from './steps/index.js';
import type { Reply } from './types.js';

export type { Data, FlowContext, Option, Parsed } from './context.js';
import type { Data, FlowContext, Option } from './context.js';


export type { Step } from './steps/index.js';

export type FileAnswer = FileRef | null;

/** The answers given so far while a flow is stepping: any part of its schema's input. */
export type Answers<S extends z.ZodType> = Partial<z.input<S>>;

/** What `begin` may say: refuse with a message, or pre-fill answers (e.g. resume a draft). */
export interface Begun<A> {
  data?: A;
  refuse?: string;
  notice?: string;
}

/** A flow as a flow file writes it (see defineFlow). */
export interface FlowDefinition<Id extends string, S extends z.ZodObject> {
  /** Lives in sessions and buttons: never rename it. The flow's file is flows/<id>.ts. */
  id: Id;
  /** Menu label. */
  title: MsgKey;
  /** Slash command that starts the flow from anywhere (e.g. "/thongke"); text after it arrives as ctx.args. */
  command?: string;
  /** Hidden from the menu (started by a command, a button or another flow). */
  hidden?: boolean;
  /** Whether this user may run the flow (role checks live here). */
  available(ctx: FlowContext): boolean;
  /**
   * The complete answers `complete` receives (parsed: `z.output`). While stepping, the data is
   * any part of its input; a session restored from Redis that does not fit starts the flow again.
   */
  schema?: S;
  /** Runs before the first step. */
  begin?(ctx: FlowContext): Promise<Begun<Answers<S>>>;
  steps?(ctx: FlowContext, data: Answers<S>): Step<Answers<S>>[];
  /** Called with the confirm step's chosen action (or 'confirm' when the last step is not a confirm); returns what to tell the user. */
  complete?(ctx: FlowContext, data: z.output<S>, action: string): Promise<Reply[]>;
  /** Flows that are only a message (status, help) have no steps and render here. */
  render?(ctx: FlowContext): Promise<Reply[]>;
}

/** A flow as the engine runs it: answers are plain session data until `complete` checks them. */
export interface Flow<Id extends string = string> {
  id: Id;
  title: MsgKey;
  command?: string;
  hidden?: boolean;
  available(ctx: FlowContext): boolean;
  begin?(ctx: FlowContext): Promise<Begun<Data>>;
  steps(ctx: FlowContext, data: Data): Step[];
  /** Whether stored answers (a session from Redis, a paused flow) still fit this flow's schema. */
  fits(data: Data): boolean;
  /** Whether the answers are complete: they fit the flow's whole schema. */
  isComplete(data: Data): boolean;
  /** Parses the answers with the flow's schema and completes; throws when they do not fit (a bug in the flow's steps). */
  complete(ctx: FlowContext, data: Data, action: string): Promise<Reply[]>;
  render?(ctx: FlowContext): Promise<Reply[]>;
}

/** A flow whose answers are typed and validated by `schema`; `complete` receives them parsed. */
export function defineFlow<const Id extends string, S extends z.ZodObject = z.ZodObject<{}>>(def: FlowDefinition<Id, S>): Flow<Id> {
  // Strict: a key the flow does not declare (answers stored by an older version) does not fit.
  const schema = (def.schema ?? z.object({})).strict();
  const partial = schema.partial();
  const { schema: _s, steps, complete, begin, ...rest } = def;
  return {
    ...rest,
    // The only place typed answers meet untyped session data: `fits` and `complete` check them with the schema.
    ...(begin && { begin: begin as Flow['begin'] }),
    steps: (ctx, data) => (steps?.(ctx, data as Answers<S>) ?? []) as unknown as Step[],
    fits: (data) => partial.safeParse(data).success,
    isComplete: (data) => schema.safeParse(data).success,
    async complete(ctx, data, action) {
      const parsed = schema.safeParse(data);
      // Field paths only: the values are what users typed.
      if (!parsed.success) throw new Error(`flow ${def.id}: answers do not fit its schema at ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
      return complete ? complete(ctx, parsed.data as z.output<S>, action) : [];
    },
  };
}
