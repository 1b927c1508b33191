import { inviteSchema, type Invite } from '../domain/entities.js';
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import { formatInviteCode, hashInviteCode, newInviteCode, secretCheck } from './invite-codes.js';
import { DEFAULT_GUESS_LIMITS, inviteGuard, type GuessLimits } from './invite-guard.js';
import { decode, encode, mget } from './codec.js';
import { mutate, toActor, type Actor } from './tx.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface InviteOptions {
  /** HMAC key for stored codes (INVITE_SECRET, or the one generated into DATA_DIR: src/config/invite-secret.ts). */
  secret?: string;
  /** Failed-redemption limits (tests shorten the window). */
  limits?: Partial<GuessLimits>;
}

/** What a typed code gave: the invite, a wrong/used/expired code, or "wait" (too many wrong codes). */
export type Redemption =
  | { ok: true; invite: Invite }
  | { ok: false; why: 'unknown' }
  | { ok: false; why: 'wait'; scope: 'user' | 'all'; retryInMs: number; pauseStarted: boolean };

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
 * One-time invite codes. Only HMAC-SHA256(secret, canonical code) is stored, under a key
 * that expires (PX) with the invite; the plaintext is returned once, by create().
 */
export function invitesRepo(ctx: StoreContext, opts: InviteOptions = {}) {
  const { redis, k } = ctx;
  const guard = inviteGuard(redis, k.invitesFailed, { ...DEFAULT_GUESS_LIMITS, ...opts.limits });
  function secret(): string {
    if (!opts.secret) throw new Error('invites need a secret: createStore(redis, { inviteSecret })');
    return opts.secret;
  }
  const hashOf = (code: string) => hashInviteCode(code, secret());

  async function issue(input: NewInvite, actor: Actor): Promise<{ code: string; invite: Invite }> {
    const ttlMs = Math.round(input.ttlMs ?? (input.ttlDays ?? 7) * DAY_MS);
    if (!(ttlMs > 0)) throw new StoreError('invalid', 'an invite needs a positive lifetime');
    const code = newInviteCode();
    const now = ctx.now();
    const { value: invite, json } = encode(
      inviteSchema,
      {
        codeHash: hashOf(code)!,
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
    // A collision (2^-61 per live invite) fails the guard: a caller would simply retry.
    if (!(await tx.exec(redis))) throw new StoreError('conflict', 'invite code collision; try again');
    return { code: formatInviteCode(code), invite };
  }

  /** Uses the invite stored under `hash`: returns it exactly once, null when there is none (or it expired). */
  async function use(hash: string, actor: Actor): Promise<Invite | null> {
    const key = k.invite(hash);
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
     * same code one wins), null for an unknown, expired, revoked or used code. No guessing
     * limit: what people type goes through redeem().
     */
    async consume(code: string, by: Actor | string): Promise<Invite | null> {
      const hash = hashOf(code);
      return hash ? use(hash, toActor(by)) : null;
    },

    /**
     * consume() for a code someone typed, under the failed-attempt limits: per chat account,
     * and across all accounts (then every redemption waits until the window ends).
     */
    async redeem(code: string, by: Actor | string): Promise<Redemption> {
      const hash = hashOf(code);
      // Not of the code's shape: nothing is looked up, so nothing is counted.
      if (!hash) return { ok: false, why: 'unknown' };
      const actor = toActor(by);
      const ticket = await guard.ticket(actor.id);
      if (!ticket.ok) return { ok: false, why: 'wait', scope: ticket.scope, retryInMs: ticket.retryInMs, pauseStarted: ticket.pauseStarted };
      const invite = await use(hash, actor);
      if (!invite) return { ok: false, why: 'unknown' };
      await ticket.refund();
      return { ok: true, invite };
    },

    /**
     * Records this process's secret in Redis the first time; throws when another process
     * recorded a different one (its codes would never match here).
     */
    async checkSecret(): Promise<void> {
      const mine = secretCheck(secret());
      if (await redis.set(k.invitesKeyCheck, mine, 'NX')) return;
      if ((await redis.get(k.invitesKeyCheck)) === mine) return;
      throw new Error(
        `INVITE_SECRET differs from the one the invite codes in this Redis (prefix ${k.prefix}) were made with: set the same INVITE_SECRET on every web, worker and CLI process. ` +
          `To replace it on purpose, delete the key ${k.invitesKeyCheck} (unused codes then stop working).`,
      );
    },

    /** Cancels an unused invite, given its code or its hash. false if there is none. */
    async revoke(codeOrHash: string, actor: Actor): Promise<boolean> {
      const hash = /^[0-9a-f]{64}$/.test(codeOrHash) ? codeOrHash : hashOf(codeOrHash);
      if (!hash) return false;
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
