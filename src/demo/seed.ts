import fs from 'node:fs';
import { fromRoot } from '../paths.js';
import type { Redis } from 'ioredis';
import type { Campaign } from '../campaign/schema.js';
import { realClock } from '../clock.js';
import type { Unit } from '../domain/entities.js';
import { isUnder } from '../domain/units.js';
import { importUnitsCsv, type Store } from '../store/index.js';
import type { DemoUser } from '../channels/simulator/routes.js';

const ACTOR = { id: 'demo-seed', role: 'admin', channel: 'cli' };

/** Demo chat users of the simulator; their roles are set up by seedDemo. */
export const DEMO = { officer: 'can-bo-don-vi', staff: 'can-bo-theo-doi', admin: 'quan-tri', newcomer: 'nguoi-moi' } as const;

/** The demo officer's unit: the first of these levels that reports in the campaign (a hamlet in a commune's plan). */
const OFFICER_LEVELS = ['hamlet', 'commune', 'ward', 'special_zone'];

function demoCsv(campaign: Campaign): string | null {
  const file = fromRoot('campaigns', 'demo', `${campaign.id}.csv`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
}

/**
 * The demo staff member works for the office that runs the campaign: the unit of the
 * issuer's level (the commune for a commune's plan, the province for a province's). The
 * demo officer acts for a participant unit with
 * standards under it.
 */
async function demoUnits(store: Store, campaign: Campaign): Promise<{ officerUnit?: Unit; staffUnit?: Unit }> {
  const units = await store.units.all();
  const staffUnit = units.find((u) => u.level === campaign.issuer.level);
  const reports = (level: string) => campaign.participants.collectives.includes(level) && campaign.standards.some((s) => s.level === level);
  const under = (u: Unit) => !staffUnit || isUnder(u.id, staffUnit.id, new Map(units.map((x) => [x.id, x])));
  const officerUnit = OFFICER_LEVELS.filter(reports)
    .map((l) => units.find((u) => u.level === l && under(u)))
    .find(Boolean);
  return { officerUnit, staffUnit };
}

/** The simulator user of the staff of a chain office ("can-bo-so-noi-vu"). */
const officeUser = (officeId: string) => `can-bo-${officeId}`;

/**
 * The unit holding each office of the campaign's review chains for the demo officer's
 * unit (so the simulator can play every step), once per unit: office id → unit.
 */
async function chainOffices(store: Store, campaign: Campaign, officerUnit: Unit | undefined): Promise<{ officeId: string; unit: Unit }[]> {
  if (!officerUnit) return [];
  const used = new Set(campaign.awards.flatMap((a) => a.reviews.flatMap((r) => (r.chain ?? []).flatMap((s) => (s.office ? [s.office] : [])))));
  const out: { officeId: string; unit: Unit }[] = [];
  for (const o of campaign.offices ?? []) {
    if (!used.has(o.id)) continue;
    const unit = await store.units.officeUnit(officerUnit.id, o.id);
    if (unit && !out.some((x) => x.unit.id === unit.id)) out.push({ officeId: o.id, unit });
  }
  return out;
}

const seededFlag = (prefix: string, campaign: Campaign) => `${prefix}:demo:seeded:${campaign.id}`;
const inviteKey = (prefix: string) => `${prefix}:demo:invite`;

/** Whether real people (Telegram, Zalo accounts) use this store: then it is never demo-seeded. */
export async function hasRealAccounts(store: Store): Promise<boolean> {
  return (await store.identities.anyOn('telegram')) || (await store.identities.anyOn('zalo'));
}

/**
 * Whether this store holds demo data: simulator accounts (only the simulator makes them),
 * or the demo invite the seed keeps in plain text. A production store must not: the demo admin would be a real admin.
 */
export async function holdsDemo(store: Store, redis: Redis, prefix: string): Promise<boolean> {
  if (await store.identities.anyOn('sim')) return true;
  return (await redis.exists(inviteKey(prefix))) > 0;
}

/**
 * First start of the simulator: the preset's demo unit tree (campaigns/demo/<id>.csv,
 * invented names), an officer, a staff member of the issuer's office, a staff member of each
 * office of the review chains (for the officer's unit), an admin, and an invite code
 * for the newcomer. Runs once per store, and never on a store real people use
 * ('real-store': nothing seeded). `at` stamps the demo people: real time by default (the
 * demo is set up today, whatever date the simulator later shows).
 */
export async function seedDemo(store: Store, campaign: Campaign, redis: Redis, prefix: string, at: Date = realClock.now()): Promise<'seeded' | 'done-before' | 'real-store'> {
  const flag = seededFlag(prefix, campaign);
  if (await redis.get(flag)) return 'done-before';
  if (await hasRealAccounts(store)) return 'real-store';
  const csv = demoCsv(campaign);
  if (csv && (await store.units.count()) === 0) {
    const result = await importUnitsCsv(store, csv, ACTOR);
    if (!result.ok) throw new Error(`demo units for ${campaign.id}: ${result.errors.join('; ')}`);
  }
  const { officerUnit, staffUnit } = await demoUnits(store, campaign);
  const now = at.toISOString();
  const identity = (userId: string, role: 'officer' | 'staff' | 'admin', unitId: string | null) => ({
    channel: 'sim' as const,
    userId,
    personId: null,
    role,
    unitId,
    lang: 'vi' as const,
    lastInboundAt: null,
    unreachable: false,
    createdAt: now,
  });
  if (officerUnit) await store.identities.upsert(identity(DEMO.officer, 'officer', officerUnit.id), ACTOR);
  if (staffUnit) await store.identities.upsert(identity(DEMO.staff, 'staff', staffUnit.id), ACTOR);
  for (const o of await chainOffices(store, campaign, officerUnit)) await store.identities.upsert(identity(officeUser(o.officeId), 'staff', o.unit.id), ACTOR);
  await store.identities.upsert(identity(DEMO.admin, 'admin', null), ACTOR);
  if (officerUnit) {
    // Demo only: the plaintext is kept so the simulator can show it; real codes are stored hashed only.
    const code = await store.invites.create({ role: 'officer', unitId: officerUnit.id, ttlDays: 365, createdBy: ACTOR.id }, ACTOR);
    await redis.set(inviteKey(prefix), code);
  }
  await redis.set(flag, now);
  return 'seeded';
}

export async function demoUsers(store: Store, campaign: Campaign, redis: Redis, prefix: string): Promise<DemoUser[]> {
  const { officerUnit, staffUnit } = await demoUnits(store, campaign);
  const code = await redis.get(inviteKey(prefix));
  const offices = await chainOffices(store, campaign, officerUnit);
  return [
    { id: DEMO.officer, label: `Cán bộ ${officerUnit?.name ?? 'đơn vị'}` },
    { id: DEMO.staff, label: `Cán bộ theo dõi — ${staffUnit?.name ?? campaign.standingOffice.name.vi}` },
    ...offices.map((o) => ({ id: officeUser(o.officeId), label: `Cán bộ xét duyệt — ${o.unit.name}` })),
    { id: DEMO.admin, label: 'Quản trị phong trào' },
    { id: DEMO.newcomer, label: `Người mới${code ? ` (mã mời demo: ${code})` : ''}` },
  ];
}
