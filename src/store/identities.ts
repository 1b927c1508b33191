import type { z } from 'zod';
import { identitySchema, type Channel, type Identity, type Lang, type Role } from '../domain/entities.js';
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import { decode, encode, mget, sscanAll } from './codec.js';
import { CONFIG_ACTOR, mutate, SYSTEM_ACTOR, type Actor } from './tx.js';

export type IdentityInput = z.input<typeof identitySchema>;
export type IdentityPatch = Partial<Pick<Identity, 'personId' | 'role' | 'unitId' | 'lang' | 'unreachable' | 'lastInboundAt'>>;

const member = (channel: string, userId: string) => `${channel}:${userId}`;

/** Where an identity is kept: its record, the last-inbound hash and its member name in that hash. */
export interface IdentityRef {
  key: string;
  lastInboundKey: string;
  member: string;
}
function splitMember(m: string): [string, string] {
  const i = m.indexOf(':');
  return [m.slice(0, i), m.slice(i + 1)];
}
const later = (a: string | null, b: string | null | undefined) => (!b ? a : !a || b > a ? b : a);

/**
 * Chat accounts. `lastInboundAt` is kept in a hash (`touchInbound` is one HSET on
 * every inbound message) and merged into the record on read.
 */
export function identitiesRepo(ctx: StoreContext) {
  const { redis, k } = ctx;

  /** An identity from its stored record and last-inbound time (as read by readRaw or a script). */
  function fromStored(raw: string | null, last: string | null): Identity | null {
    const identity = decode(identitySchema, raw, 'identity');
    if (identity) identity.lastInboundAt = later(identity.lastInboundAt, last);
    return identity;
  }

  async function readRaw(channel: string, userId: string): Promise<{ raw: string | null; identity: Identity | null }> {
    const [[e1, raw], [e2, last]] = ((await redis.pipeline().get(k.identity(channel, userId)).hget(k.identityLastInbound, member(channel, userId)).exec()) ?? []) as [
      [Error | null, string | null],
      [Error | null, string | null],
    ];
    if (e1) throw e1;
    if (e2) throw e2;
    return { raw, identity: fromStored(raw, last) };
  }

  async function many(members: string[]): Promise<Identity[]> {
    if (members.length === 0) return [];
    const raws = await mget(redis, members.map((m) => k.identity(...splitMember(m))));
    const lasts: (string | null)[] = [];
    for (let i = 0; i < members.length; i += 1000) lasts.push(...(await redis.hmget(k.identityLastInbound, ...members.slice(i, i + 1000))));
    const out: Identity[] = [];
    raws.forEach((raw, i) => {
      const identity = decode(identitySchema, raw, 'identity');
      if (!identity) return;
      identity.lastInboundAt = later(identity.lastInboundAt, lasts[i]);
      out.push(identity);
    });
    return out.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  /** Writes `next` (validated) over `raw`/`before`, moving index entries; null = not found. */
  function write(before: Identity | null, raw: string | null, next: IdentityInput, actor: Actor, action: string, keepLastAdmin = true) {
    const { value: after, json } = encode(identitySchema, next, 'identity');
    const key = k.identity(after.channel, after.userId);
    const m = member(after.channel, after.userId);
    const tx = ctx.tx().eq(key, raw);
    tx.call('SET', key, json);
    tx.call('SADD', k.identities, m);
    if (before?.unitId !== after.unitId) {
      if (before?.unitId) tx.call('SREM', k.identitiesOfUnit(before.unitId), m);
      if (after.unitId) tx.call('SADD', k.identitiesOfUnit(after.unitId), m);
    }
    if (before?.role !== after.role) {
      if (before?.role) tx.call('SREM', k.identitiesOfRole(before.role), m);
      if (after.role) tx.call('SADD', k.identitiesOfRole(after.role), m);
    }
    if (after.lastInboundAt) tx.call('HSET', k.identityLastInbound, m, after.lastInboundAt);
    // An admin role ends only while another admin remains (checked in the same script).
    if (keepLastAdmin && before?.role === 'admin' && after.role !== 'admin') tx.more(k.identitiesOfRole('admin'), 1, 'last_admin', 'the last admin cannot be revoked');
    if (after.role !== 'admin') tx.call('SREM', k.configAdmins, m);
    tx.audit({ actor, action, entity: 'identity', entityId: m, before, after, at: ctx.now().toISOString() });
    return { tx, result: after };
  }

  async function update(channel: Channel, userId: string, patch: IdentityPatch, actor: Actor): Promise<Identity> {
    return mutate(redis, async () => {
      const { raw, identity: before } = await readRaw(channel, userId);
      if (!before) throw new StoreError('not_found', `no identity ${member(channel, userId)}`, { channel, userId });
      return write(before, raw, { ...before, ...patch, channel, userId, createdAt: before.createdAt }, actor, 'identity.update');
    });
  }

  return {
    async get(channel: Channel, userId: string): Promise<Identity | null> {
      return (await readRaw(channel, userId)).identity;
    },

    /** Creates or replaces the identity (createdAt of an existing one is kept). */
    async upsert(identity: IdentityInput, actor: Actor): Promise<Identity> {
      return mutate(redis, async () => {
        const { raw, identity: before } = await readRaw(identity.channel, identity.userId);
        return write(before, raw, { ...identity, createdAt: before?.createdAt ?? identity.createdAt }, actor, before ? 'identity.update' : 'identity.create');
      });
    },

    /** Partial change of an existing identity (not_found otherwise). */
    update,

    async setLang(channel: Channel, userId: string, lang: Lang, actor: Actor): Promise<Identity> {
      return update(channel, userId, { lang }, actor);
    },

    /**
     * Where an identity is kept, for the engine's per-message scripts: they read it with the
     * session and record the last inbound time with the session save (what touchInbound does).
     */
    ref(channel: Channel, userId: string): IdentityRef {
      return { key: k.identity(channel, userId), lastInboundKey: k.identityLastInbound, member: member(channel, userId) };
    },

    /** Decodes what such a script read (record and last-inbound time). */
    fromStored,

    /** Records the time of the latest inbound message: one HSET, not audited. */
    async touchInbound(channel: Channel, userId: string, at: Date): Promise<void> {
      await redis.hset(k.identityLastInbound, member(channel, userId), at.toISOString());
    },

    /**
     * The platform says the user blocked/unfollowed the bot (true) or wrote again (false).
     * Audited; a no-op (returns null) for an unknown account or when nothing changes.
     */
    async markUnreachable(channel: Channel, userId: string, unreachable: boolean, actor: Actor = SYSTEM_ACTOR): Promise<Identity | null> {
      return mutate(redis, async () => {
        const { raw, identity: before } = await readRaw(channel, userId);
        if (!before) return { tx: null, result: null };
        if (before.unreachable === unreachable) return { tx: null, result: before };
        return write(before, raw, { ...before, unreachable }, actor, 'identity.unreachable');
      });
    },

    /**
     * Ends the account's role and unit: they must join again with an invite. not_found for
     * an unknown account; last_admin when it is the only admin. Returns the identity before.
     */
    async revoke(channel: Channel, userId: string, actor: Actor): Promise<Identity> {
      return mutate(redis, async () => {
        const { raw, identity: before } = await readRaw(channel, userId);
        if (!before) throw new StoreError('not_found', `no identity ${member(channel, userId)}`, { channel, userId });
        if (before.role === null) return { tx: null, result: before };
        return { ...write(before, raw, { ...before, role: null, unitId: null }, actor, 'identity.revoke'), result: before };
      });
    },

    /**
     * Makes the admins the ADMINS setting lists (`channel:userId`) exactly its admins:
     * listed accounts become admins (created if never seen), and admins it made earlier
     * but no longer lists lose the role. Admins made otherwise (an admin invite) are left
     * alone. Audited with actor `config`; the config may remove the last admin.
     */
    async applyConfigAdmins(members: readonly string[], now: Date): Promise<{ promoted: string[]; demoted: string[] }> {
      const wanted = new Set(members);
      const promoted: string[] = [];
      const demoted: string[] = [];
      for (const m of wanted) {
        const [channel, userId] = splitMember(m) as [Channel, string];
        const changed = await mutate(redis, async () => {
          const { raw, identity: before } = await readRaw(channel, userId);
          const marked = (await redis.sismember(k.configAdmins, m)) === 1;
          if (before?.role === 'admin' && marked) return { tx: null, result: false };
          const next: IdentityInput = before
            ? { ...before, role: 'admin', unitId: null }
            : { channel, userId, personId: null, role: 'admin', unitId: null, lang: 'vi', lastInboundAt: null, unreachable: false, createdAt: now.toISOString() };
          const w = write(before, raw, next, CONFIG_ACTOR, before ? 'identity.admin_from_config' : 'identity.create');
          w.tx.call('SADD', k.configAdmins, m);
          return { tx: w.tx, result: before?.role !== 'admin' };
        });
        if (changed) promoted.push(m);
      }
      for (const m of await sscanAll(redis, k.configAdmins)) {
        if (wanted.has(m)) continue;
        const [channel, userId] = splitMember(m) as [Channel, string];
        const was = await mutate(redis, async () => {
          const { raw, identity: before } = await readRaw(channel, userId);
          if (before?.role !== 'admin') return { tx: ctx.tx().call('SREM', k.configAdmins, m), result: false };
          // The config is the source of truth here, even for the last admin.
          const { tx } = write(before, raw, { ...before, role: null, unitId: null }, CONFIG_ACTOR, 'identity.admin_removed_from_config', false);
          return { tx, result: true };
        });
        if (was) demoted.push(m);
      }
      return { promoted, demoted };
    },

    /** Accounts acting for (officer) or reviewing (staff) this unit. */
    async listByUnit(unitId: string): Promise<Identity[]> {
      return many(await sscanAll(redis, k.identitiesOfUnit(unitId)));
    },

    async listByRole(role: Role): Promise<Identity[]> {
      return many(await sscanAll(redis, k.identitiesOfRole(role)));
    },

    async all(): Promise<Identity[]> {
      return many(await sscanAll(redis, k.identities));
    },

    async count(): Promise<number> {
      return redis.scard(k.identities);
    },

    /** Whether any account on this channel exists (a server-side filtered scan; stops at the first). */
    async anyOn(channel: Channel): Promise<boolean> {
      let cursor = '0';
      do {
        const [next, found] = await redis.sscan(k.identities, cursor, 'MATCH', `${channel}:*`, 'COUNT', 1000);
        if (found.length) return true;
        cursor = next;
      } while (cursor !== '0');
      return false;
    },
  };
}
export type IdentitiesRepo = ReturnType<typeof identitiesRepo>;
