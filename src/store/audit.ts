import type { StoreContext } from './context.js';
import type { Actor } from './tx.js';

export interface AuditEntry {
  /** Stream id (`ms-seq`, Redis server time of recording). */
  id: string;
  actor: string;
  role: string | null;
  channel: string;
  /** e.g. `registration.upsert`, `nomination.status`. */
  action: string;
  /** unit, person, identity, registration, report, nomination, invite */
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
  /** The store clock (ISO) when the change was made. */
  at: string;
}

export interface AuditQuery {
  /** Recorded at or after (Date, ISO string, or a stream id). */
  from?: Date | string;
  /** Recorded at or before. */
  to?: Date | string;
  entityId?: string;
  /** At most this many entries (default 100). */
  count?: number;
  /** Newest first (default oldest first). */
  newestFirst?: boolean;
}

type RawEntry = [id: string, fields: string[]];

function streamId(t: Date | string | undefined, end: 'start' | 'end'): string {
  if (t === undefined) return end === 'start' ? '-' : '+';
  if (typeof t === 'string' && /^\d+(-\d+)?$/.test(t)) return t;
  const ms = (typeof t === 'string' ? new Date(t) : t).getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not a time: ${String(t)}`);
  return end === 'start' ? `${ms}-0` : `${ms}-18446744073709551615`;
}

function parseJson(s: string | undefined): unknown {
  return s ? (JSON.parse(s) as unknown) : null;
}

function toEntry([id, fields]: RawEntry): AuditEntry {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  return {
    id,
    actor: f.actor ?? '',
    role: f.role ? f.role : null,
    channel: f.channel ?? '',
    action: f.action ?? '',
    entity: f.entity ?? '',
    entityId: f.entityId ?? '',
    before: parseJson(f.before),
    after: parseJson(f.after),
    at: f.at ?? '',
  };
}

function cmpId(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map((x) => BigInt(x));
  const [bm = 0n, bs = 0n] = b.split('-').map((x) => BigInt(x));
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

/** The append-only audit stream `{prefix}:audit` (never trimmed: it is the history). */
export function auditRepo(ctx: StoreContext) {
  const { redis, k } = ctx;

  async function byEntity(entityId: string, q: AuditQuery): Promise<AuditEntry[]> {
    const ids = await redis.lrange(k.auditOf(entityId), 0, -1);
    const lo = streamId(q.from, 'start');
    const hi = streamId(q.to, 'end');
    let wanted = ids.filter((id) => (lo === '-' || cmpId(id, lo) >= 0) && (hi === '+' || cmpId(id, hi) <= 0));
    if (q.newestFirst) wanted.reverse();
    wanted = wanted.slice(0, q.count ?? 100);
    if (wanted.length === 0) return [];
    const pipe = redis.pipeline();
    for (const id of wanted) pipe.xrange(k.audit, id, id);
    const res = (await pipe.exec()) ?? [];
    const out: AuditEntry[] = [];
    for (const [err, rows] of res) {
      if (err) throw err;
      const row = (rows as RawEntry[])[0];
      if (row) out.push(toEntry(row));
    }
    return out;
  }

  return {
    async list(q: AuditQuery = {}): Promise<AuditEntry[]> {
      if (q.entityId !== undefined) return byEntity(q.entityId, q);
      const count = q.count ?? 100;
      const lo = streamId(q.from, 'start');
      const hi = streamId(q.to, 'end');
      const rows = (
        q.newestFirst
          ? await redis.xrevrange(k.audit, hi, lo, 'COUNT', count)
          : await redis.xrange(k.audit, lo, hi, 'COUNT', count)
      ) as RawEntry[];
      return rows.map(toEntry);
    },
    /** Every entry about one entity (unit id, `channel:userId`, invite code hash …), oldest first. */
    forEntity(entityId: string): Promise<AuditEntry[]> {
      return byEntity(entityId, { count: Number.MAX_SAFE_INTEGER });
    },
    /**
     * An entry for an action that changes no record (a dashboard login, a download): who did
     * what to which entity. A chat user's grant is checked as for any change (`revoked`).
     */
    async record(actor: Actor, action: string, entity: string, entityId: string, details: unknown = null): Promise<void> {
      await ctx.tx().audit({ actor, action, entity, entityId, before: null, after: details, at: ctx.now().toISOString() }).exec(redis);
    },
    async length(): Promise<number> {
      return redis.xlen(k.audit);
    },
    /**
     * The id of the latest change ('' before the first): every change to the store's records
     * is audited in the same script, so this names the data's version (caches key on it).
     */
    /** Up to `count` entries recorded after the entry `id` ('' : from the start), oldest first. */
    async since(id: string, count: number): Promise<AuditEntry[]> {
      return ((await redis.xrange(k.audit, id ? `(${id}` : '-', '+', 'COUNT', count)) as RawEntry[]).map(toEntry);
    },
    async version(): Promise<string> {
      const [last] = (await redis.xrevrange(k.audit, '+', '-', 'COUNT', 1)) as RawEntry[];
      return last?.[0] ?? '';
    },
  };
}
export type AuditRepo = ReturnType<typeof auditRepo>;
