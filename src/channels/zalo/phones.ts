import type { Redis } from 'ioredis';

/**
 * Phone numbers Zalo users shared with the OA themselves (a `user_submit_info` event, the
 * answer to a request_user_info message): the only phones we use for ZNS. Kept in one
 * hash `{p}:zalo:phones` (user id → JSON {phone: "84…", at}); never logged.
 */
export class ZaloPhones {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}:zalo:phones`;
  }

  /** "0912 345 678", "+84912345678", "84912345678" → "84912345678"; null if not a Vietnamese mobile. */
  static normalise(raw: string): string | null {
    const digits = raw.replace(/[\s.()-]/g, '').replace(/^\+/, '');
    const national = digits.startsWith('84') ? digits.slice(2) : digits.startsWith('0') ? digits.slice(1) : null;
    if (!national || !/^[35789]\d{8}$/.test(national)) return null;
    return `84${national}`;
  }

  async save(userId: string, rawPhone: string, at: Date): Promise<boolean> {
    const phone = ZaloPhones.normalise(rawPhone);
    if (!phone) return false;
    await this.redis.hset(this.key, userId, JSON.stringify({ phone, at: at.toISOString() }));
    return true;
  }

  async get(userId: string): Promise<string | null> {
    const raw = await this.redis.hget(this.key, userId);
    if (!raw) return null;
    try {
      return (JSON.parse(raw) as { phone?: string }).phone ?? null;
    } catch {
      return null;
    }
  }

  async forget(userId: string): Promise<void> {
    await this.redis.hdel(this.key, userId);
  }
}
