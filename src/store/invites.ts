import { createHash, randomInt } from 'node:crypto';
import { inviteSchema, type Invite } from '../domain/entities.js';
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import { decode, encode, mget, mutate, toActor, type Actor } from './tx.js';

/** No 0/O, 1/I/L: codes are read aloud and typed on phones. 31^8 ≈ 2^39.6. */
export const INVITE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const INVITE_LENGTH = 8;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Upper case, without spaces and dashes: "abcd-efgh " and "ABCDEFGH" are the same code. */
export function normalizeInviteCode(code: string): string {
  return code.replace(/[\s-]+/g, '').toUpperCase();
}

export function hashInviteCode(code: string): string {
  return createHash('sha256').update(normalizeInviteCode(code)).digest('hex');
}

const VALID = new RegExp(`^[${INVITE_ALPHABET}]{${INVITE_LENGTH}}$`);

export interface NewInvite {
  role: Invite['role'];
  unitId: string | null;
  /** Default 7. */
  ttlDays?: number;
  /** Overrides ttlDays (tests). */
  ttlMs?: number;
  createdBy: string;
}

/**
 * One-time invite codes. Only sha256(normalized code) is stored, under a key that
 * expires (PX) with the invite; the plaintext is returned once, by create().
 */
export function invitesRepo(ctx: StoreContext) {
  const { redis, k } = ctx;

  async function issue(input: NewInvite, actor: Actor): Promise<{ code: string; invite: Invite }> {
    const ttlMs = Math.round(input.ttlMs ?? (input.ttlDays ?? 7) * DAY_MS);
    if (!(ttlMs > 0)) throw new StoreError('invalid', 'an invite needs a positive lifetime');
    let code = '';
    for (let i = 0; i < INVITE_LENGTH; i++) code += INVITE_ALPHABET[randomInt(INVITE_ALPHABET.length)];
    const now = ctx.now();
    const { value: invite, json } = encode(
      inviteSchema,
      {
        codeHash: hashInviteCode(code),
        role: input.role,
        unitId: input.unitId,
        createdBy: input.createdBy,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
      },
      'invite',
    );
    const key = k.invite(invite.codeHash);
    const tx = ctx.tx().eq(key, null);
    tx.call('SET', key, json, 'PX', ttlMs);
    tx.call('ZADD', k.invites, Date.parse(invite.expiresAt), invite.codeHash);
    tx.audit({ actor, action: 'invite.create', entity: 'invite', entityId: invite.codeHash, before: null, after: invite, at: invite.createdAt });
    // A collision (2^-39 per live invite) fails the guard: a caller would simply retry.
    if (!(await tx.exec(redis))) throw new StoreError('conflict', 'invite code collision; try again');
    return { code, invite };
  }

  return {
    /** A new invite; returns its plaintext code, the only time it exists anywhere. */
    async create(input: NewInvite, actor: Actor): Promise<string> {
      return (await issue(input, actor)).code;
    },

    /** create(), also returning the stored record (role, unit, expiresAt, codeHash). */
    issue,

    /**
     * Uses an invite: returns it exactly once (atomic: of two concurrent calls with the
     * same code one wins), null for an unknown, expired, revoked or used code.
     */
    async consume(code: string, by: Actor | string): Promise<Invite | null> {
      const normalized = normalizeInviteCode(code);
      if (!VALID.test(normalized)) return null;
      const hash = hashInviteCode(normalized);
      const key = k.invite(hash);
      const actor = toActor(by);
      return mutate(redis, async () => {
        const raw = await redis.get(key);
        const invite = decode(inviteSchema, raw, 'invite');
        if (!invite) return { tx: null, result: null };
        const at = ctx.now().toISOString();
        if (invite.expiresAt <= at) return { tx: null, result: null };
        const tx = ctx.tx().eq(key, raw);
        tx.call('DEL', key);
        tx.call('ZREM', k.invites, hash);
        tx.audit({ actor, action: 'invite.consume', entity: 'invite', entityId: hash, before: invite, after: { usedBy: actor.id, usedAt: at }, at });
        return { tx, result: invite };
      });
    },

    /** Cancels an unused invite, given its code or its hash. false if there is none. */
    async revoke(codeOrHash: string, actor: Actor): Promise<boolean> {
      const hash = /^[0-9a-f]{64}$/.test(codeOrHash) ? codeOrHash : hashInviteCode(codeOrHash);
      const key = k.invite(hash);
      return mutate(redis, async () => {
        const raw = await redis.get(key);
        const invite = decode(inviteSchema, raw, 'invite');
        if (!invite) return { tx: null, result: false };
        const tx = ctx.tx().eq(key, raw);
        tx.call('DEL', key);
        tx.call('ZREM', k.invites, hash);
        tx.audit({ actor, action: 'invite.revoke', entity: 'invite', entityId: hash, before: invite, after: null, at: ctx.now().toISOString() });
        return { tx, result: true };
      });
    },

    /** Unused, unexpired invites (codes are not recoverable: only their hashes). */
    async listActive(): Promise<Invite[]> {
      await redis.zremrangebyscore(k.invites, '-inf', String(ctx.now().getTime()));
      const hashes = await redis.zrange(k.invites, '0', '-1');
      const raws = await mget(redis, hashes.map(k.invite));
      const at = ctx.now().toISOString();
      return raws
        .map((r) => decode(inviteSchema, r, 'invite'))
        .filter((i): i is Invite => i !== null && i.expiresAt > at)
        .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
    },
  };
}
export type InvitesRepo = ReturnType<typeof invitesRepo>;
