import { afterEach, vi } from 'vitest';
import type { App } from '../../src/app.js';
import type { Channel, Lang, Nomination, Role } from '../../src/domain/entities.js';
import { reviewsOpenIn } from '../../src/domain/index.js';
import { FileStore } from '../../src/files.js';
import type { Actor } from '../../src/store/index.js';
import { PDF } from './bot.js';

export const TEST_ACTOR: Actor = { id: 'test', role: 'admin', channel: 'cli' };

/** A chat account with a role, made directly in the store (no conversation). */
export async function addIdentity(
  app: App,
  channel: Channel,
  userId: string,
  opts: { role?: Role; unitCode?: string | null; unitId?: string | null; lang?: Lang; unreachable?: boolean; lastInboundAt?: string | null } = {},
) {
  const unitId = opts.unitId !== undefined ? opts.unitId : opts.unitCode ? (await app.store.units.getByCode(opts.unitCode))!.id : null;
  return app.store.identities.upsert(
    {
      channel,
      userId,
      personId: null,
      role: opts.role ?? 'officer',
      unitId,
      lang: opts.lang ?? 'vi',
      lastInboundAt: opts.lastInboundAt === undefined ? new Date().toISOString() : opts.lastInboundAt,
      unreachable: opts.unreachable ?? false,
      createdAt: new Date().toISOString(),
    },
    TEST_ACTOR,
  );
}

export async function unitByCode(app: App, code: string) {
  const u = await app.store.units.getByCode(code);
  if (!u) throw new Error(`no unit ${code}`);
  return u;
}

/** A nomination of a unit with the given dossier parts (PDFs), in the given status. */
export async function addNomination(
  app: App,
  dataDir: string,
  unitCode: string,
  opts: { year?: number; nominee?: string; parts?: string[]; status?: 'draft' | 'submitted' | 'returned' | 'accepted' } = {},
): Promise<Nomination> {
  const { store, campaign } = app;
  const unit = await unitByCode(app, unitCode);
  const year = opts.year ?? campaign.reportingYears.at(-1)!;
  const { award, review } = reviewsOpenIn(campaign, year)[0]!;
  let n = await store.nominations.createDraft(
    {
      campaignId: campaign.id,
      year,
      unitId: unit.id,
      awardId: award.id,
      reviewId: review.id,
      nominee: { type: 'individual', name: opts.nominee ?? 'Nguyễn Văn An', position: 'Trưởng xóm', unitName: unit.name },
      summary: 'Thành tích chuyển đổi số',
      createdBy: 'test',
    },
    TEST_ACTOR,
  );
  const files = new FileStore(dataDir);
  for (const part of opts.parts ?? []) {
    const saved = await files.save(PDF, { name: `${part}.pdf`, at: new Date() });
    if (!saved.ok) throw new Error('file not saved');
    n = await store.nominations.attachPart(n.id, part, saved.file, TEST_ACTOR);
  }
  const status = opts.status ?? 'draft';
  if (status !== 'draft') n = await store.nominations.setStatus(n.id, 'submitted', {}, TEST_ACTOR);
  if (status === 'returned') n = await store.nominations.setStatus(n.id, 'returned', { reason: 'Bổ sung biên bản' }, TEST_ACTOR);
  if (status === 'accepted') n = await store.nominations.setStatus(n.id, 'accepted', {}, TEST_ACTOR);
  return n;
}

/** Waits until no outbox queue of the app has a staged, waiting, delayed or active message. */
export async function outboxDrained(app: App, timeout = 20_000): Promise<void> {
  await vi.waitFor(
    async () => {
      const counts = await app.jobs.outbox.counts(Object.keys(app.outbound) as Channel[]);
      const busy = Object.values(counts).reduce((n, c) => n + (c.staged ?? 0) + (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.active ?? 0) + (c.delayed ?? 0), 0);
      if (busy > 0) throw new Error(`${busy} messages still queued`);
    },
    { timeout, interval: 50 },
  );
}

/** ISO time in Vietnam (UTC+7): vn('2024-11-28T08:00') */
export const vn = (local: string) => new Date(`${local}${local.length === 16 ? ':00' : ''}+07:00`);

/**
 * Registers an afterEach that stops what a test started, newest first (workers before
 * the app they use). Wrap each start: `bot = track(await startBot(…))`.
 */
export function stopAfterEach(): <T extends { close(): Promise<unknown> }>(started: T) => T {
  const running: { close(): Promise<unknown> }[] = [];
  afterEach(async () => {
    for (const r of running.splice(0).reverse()) await r.close();
  });
  return (started) => {
    running.push(started);
    return started;
  };
}
