import { z } from 'zod';
import { defineFlow } from '../src/engine/flow.js';
import { canAnnounce } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { preview } from './lib/common.js';

/** The broadcast to stop; `preview` is set when it came with the command (`/huythongbao 12`), so no pick is asked. */
const schema = z.object({ id: z.string(), preview: z.string().optional() });

/** Huỷ thông báo (admins): `/huythongbao 12`, the button under the progress line, or a pick from the running ones. */
export const bccancel = defineFlow({
  id: 'bccancel',
  title: 'bccancel.title',
  command: '/huythongbao',
  hidden: true,
  available: may(canAnnounce),
  schema,
  async begin(ctx) {
    if (!ctx.jobs) return { refuse: ctx.t('announce.unavailable') };
    const id = ctx.args?.replace(/^#/, '').trim();
    if (id) {
      const s = await ctx.jobs.broadcasts.status(id);
      if (!s) return { refuse: ctx.t('bccancel.result_not_found', { id }) };
      if (s.status === 'done') return { refuse: ctx.t('bccancel.result_finished', { id }) };
      if (s.status === 'cancelled') return { refuse: ctx.t('bccancel.result_already_cancelled', { id }) };
      return { data: { id, preview: preview(s.text, 80) } };
    }
    if ((await ctx.jobs.broadcasts.running()).length === 0) return { refuse: ctx.t('bccancel.none_running') };
    return {};
  },
  steps: () => [
    {
      kind: 'choice',
      id: 'id',
      when: (_c, d) => !d.preview,
      prompt: (c) => c.t('bccancel.pick'),
      options: async (c) =>
        ((await c.jobs?.broadcasts.running()) ?? []).map((s) => ({
          id: s.id,
          label: c.t('bccancel.running_line', { id: s.id, text: preview(s.text, 40), done: s.total - s.pending, total: s.total }),
        })),
    },
    {
      kind: 'confirm',
      id: 'confirm',
      prompt: (c, d) => c.t('bccancel.confirm', { id: String(d.id) }),
      actions: (c) => [
        { id: 'stop', label: c.t('bccancel.yes') },
        { id: 'keep', label: c.t('bccancel.no') },
      ],
    },
  ],
  async complete(ctx, d, action) {
    if (action !== 'stop' || !ctx.jobs) return [{ text: ctx.t('bccancel.kept', { id: d.id }) }];
    const r = await ctx.jobs.broadcasts.cancel(d.id, ctx.actor.id);
    return [{ text: ctx.t(`bccancel.result_${r}`, { id: d.id }) }];
  },
});
