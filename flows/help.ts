import { defineFlow } from '../src/engine/flow.js';
import { hasJoined } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { label } from './lib/common.js';

/** Trợ giúp: what the bot does, and who to ask at the standing office. */
export const help = defineFlow({
  id: 'help',
  title: 'help.title',
  available: may(hasJoined),
  render: async (ctx) => [
    { text: `${ctx.t('help.text')}\n\n${ctx.t('help.office', { office: label(ctx, ctx.campaign.standingOffice.name), campaign: label(ctx, ctx.campaign.name) })}` },
  ],
});
