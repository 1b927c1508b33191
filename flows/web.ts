import { defineFlow } from '../src/engine/flow.js';
import { isReviewer } from '../src/domain/roles.js';
import { may } from './lib/access.js';

/**
 * Trang quản lý trên web: `/web` sends a one-time login link to the dashboard (src/web/),
 * valid a few minutes, for staff and admins only (an officer is refused by the engine).
 */
export const web = defineFlow({
  id: 'web',
  title: 'web.title',
  command: '/web',
  available: may(isReviewer),
  async render(ctx) {
    if (!ctx.webLogin) return [{ text: ctx.t('web.unavailable') }];
    const link = await ctx.webLogin();
    return [{ text: ctx.t('web.link', { url: link.url, minutes: link.minutes }) }];
  },
});
