import type { Campaign } from '../campaign/schema.js';
import type { Channel, Identity, Lang } from '../domain/entities.js';
import type { MsgKey, Params } from '../i18n.js';
import type { Actor, Store } from '../store/index.js';
import type { FileStore } from '../files.js';
import type { FlowJobs, SendOutcome } from './ports.js';
import type { Reply } from './types.js';

/* What a step sees, apart from the flow: its own file so step kinds and flows both use it without a cycle. */

/** A flow's answers as the engine keeps them in the session (JSON). */
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
  /** A one-time login link to the web dashboard for this user (src/web/), minutes valid. Undefined when the app has not wired it. */
  webLogin?: () => Promise<{ url: string; minutes: number }>;
}

export interface Option {
  /** Short id, part of the button payload (keep it under ~40 bytes). */
  id: string;
  label: string;
}


export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };
