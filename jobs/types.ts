import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Campaign } from '../src/campaign/schema.js';
import type { Clock } from '../src/clock.js';
import type { OutboundChannel } from '../src/channels/types.js';
import type { Channel, ReviewStep } from '../src/domain/entities.js';
import type { FlowJobs } from '../src/engine/ports.js';
import type { AdminAlert } from '../src/services/admin-alerts.js';
import type { Store } from '../src/store/index.js';
import type { Broadcasts } from './broadcasts.js';
import type { CleanupResult, RetentionConfig } from './cleanup.js';
import type { EnqueueResult, Outbox, OutboxMessage } from './outbox.js';
import type { PlannedReminder, PlanOptions } from './reminders.js';
import type { ScheduleData } from './schedule.js';

/** What createJobs needs, and what the jobs offer (index.ts builds them, workers.ts runs them). */

export interface JobsDeps {
  redisUrl: string;
  /** The store's key prefix; BullMQ uses `${prefix}:bull`. */
  prefix: string;
  campaign: Campaign;
  store: Store;
  /** The store's connection (our own keys). */
  redis: Redis;
  log: Logger;
  /** Campaign time (src/clock.ts); the real clock when not given. */
  clock?: Clock;
  /** Channels this process can send on; null when unknown (the CLI): messages to every channel are queued. */
  channels: () => readonly Channel[] | null;
  /** The channels themselves, for their reachability rules (broadcast counts); without it, everyone not marked is reachable. */
  outbound?: () => Partial<Record<Channel, OutboundChannel>>;
  /** Messages per second per channel for bulk sends (TELEGRAM_RATE_PER_SEC, ZALO_RATE_PER_SEC). */
  rates: { telegram: number; zalo: number; sim?: number };
  /** Received files and exports to clean up (the app's); without it cleanupFiles does nothing. */
  retention?: RetentionConfig;
  /** DATA_DIR, where the staff digests' charts are drawn (src/services/charts); without it (and retention) digests have no chart. */
  dataDir?: string;
  /** The app's admin-alert path (src/services/admin-alerts.ts); without it configuration problems are only logged. */
  alertAdmins?: (alert: AdminAlert) => Promise<number | null>;
  /** Observers for the app's metrics. */
  hooks?: { onReminderPass?(): void };
}

export interface PassResult extends EnqueueResult {
  planned: number;
}

export interface Jobs extends FlowJobs {
  readonly deps: Required<Omit<JobsDeps, 'rates' | 'retention' | 'dataDir' | 'outbound' | 'alertAdmins' | 'hooks'>> & { now: () => Date; rates: Record<Channel, number>; retention?: RetentionConfig; dataDir?: string };
  /** BullMQ connection (maxRetriesPerRequest: null) shared by the queues of this process. */
  readonly connection: Redis;
  readonly outbox: Outbox;
  readonly broadcasts: Broadcasts;
  readonly schedule: Queue<ScheduleData>;
  previewReminders(at: Date, opts?: PlanOptions): Promise<{ messages: PlannedReminder[] }>;
  runReminders(at: Date, opts?: PlanOptions): Promise<PassResult>;
  /** `charts: false`: the texts only (who gets what), without drawing each office's chart. */
  previewAlerts(at: Date, year?: number, opts?: { charts?: boolean }): Promise<{ alert: { year: number; offsetDays: number } | null; messages: OutboxMessage[] }>;
  runAlerts(at: Date, year?: number): Promise<PassResult & { alert: { year: number; offsetDays: number } | null }>;
  /** Runs the staff alert for one nomination now (what the dossier-submitted job does). */
  runSubmittedAlert(nominationId: string, at: Date): Promise<PassResult>;
  /** Tells the staff above the unit, once per dossier, that a sent dossier is now complete (the dossier-completed job). */
  runCompletedAlert(nominationId: string, at: Date): Promise<PassResult>;
  /** Tells the staff of the office at `step` that the dossier waits for them there (the dossier-forwarded job; nothing once it has left that step). */
  runForwardedAlert(nominationId: string, step: ReviewStep): Promise<PassResult>;
  /** Tells admins (Telegram first) once a day per problem that a channel's configuration is wrong. */
  configAlert(channel: Channel, reason: string): Promise<void>;
  /** `ahead`: reminders and staff alerts still to come (0: every date of the campaign is past). */
  syncSchedules(): Promise<{ upserted: number; removed: number; ahead: number }>;
  /**
   * Deletes old exports, uploads and stored files no dossier needs (jobs/cleanup.ts), at
   * most once per Vietnam day across all workers unless `force`; null when it did not run.
   */
  cleanupFiles(at: Date, opts?: { force?: boolean }): Promise<CleanupResult | null>;
  close(): Promise<void>;
}
