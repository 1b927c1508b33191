import type { Redis } from 'ioredis';
import { keyspace, type Keyspace } from './keys.js';
import { Tx } from './tx.js';

/** What every repository shares. */
export interface StoreContext {
  redis: Redis;
  k: Keyspace;
  now: () => Date;
  /** A new atomic change that writes to this store's audit stream. */
  tx(): Tx;
  /** A short id like `u_12` (HINCRBY on `{prefix}:seq`). */
  nextId(kind: IdKind): Promise<string>;
  /** `count` consecutive ids, for bulk imports. */
  nextIds(kind: IdKind, count: number): Promise<string[]>;
}

export const ID_PREFIX = {
  unit: 'u',
  person: 'p',
  registration: 'r',
  report: 'rp',
  nomination: 'n',
} as const;
export type IdKind = keyof typeof ID_PREFIX;

export function createContext(redis: Redis, prefix: string, now: () => Date): StoreContext {
  const k = keyspace(prefix);
  return {
    redis,
    k,
    now,
    tx: () => new Tx(k.audit, k.auditOf, k.identity),
    async nextId(kind) {
      const n = await redis.hincrby(k.seq, kind, 1);
      return `${ID_PREFIX[kind]}_${n}`;
    },
    async nextIds(kind, count) {
      if (count <= 0) return [];
      const last = await redis.hincrby(k.seq, kind, count);
      return Array.from({ length: count }, (_, i) => `${ID_PREFIX[kind]}_${last - count + 1 + i}`);
    },
  };
}

/** Numeric order of generated ids (`u_2` before `u_10`). */
export function byIdNumber(a: { id: string }, b: { id: string }): number {
  const na = Number(a.id.slice(a.id.lastIndexOf('_') + 1));
  const nb = Number(b.id.slice(b.id.lastIndexOf('_') + 1));
  return na - nb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
