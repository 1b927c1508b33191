/**
 * The store side of bench:journeys, done as an operator does it on a running deployment:
 * the unit list imported (`units:import`), one invite code per officer (`/moi`,
 * `invite:create`: store.invites.create); and afterwards, whether the store holds what
 * each officer was told.
 */
import fs from 'node:fs';
import { loadCampaign } from '../../src/campaign/load.js';
import type { Channel } from '../../src/domain/entities.js';
import { hierarchyOf } from '../../src/domain/levels.js';
import { standardFor } from '../../src/domain/index.js';
import { fromRoot } from '../../src/paths.js';
import { createRedis } from '../../src/redis/connection.js';
import { CLI_ACTOR, createStore, importUnitsCsv } from '../../src/store/index.js';

export interface SeededOfficer {
  channel: Extract<Channel, 'telegram' | 'zalo'>;
  userId: string;
  code: string;
  unitId: string;
  unitName: string;
}

export interface JourneyStore {
  officers: SeededOfficer[];
  /** What is wrong with the officer's data after the journey, or null. */
  check(o: SeededOfficer, dossier: number): Promise<string | null>;
  close(): Promise<void>;
}

/** The preset's demo unit list plus `count` hamlets beside its first one, and an officer (invite code) for each. */
export async function seedJourneys(opts: { redisUrl: string; prefix: string; campaign: string; inviteSecret: string; count: number; idBase: number }): Promise<JourneyStore> {
  const campaign = loadCampaign(opts.campaign);
  const redis = createRedis(opts.redisUrl);
  const store = createStore(redis, { prefix: opts.prefix, inviteSecret: opts.inviteSecret, hierarchy: hierarchyOf(campaign) });
  const demo = fs.readFileSync(fromRoot(`campaigns/demo/${campaign.id}.csv`), 'utf8').trim();
  const rows = demo.split('\n');
  const columns = rows[0]!.split(',').length;
  const hamlet = rows.map((r) => r.split(',')).find((r) => r[1] === 'hamlet');
  if (!hamlet) throw new Error(`campaigns/demo/${campaign.id}.csv has no hamlet to put the bench's beside`);
  const extra = Array.from({ length: opts.count }, (_, i) => [`Xóm Thử Tải ${i + 1}`, 'hamlet', hamlet[2], `BENCH-J${i + 1}`, ...Array(columns - 4).fill('')].join(','));
  const imported = await importUnitsCsv(store, [demo, ...extra].join('\n'), CLI_ACTOR);
  if (!imported.ok) throw new Error(imported.errors.slice(0, 3).map((e) => JSON.stringify(e)).join('\n'));

  const officers: SeededOfficer[] = [];
  for (let i = 0; i < opts.count; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, opts.count - i) }, async (_, k) => {
        const n = i + k;
        const unit = (await store.units.getByCode(`BENCH-J${n + 1}`))!;
        const code = await store.invites.create({ role: 'officer', unitId: unit.id, ttlDays: 7, createdBy: CLI_ACTOR.id }, CLI_ACTOR);
        const telegram = n % 2 === 0;
        const userId = telegram ? String(600_000_000 + opts.idBase * 10_000_000 + n) : `55${opts.idBase}${String(n).padStart(16, '0')}`;
        return { channel: telegram ? 'telegram' : 'zalo', userId, code, unitId: unit.id, unitName: unit.name } satisfies SeededOfficer;
      }),
    );
    officers.push(...batch);
  }

  const year = Math.max(...campaign.reportingYears);
  return {
    officers,
    async check(o, dossier) {
      const who = await store.identities.get(o.channel, o.userId);
      if (who?.role !== 'officer' || who.unitId !== o.unitId) return `identity ${JSON.stringify({ role: who?.role, unit: who?.unitId === o.unitId })}`;
      if (!(await store.registrations.get(campaign.id, year, { type: 'unit', unitId: o.unitId }))) return 'no registration';
      const report = await store.reports.get(campaign.id, year, o.unitId);
      const unit = (await store.units.get(o.unitId))!;
      const indicators = standardFor(campaign, unit.level)?.indicators.length ?? 0;
      if (!report || Object.keys(report.values).length !== indicators) return `report with ${Object.keys(report?.values ?? {}).length}/${indicators} indicators`;
      const sent = (await store.nominations.listByUnit(campaign.id, year, o.unitId)).filter((n) => n.id === `n_${dossier}`);
      if (sent.length !== 1 || sent[0]!.status !== 'submitted' || Object.keys(sent[0]!.parts).length !== 1) return `dossier ${dossier}: ${JSON.stringify(sent.map((n) => ({ status: n.status, parts: Object.keys(n.parts).length })))}`;
      return null;
    },
    close: async () => void (await redis.quit()),
  };
}
