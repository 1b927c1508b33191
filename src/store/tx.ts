import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { StoreError, type StoreErrorCode } from './errors.js';
import { isCluster } from '../redis/connection.js';
import { execWithReplicas, replicaWait } from '../redis/durable.js';

/** Who made a change, as recorded in the audit stream. */
export interface Actor {
  /** e.g. `telegram:123`, `zalo:456`, `cli`, `system`. */
  id: string;
  role: string | null;
  channel: string;
  /**
   * For a chat user (`id` is `channel:userId`): the role and unit the engine authorised
   * this step under. Every change made with this actor is refused (`revoked`), in the same
   * script, unless the user's identity still holds exactly them: a revocation racing with
   * a step cannot slip through.
   */
  grant?: { role: string | null; unitId: string | null };
}

export const SYSTEM_ACTOR: Actor = { id: 'system', role: null, channel: 'system' };
export const CLI_ACTOR: Actor = { id: 'cli', role: 'admin', channel: 'cli' };
/** Changes that follow the ADMINS setting at start (src/ops/admins.ts). */
export const CONFIG_ACTOR: Actor = { id: 'config', role: null, channel: 'config' };

/** `channel:userId` strings (what flows pass as `by`) become an actor. */
export function toActor(by: Actor | string): Actor {
  if (typeof by !== 'string') return by;
  const i = by.indexOf(':');
  return { id: by, role: null, channel: i > 0 ? by.slice(0, i) : 'unknown' };
}

/**
 * One atomic change: guards (checked first; a failed guard writes nothing), then
 * writes and audit entries, run by one Lua script. Keys are declared in KEYS so a
 * prefix with a hash tag (`{td}`) keeps everything in one Redis Cluster slot.
 *
 * Wire format: ARGV[1] = number of ops; each op is `cmd, nkeys, nargs, key indexes…, args…`.
 * Ops: `#eq`/`#heq` (optimistic: value unchanged, else "conflict" and the caller
 * retries), `#absent`/`#exists`/`#habsent` (refusals with a StoreError code),
 * `#mset` (many keys), `#many` (one variadic command in chunks), `#audit` (XADD to the
 * stream + RPUSH of the entry id to each entity's index), or any single-key command.
 * Variadic calls are chunked: Lua's unpack() is limited to a few thousand values.
 */
const APPLY_LUA = `
local CHUNK = 4000
local i = 2
local nops = tonumber(ARGV[1])
for _ = 1, nops do
  local cmd = ARGV[i]
  local nk = tonumber(ARGV[i + 1])
  local na = tonumber(ARGV[i + 2])
  i = i + 3
  local k = {}
  for j = 1, nk do k[j] = KEYS[tonumber(ARGV[i])]; i = i + 1 end
  local a = {}
  for j = 1, na do a[j] = ARGV[i]; i = i + 1 end
  if cmd == '#eq' then
    local v = redis.call('GET', k[1])
    if na == 0 then
      if v then return {0, 'conflict', k[1]} end
    elseif v ~= a[1] then return {0, 'conflict', k[1]} end
  elseif cmd == '#heq' then
    local v = redis.call('HGET', k[1], a[1])
    if na == 1 then
      if v then return {0, 'conflict', k[1]} end
    elseif v ~= a[2] then return {0, 'conflict', k[1]} end
  elseif cmd == '#absent' then
    if redis.call('EXISTS', k[1]) == 1 then return {0, a[1], a[2]} end
  elseif cmd == '#exists' then
    if redis.call('EXISTS', k[1]) == 0 then return {0, a[1], a[2]} end
  elseif cmd == '#habsent' then
    -- a[1] code, a[2] message, a[3..] fields
    for s = 3, na, CHUNK do
      local e = math.min(s + CHUNK - 1, na)
      local found = redis.call('HMGET', k[1], unpack(a, s, e))
      for j = 1, #found do
        if found[j] then return {0, a[1], a[2] .. ' (' .. a[s + j - 1] .. ')'} end
      end
    end
  elseif cmd == '#grant' then
    -- a[1] code, a[2] message, a[3] role ('' = none), a[4] unit id ('' = none)
    local v = redis.call('GET', k[1])
    local role, unit = '', ''
    if v then
      local rec = cjson.decode(v)
      if type(rec.role) == 'string' then role = rec.role end
      if type(rec.unitId) == 'string' then unit = rec.unitId end
    end
    if role ~= a[3] or unit ~= a[4] then return {0, a[1], a[2]} end
  elseif cmd == '#more' then
    -- a[1] code, a[2] message, a[3] n
    if redis.call('SCARD', k[1]) <= tonumber(a[3]) then return {0, a[1], a[2]} end
  elseif cmd == '#mset' then
    local step = CHUNK / 2
    for s = 1, nk, step do
      local e = math.min(s + step - 1, nk)
      local kv = {}
      for j = s, e do kv[#kv + 1] = k[j]; kv[#kv + 1] = a[j] end
      redis.call('MSET', unpack(kv))
    end
  elseif cmd == '#many' then
    -- a[1] command, a[2] group size, a[3..] items; chunks never split a group
    local group = tonumber(a[2])
    local step = math.floor(CHUNK / group) * group
    for s = 3, na, step do
      redis.call(a[1], k[1], unpack(a, s, math.min(s + step - 1, na)))
    end
  elseif cmd == '#audit' then
    -- k[1] stream, k[2..] entity indexes; a[1..6] actor role channel action entity at;
    -- then (entityId, before, after) per entity
    for j = 2, nk do
      local b = 7 + (j - 2) * 3
      local id = redis.call('XADD', k[1], '*', 'actor', a[1], 'role', a[2], 'channel', a[3], 'action', a[4],
        'entity', a[5], 'entityId', a[b], 'before', a[b + 1], 'after', a[b + 2], 'at', a[6])
      redis.call('RPUSH', k[j], id)
    end
  else
    redis.call(cmd, k[1], unpack(a))
  end
end
return {1}
`;
const APPLY_SHA = createHash('sha1').update(APPLY_LUA).digest('hex');

export interface AuditCommon {
  actor: Actor;
  action: string;
  entity: string;
  at: string;
}
export interface AuditItem {
  entityId: string;
  before: unknown;
  after: unknown;
}
export type AuditInput = AuditCommon & AuditItem;

type Arg = string | number;
const json = (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v));

/** Clients that have the script loaded (SCRIPT LOAD once, then EVALSHA). */
const loaded = new WeakMap<Redis, Promise<unknown>>();
function ensureScript(redis: Redis): Promise<unknown> {
  let p = loaded.get(redis);
  if (!p) {
    p = redis.script('LOAD', APPLY_LUA).catch((err: unknown) => {
      loaded.delete(redis);
      throw err;
    });
    loaded.set(redis, p);
  }
  return p;
}

/** One server: SCRIPT LOAD once per client, then EVALSHA. */
async function applyOnServer(redis: Redis, nKeys: number, argv: string[]): Promise<unknown> {
  await ensureScript(redis);
  try {
    return await redis.evalsha(APPLY_SHA, nKeys, argv);
  } catch (err) {
    if (!(err instanceof Error) || !/NOSCRIPT/.test(err.message)) throw err;
    // The server lost its script cache (restart, SCRIPT FLUSH): load again, once.
    loaded.delete(redis);
    await ensureScript(redis);
    return redis.evalsha(APPLY_SHA, nKeys, argv);
  }
}

/**
 * A cluster (or a client that waits for replicas): SCRIPT LOAD would reach a random node,
 * so EVALSHA, and EVAL where that master does not know the script yet (first use, a
 * promoted replica); each followed by WAIT on the same connection when configured.
 */
async function applyOnSlot(redis: Redis, nKeys: number, argv: string[]): Promise<unknown> {
  let [[err, res]] = (await execWithReplicas(redis, (p) => p.evalsha(APPLY_SHA, nKeys, argv))) as [[Error | null, unknown]];
  if (err && /NOSCRIPT/.test(err.message)) [[err, res]] = (await execWithReplicas(redis, (p) => p.eval(APPLY_LUA, nKeys, argv))) as [[Error | null, unknown]];
  if (err) throw err;
  return res;
}

export class Tx {
  private readonly keys: string[] = [];
  private readonly keyIndex = new Map<string, number>();
  private readonly guards: Arg[] = [];
  private readonly writes: Arg[] = [];
  private nGuards = 0;
  private nWrites = 0;

  private readonly granted = new Set<string>();

  constructor(
    private readonly auditKey: string,
    private readonly auditIndexKey: (entityId: string) => string,
    /** The identity record of a `channel:userId` actor, for `Actor.grant`. */
    private readonly identityKey?: (channel: string, userId: string) => string,
  ) {}

  private k(key: string): number {
    let i = this.keyIndex.get(key);
    if (i === undefined) {
      this.keys.push(key);
      i = this.keys.length;
      this.keyIndex.set(key, i);
    }
    return i;
  }

  private op(list: 'guards' | 'writes', cmd: string, keys: readonly string[], args: readonly Arg[]): this {
    const out = this[list];
    out.push(cmd, keys.length, args.length);
    for (const key of keys) out.push(this.k(key));
    for (const a of args) out.push(a);
    if (list === 'guards') this.nGuards++;
    else this.nWrites++;
    return this;
  }

  /** Optimistic check: the string at `key` is still `expected` (null: still absent); else retry. */
  eq(key: string, expected: string | null): this {
    return this.op('guards', '#eq', [key], expected === null ? [] : [expected]);
  }
  /** Optimistic check on one hash field (null: still absent); else retry. */
  heq(key: string, field: string, expected: string | null): this {
    return this.op('guards', '#heq', [key], expected === null ? [field] : [field, expected]);
  }
  absent(key: string, code: StoreErrorCode, message: string): this {
    return this.op('guards', '#absent', [key], [code, message]);
  }
  exists(key: string, code: StoreErrorCode, message: string): this {
    return this.op('guards', '#exists', [key], [code, message]);
  }
  /** None of these hash fields exists, else StoreError(code, `message (field)`). */
  hAbsent(key: string, fields: string | readonly string[], code: StoreErrorCode, message: string): this {
    return this.op('guards', '#habsent', [key], [code, message, ...(typeof fields === 'string' ? [fields] : fields)]);
  }

  /** The identity record at `key` still has exactly this role and unit, else StoreError(code). */
  grant(key: string, role: string | null, unitId: string | null, code: StoreErrorCode, message: string): this {
    return this.op('guards', '#grant', [key], [code, message, role ?? '', unitId ?? '']);
  }
  /** The set at `key` has more than `n` members, else StoreError(code). */
  more(key: string, n: number, code: StoreErrorCode, message: string): this {
    return this.op('guards', '#more', [key], [code, message, n]);
  }

  /** Any single-key Redis write: `call('SADD', key, member)`. */
  call(cmd: string, key: string, ...args: Arg[]): this {
    return this.op('writes', cmd, [key], args);
  }
  /** One variadic command over many items (`group` values per item, e.g. 2 for HSET). */
  many(cmd: string, key: string, items: readonly Arg[], group = 1): this {
    if (items.length === 0) return this;
    return this.op('writes', '#many', [key], [cmd, group, ...items]);
  }
  /** SET of many keys (MSET in chunks). */
  mset(entries: readonly (readonly [string, string])[]): this {
    if (entries.length === 0) return this;
    return this.op('writes', '#mset', entries.map(([key]) => key), entries.map(([, v]) => v));
  }

  audit(e: AuditInput): this {
    return this.auditMany(e, [e]);
  }
  /** One audit entry per item, sharing actor, action, entity and time. */
  auditMany(c: AuditCommon, items: readonly AuditItem[]): this {
    if (items.length === 0) return this;
    this.guardActor(c.actor);
    const args: Arg[] = [c.actor.id, c.actor.role ?? '', c.actor.channel, c.action, c.entity, c.at];
    for (const it of items) args.push(it.entityId, json(it.before), json(it.after));
    return this.op('writes', '#audit', [this.auditKey, ...items.map((it) => this.auditIndexKey(it.entityId))], args);
  }

  /** Every change is audited with its actor: a chat user's grant is checked once per change. */
  private guardActor(actor: Actor): void {
    const i = actor.id.indexOf(':');
    if (!actor.grant || !this.identityKey || i <= 0 || this.granted.has(actor.id)) return;
    this.granted.add(actor.id);
    this.grant(this.identityKey(actor.id.slice(0, i), actor.id.slice(i + 1)), actor.grant.role, actor.grant.unitId, 'revoked', `${actor.channel} user's access changed`);
  }

  get size(): number {
    return this.nGuards + this.nWrites;
  }

  /** Runs the change. Returns false when an optimistic guard failed (the caller retries). */
  async exec(redis: Redis): Promise<boolean> {
    // Built without spreading: an import has hundreds of thousands of arguments.
    const argv = this.keys.concat([String(this.nGuards + this.nWrites)], this.guards.map(String), this.writes.map(String));
    const res = replicaWait(redis) || isCluster(redis) ? await applyOnSlot(redis, this.keys.length, argv) : await applyOnServer(redis, this.keys.length, argv);
    const [ok, code, message] = res as [number, string?, string?];
    if (ok === 1) return true;
    if (code === 'conflict') return false;
    throw new StoreError((code ?? 'invalid') as StoreErrorCode, message ?? 'refused');
  }
}

const MAX_ATTEMPTS = 20;

/**
 * Read-compute-write with optimistic guards: `attempt` reads what it needs, returns a
 * Tx guarded on what it read (plus a result), or a final value with no write. Retries
 * when another writer got there first.
 */
export async function mutate<T>(redis: Redis, attempt: () => Promise<{ tx: Tx | null; result: T }>): Promise<T> {
  for (let n = 0; n < MAX_ATTEMPTS; n++) {
    const { tx, result } = await attempt();
    if (!tx || (await tx.exec(redis))) return result;
    await new Promise((r) => setTimeout(r, Math.min(50, 2 ** n)));
  }
  throw new StoreError('conflict', 'the record kept changing; try again');
}
