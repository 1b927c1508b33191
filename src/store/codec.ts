import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { StoreError } from './errors.js';

/** How the repositories read and write values: schema checks both ways, batched reads, safe key segments. */

/** Validates with the entity schema before anything is written. */
export function encode<S extends z.ZodType>(schema: S, value: unknown, what: string): { value: z.output<S>; json: string } {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
    throw new StoreError('invalid', `invalid ${what}: ${issues}`, { issues: parsed.error.issues });
  }
  return { value: parsed.data, json: JSON.stringify(parsed.data) };
}

/** Parses and validates a stored value; corrupt data is an error, never silently used. */
export function decode<S extends z.ZodType>(schema: S, json: string | null, what: string): z.output<S> | null {
  if (json === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new StoreError('invalid', `stored ${what} is not JSON`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new StoreError('invalid', `stored ${what} fails its schema: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

/** MGET in batches; keeps order, null for missing. */
export async function mget(redis: Redis, keys: string[], batch = 1000): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (let i = 0; i < keys.length; i += batch) out.push(...(await redis.mget(keys.slice(i, i + batch))));
  return out;
}

const SMEMBERS_MANY_LUA = `
local out = {}
for i = 1, #KEYS do out[i] = redis.call('SMEMBERS', KEYS[i]) end
return out
`;
const SMEMBERS_MANY_SHA = createHash('sha1').update(SMEMBERS_MANY_LUA).digest('hex');

/** SMEMBERS of many sets, a few thousand per round trip (one read-only script call). */
export async function smembersMany(redis: Redis, keys: readonly string[], batch = 2000): Promise<string[][]> {
  const out: string[][] = [];
  for (let i = 0; i < keys.length; i += batch) {
    const chunk = keys.slice(i, i + batch);
    let res: unknown;
    try {
      res = await redis.evalsha(SMEMBERS_MANY_SHA, chunk.length, chunk);
    } catch (err) {
      if (!(err instanceof Error) || !/NOSCRIPT/.test(err.message)) throw err;
      res = await redis.eval(SMEMBERS_MANY_LUA, chunk.length, chunk);
    }
    out.push(...(res as string[][]));
  }
  return out;
}

/** Every member of a set, with SSCAN (never SMEMBERS on a set that can be large). */
export async function sscanAll(redis: Redis, key: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, members] = await redis.sscan(key, cursor, 'COUNT', 1000);
    cursor = next;
    out.push(...members);
  } while (cursor !== '0');
  return [...new Set(out)];
}

/** A key segment that cannot break the `:`-separated layout. */
export function seg(s: string | number): string {
  return encodeURIComponent(String(s));
}
