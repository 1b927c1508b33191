import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Actor, Store } from '../../store/index.js';

/**
 * Staff group chats linked to an office, so alerts about the office's units can be
 * posted there. Keys (next to the store's, same prefix):
 *   `{prefix}:tg:group:<chatId>`  JSON GroupLink
 *   `{prefix}:tg:groups`          set of linked chat ids
 * Every change is one atomic store transaction with an audit entry (entity
 * `telegram_group`, id `telegram:<chatId>`).
 */
export const groupLinkSchema = z.object({
  chatId: z.string().regex(/^-\d{1,20}$/),
  title: z.string().max(255),
  /** The office (a unit) whose subtree the group follows; null: the whole campaign (linked by an admin). */
  officeUnitId: z.string().min(1).max(64).nullable(),
  linkedBy: z.string(),
  linkedAt: z.string().datetime(),
});
export type GroupLink = z.infer<typeof groupLinkSchema>;

export class TelegramGroups {
  private readonly redis: Redis;

  constructor(
    private readonly store: Store,
    private readonly prefix: string,
  ) {
    this.redis = store.context.redis;
  }

  private key(chatId: string) {
    return `${this.prefix}:tg:group:${chatId}`;
  }
  private get setKey() {
    return `${this.prefix}:tg:groups`;
  }

  async get(chatId: string): Promise<GroupLink | null> {
    const raw = await this.redis.get(this.key(chatId));
    if (!raw) return null;
    const parsed = groupLinkSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  }

  async link(link: GroupLink, actor: Actor): Promise<GroupLink> {
    const value = groupLinkSchema.parse(link);
    const before = await this.get(value.chatId);
    const tx = this.store.context.tx();
    tx.call('SET', this.key(value.chatId), JSON.stringify(value));
    tx.call('SADD', this.setKey, value.chatId);
    tx.audit({ actor, action: 'telegram_group.link', entity: 'telegram_group', entityId: `telegram:${value.chatId}`, before, after: value, at: value.linkedAt });
    await tx.exec(this.redis);
    return value;
  }

  /** false when the group was not linked. */
  async unlink(chatId: string, actor: Actor, at: Date = new Date()): Promise<boolean> {
    const before = await this.get(chatId);
    if (!before) return false;
    const tx = this.store.context.tx();
    tx.call('DEL', this.key(chatId));
    tx.call('SREM', this.setKey, chatId);
    tx.audit({ actor, action: 'telegram_group.unlink', entity: 'telegram_group', entityId: `telegram:${chatId}`, before, after: null, at: at.toISOString() });
    await tx.exec(this.redis);
    return true;
  }

  /** A group that became a supergroup keeps its link under the new chat id. */
  async migrate(from: string, to: string, actor: Actor, at: Date = new Date()): Promise<boolean> {
    const link = await this.get(from);
    if (!link) return false;
    await this.link({ ...link, chatId: to, linkedAt: at.toISOString() }, actor);
    await this.unlink(from, actor, at);
    return true;
  }

  async all(): Promise<GroupLink[]> {
    const ids = await this.redis.smembers(this.setKey);
    const out: GroupLink[] = [];
    for (const id of ids.sort()) {
      const link = await this.get(id);
      if (link) out.push(link);
    }
    return out;
  }

  /**
   * Groups that should hear about `unitId`: linked to the unit itself, to any office
   * above it, or to the whole campaign. For the jobs' dossier alerts.
   */
  async forUnit(unitId: string): Promise<GroupLink[]> {
    const links = await this.all();
    if (links.length === 0) return [];
    const chain = new Set<string>();
    let current = await this.store.units.get(unitId);
    for (let depth = 0; current && depth < 20; depth++) {
      chain.add(current.id);
      current = current.parentId ? await this.store.units.get(current.parentId) : null;
    }
    return links.filter((l) => l.officeUnitId === null || chain.has(l.officeUnitId));
  }
}
