import type { Identity, Lang } from '../../domain/entities.js';
import { canManageGroup, isReviewer, scopeOf } from '../../domain/roles.js';
import { t } from '../../i18n.js';
import type { TelegramAction } from './normalize.js';
import type { TelegramCore } from './shared.js';

type GroupCommand = Extract<TelegramAction, { kind: 'group_command' }>;

/**
 * Commands typed in a group chat: `/lienket [unit code]` links the group to an office (its
 * staff alerts are posted there too), `/huylienket` unlinks it. Only admins and staff of an
 * office, within their own subtree (canManageGroup, src/domain/roles.ts). The links live in
 * the store (store.groupLinks).
 */
export class TelegramGroupAdmin {
  constructor(private readonly core: TelegramCore) {}

  /** The notice to post in the group; null for a command meant for another bot (stay quiet). */
  async command(a: GroupCommand): Promise<string | null> {
    const identity = await this.core.opts.store.identities.get('telegram', a.userId);
    const lang = identity?.lang ?? 'vi';
    if (a.command === 'lienket') return this.link(a, identity, lang);
    if (a.command === 'huylienket') return this.unlink(a, identity, lang);
    if (['start', 'help', 'menu'].includes(a.command)) return t(lang, 'telegram.group_private_only', { bot: this.bot });
    return null;
  }

  private get bot(): string {
    return `@${this.core.bot.botInfo.username}`;
  }

  private async link(a: GroupCommand, identity: Identity | null, lang: Lang): Promise<string> {
    if (!identity || !isReviewer(identity)) return t(lang, 'telegram.group_not_allowed', { bot: this.bot });
    const { store } = this.core.opts;
    let office = identity.unitId;
    if (a.args) {
      const unit = await store.units.getByCode(a.args);
      if (!unit || !canManageGroup(identity, await scopeOf(identity, store.units), unit.id)) return t(lang, 'telegram.group_unit_unknown', { code: a.args.slice(0, 40) });
      office = unit.id;
    }
    const actor = { id: `telegram:${a.userId}`, role: identity.role, channel: 'telegram' };
    await store.groupLinks.link({ chatId: a.chatId, title: a.title.slice(0, 255), officeUnitId: office, linkedBy: actor.id, linkedAt: this.core.now().toISOString() }, actor);
    const name = office ? ((await store.units.get(office))?.name ?? office) : t(lang, 'telegram.group_all_units');
    return t(lang, 'telegram.group_linked', { office: name });
  }

  private async unlink(a: GroupCommand, identity: Identity | null, lang: Lang): Promise<string> {
    if (!identity || !isReviewer(identity)) return t(lang, 'telegram.group_not_allowed', { bot: this.bot });
    const { store } = this.core.opts;
    const link = await store.groupLinks.get(a.chatId);
    if (!link) return t(lang, 'telegram.group_not_linked');
    if (!canManageGroup(identity, await scopeOf(identity, store.units), link.officeUnitId)) return t(lang, 'telegram.group_not_allowed', { bot: this.bot });
    await store.groupLinks.unlink(a.chatId, { id: `telegram:${a.userId}`, role: identity.role, channel: 'telegram' }, this.core.now());
    return t(lang, 'telegram.group_unlinked');
  }
}
