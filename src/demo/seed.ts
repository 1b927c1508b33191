import fs from 'node:fs';
import { fromRoot } from '../paths.js';
import type { Redis } from 'ioredis';
import type { Campaign } from '../campaign/schema.js';
import type { Unit } from '../domain/entities.js';
import { importUnitsCsv, type Store } from '../store/index.js';
import type { DemoUser } from '../channels/simulator/routes.js';

const ACTOR = { id: 'demo-seed', role: 'admin', channel: 'cli' };

/** Demo chat users of the simulator; their roles are set up by seedDemo. */
const DEMO = { officer: 'can-bo-don-vi', staff: 'can-bo-huyen', admin: 'quan-tri', newcomer: 'nguoi-moi' } as const;

function demoCsv(campaign: Campaign): string | null {
  const file = fromRoot('campaigns', 'demo', `${campaign.id}.csv`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
}

async function demoUnits(store: Store): Promise<{ officerUnit?: Unit; staffUnit?: Unit }> {
  const units = await store.units.all();
  const pick = (...levels: Unit['level'][]) => levels.map((l) => units.find((u) => u.level === l)).find(Boolean);
  return { officerUnit: pick('hamlet', 'commune', 'district'), staffUnit: pick('district', 'province') };
}

/**
 * First start of the simulator: the preset's demo unit tree (campaigns/demo/<id>.csv,
 * invented names), an officer, a district staff member, an admin, and an invite code
 * for the newcomer. Runs once per Redis database.
 */
export async function seedDemo(store: Store, campaign: Campaign, redis: Redis, prefix: string): Promise<void> {
  const flag = `${prefix}:demo:seeded:${campaign.id}`;
  if (await redis.get(flag)) return;
  const csv = demoCsv(campaign);
  if (csv && (await store.units.count()) === 0) {
    const result = await importUnitsCsv(store, csv, ACTOR);
    if (!result.ok) throw new Error(`demo units for ${campaign.id}: ${result.errors.join('; ')}`);
  }
  const { officerUnit, staffUnit } = await demoUnits(store);
  const now = new Date().toISOString();
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
  await store.identities.upsert(identity(DEMO.admin, 'admin', null), ACTOR);
  if (officerUnit) {
    // Demo only: the plaintext is kept so the simulator can show it; real codes are stored hashed only.
    const code = await store.invites.create({ role: 'officer', unitId: officerUnit.id, ttlDays: 365, createdBy: ACTOR.id }, ACTOR);
    await redis.set(`${prefix}:demo:invite`, code);
  }
  await redis.set(flag, now);
}

export async function demoUsers(store: Store, redis: Redis, prefix: string): Promise<DemoUser[]> {
  const { officerUnit, staffUnit } = await demoUnits(store);
  const code = await redis.get(`${prefix}:demo:invite`);
  return [
    { id: DEMO.officer, label: `Cán bộ ${officerUnit?.name ?? 'đơn vị'}` },
    { id: DEMO.staff, label: `Cán bộ theo dõi — ${staffUnit?.name ?? 'huyện'}` },
    { id: DEMO.admin, label: 'Quản trị phong trào' },
    { id: DEMO.newcomer, label: `Người mới${code ? ` (mã mời demo: ${code})` : ''}` },
  ];
}
