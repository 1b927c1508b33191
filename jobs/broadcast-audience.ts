import type { OutboundChannel } from '../src/channels/types.js';
import { hasJoined, type Audience, type Identity } from '../src/domain/index.js';
import type { Store } from '../src/store/index.js';

/** Everyone an audience names (joined chat accounts), unreachable ones included. */
export async function audienceMembers(store: Store, audience: Audience): Promise<Identity[]> {
  switch (audience.kind) {
    case 'all':
      return (await store.identities.all()).filter(hasJoined);
    case 'channel':
      return (await store.identities.all()).filter((i) => hasJoined(i) && i.channel === audience.channel);
    case 'staff':
      return store.identities.listByRole('staff');
    case 'level': {
      const officers = (await store.identities.listByRole('officer')).filter((i) => i.unitId !== null);
      const units = await store.units.getMany([...new Set(officers.map((i) => i.unitId!))]);
      const ids = new Set(units.filter((u) => u.level === audience.level).map((u) => u.id));
      return officers.filter((i) => ids.has(i.unitId!));
    }
    case 'office': {
      const below = new Set(await store.units.subtree(audience.unitId));
      below.delete(audience.unitId);
      return (await store.identities.listByRole('officer')).filter((i) => i.unitId !== null && below.has(i.unitId));
    }
  }
}

/**
 * Known not to be reachable by an announcement now: flagged, on a channel this process
 * cannot send on (when the channels are known), or refused by the channel's own rule
 * (Zalo: outside its window without an announcement template).
 */
export function knownUnreachable(i: Identity, outbound: Partial<Record<Identity['channel'], OutboundChannel>> | null, now: Date): boolean {
  if (i.unreachable) return true;
  if (!outbound) return false;
  const channel = outbound[i.channel];
  if (!channel) return true;
  return channel.reachable ? !channel.reachable(i, now, 'announcement') : false;
}
