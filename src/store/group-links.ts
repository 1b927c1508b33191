import { z } from 'zod';
import type { Unit } from '../domain/entities.js';
import type { StoreContext } from './context.js';
import type { Actor } from './tx.js';

/**
 * Staff group chats linked to an office (Telegram `/lienket`), so alerts about the
 * office's units are posted there too. The Telegram channel links and unlinks them, the
 * jobs read them. Keys `{prefix}:tg:group:<chatId>` (JSON GroupLink) and `{prefix}:tg:groups`
 * (set of chat ids). Every change is one atomic transaction with an audit entry (entity
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

export function groupLinksRepo(ctx: StoreContext, units: { get(id: string): Promise<Unit | null> }) {
  const { redis, k } = ctx;

  const repo = {
    async get(chatId: string): Promise<GroupLink | null> {
      const raw = await redis.get(k.groupLink(chatId));
      if (!raw) return null;
      const parsed = groupLinkSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    },

    async link(link: GroupLink, actor: Actor): Promise<GroupLink> {
      const value = groupLinkSchema.parse(link);
      const before = await repo.get(value.chatId);
      const tx = ctx.tx();
      tx.call('SET', k.groupLink(value.chatId), JSON.stringify(value));
      tx.call('SADD', k.groupLinks, value.chatId);
      tx.audit({ actor, action: 'telegram_group.link', entity: 'telegram_group', entityId: `telegram:${value.chatId}`, before, after: value, at: value.linkedAt });
      await tx.exec(redis);
      return value;
    },

    /** false when the group was not linked. */
    async unlink(chatId: string, actor: Actor, at: Date = ctx.now()): Promise<boolean> {
      const before = await repo.get(chatId);
      if (!before) return false;
      const tx = ctx.tx();
      tx.call('DEL', k.groupLink(chatId));
      tx.call('SREM', k.groupLinks, chatId);
      tx.audit({ actor, action: 'telegram_group.unlink', entity: 'telegram_group', entityId: `telegram:${chatId}`, before, after: null, at: at.toISOString() });
      await tx.exec(redis);
      return true;
    },

    /** A group that became a supergroup keeps its link under the new chat id. */
    async migrate(from: string, to: string, actor: Actor, at: Date = ctx.now()): Promise<boolean> {
      const link = await repo.get(from);
      if (!link) return false;
      await repo.link({ ...link, chatId: to, linkedAt: at.toISOString() }, actor);
      await repo.unlink(from, actor, at);
      return true;
    },

    async all(): Promise<GroupLink[]> {
      const ids = await redis.smembers(k.groupLinks);
      const out: GroupLink[] = [];
      for (const id of ids.sort()) {
        const link = await repo.get(id);
        if (link) out.push(link);
      }
      return out;
    },

    /** Groups that should hear about `unitId`: linked to the unit itself, to any office above it, or to the whole campaign. */
    async forUnit(unitId: string): Promise<GroupLink[]> {
      const links = await repo.all();
      if (links.length === 0) return [];
      const chain = new Set<string>();
      let current = await units.get(unitId);
      for (let depth = 0; current && depth < 20; depth++) {
        chain.add(current.id);
        current = current.parentId ? await units.get(current.parentId) : null;
      }
      return links.filter((l) => l.officeUnitId === null || chain.has(l.officeUnitId));
    },
  };
  return repo;
}
export type GroupLinksRepo = ReturnType<typeof groupLinksRepo>;
