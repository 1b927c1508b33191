import type { Audience } from '../domain/audience.js';
import type { Channel, FileRef, Identity, Lang, Nomination } from '../domain/entities.js';
import type { HandleResult, Inbound } from './types.js';

/**
 * What the engine and flows need from the layers above them, declared here so the
 * arrows point down: the jobs (jobs/) implement FlowJobs, the channels (src/channels)
 * produce SendOutcome, the app wires them into EngineOptions.
 */

/**
 * What happened to one outbound message. The outbox (jobs/) decides from this alone:
 * send later, pause the whole channel, stop and mark the recipient, or alert admins.
 * Only channels know platform codes; they map them onto these cases.
 */
export type SendOutcome =
  /**
   * `via`: how it went when a platform has several ways (Zalo: 'cs' free consultation,
   * 'cs_paid' consultation 48 h–7 days after the user's last message, 'template', 'zns').
   */
  | { ok: true; platformMessageId?: string; via?: string }
  /** The platform asked us to slow down (Telegram 429, Zalo -32): pause the channel. */
  | { ok: false; kind: 'rate_limited'; retryAfterMs: number; reason: string }
  /** Not now, but this recipient is fine (Zalo refuses messages at night): send the same message at `retryAt`. */
  | { ok: false; kind: 'deferred'; retryAt: Date; reason: string }
  /** Permanent for this recipient (blocked the bot, unfollowed, outside Zalo's window): do not retry. */
  | { ok: false; kind: 'unreachable'; reason: string }
  /** Network errors, 5xx: retry with backoff. */
  | { ok: false; kind: 'transient'; reason: string }
  /** Our side is wrong (bad token, OA not verified, quota): alert admins, do not retry blindly. */
  | { ok: false; kind: 'config'; reason: string };

export interface BroadcastSpec {
  by: { channel: Channel; userId: string; lang: Lang };
  text: string;
  file?: FileRef | null;
  audience: Audience;
}

export type BroadcastState = 'queued' | 'running' | 'done' | 'cancelled';

export interface BroadcastStatus {
  id: string;
  status: BroadcastState;
  by: BroadcastSpec['by'];
  text: string;
  file: FileRef | null;
  audience: Audience;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Recipients (0 until the list is built). */
  total: number;
  sent: number;
  failed: number;
  /** Blocked the bot / unfollowed / outside Zalo's 7-day window: known before or found while sending. */
  unreachable: number;
  /** Not sent because the broadcast was cancelled. */
  cancelled: number;
  /** Sent again after a worker died mid-send: these recipients may have the message twice. */
  resent: number;
  pending: number;
  perChannel: Partial<Record<Channel, { total: number; sent: number; failed: number; unreachable: number }>>;
}

export type CancelResult = 'cancelled' | 'already_cancelled' | 'finished' | 'not_found';

/** What flows may ask of the jobs (FlowContext.jobs). */
export interface FlowJobs {
  /** Channels messages can be sent on here. */
  channels(): Channel[];
  /** A unit submitted a dossier: staff above it hear at once if parts are missing. */
  dossierSubmitted(nomination: Nomination): Promise<void>;
  /** A sent dossier that missed parts now has them all: staff above the unit hear once. */
  dossierCompleted(nomination: Nomination): Promise<void>;
  /** A dossier moved on to the next step of its review chain: the staff of the office at that step hear at once. */
  dossierForwarded(nomination: Nomination): Promise<void>;
  /** Someone joined as an officer or individual: catch-up reminders for deadlines already in their reminder window. */
  memberJoined(identity: Identity): Promise<void>;
  broadcasts: {
    count(audience: Audience): Promise<{ total: number; unreachable: number }>;
    start(spec: BroadcastSpec): Promise<{ id: string }>;
    cancel(id: string, by: string): Promise<CancelResult>;
    status(id: string): Promise<BroadcastStatus | null>;
    running(): Promise<BroadcastStatus[]>;
  };
}

/**
 * Optional observers of Engine.handle, for the app's metrics and graceful shutdown (the
 * engine itself knows neither).
 */
export interface EngineHooks {
  /** A message arrived (before any work). */
  onInbound?(inbound: Inbound): void;
  /** A message was handled (not called when handling threw). */
  onHandled?(inbound: Inbound, result: HandleResult, ms: number): void;
  /** The handling in progress, settled or not: shutdown waits for it. */
  track?(handling: Promise<unknown>): void;
}
