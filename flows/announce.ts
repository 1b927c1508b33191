import { z } from 'zod';
import type { Audience } from '../src/domain/audience.js';
import { ADMINISTRATIVE_LEVELS, fileRefSchema, LEVEL_ID } from '../src/domain/index.js';
import { levelName } from '../src/i18n.js';
import { CHANNELS } from '../src/domain/entities.js';
import { defineFlow, type FlowContext } from '../src/engine/flow.js';
import { senderLabel } from '../src/files.js';
import { canAnnounce } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { optionSchema, preview, unitExample } from './lib/common.js';

/** One announcement fits one Zalo message (2,000 characters) with its header. */
export const ANNOUNCE_MAX = 1800;

const schema = z.object({
  text: z.string(),
  attach: z.enum(['no', 'yes']),
  /** null: "later" (sent without a file). */
  file: fileRefSchema.nullable().optional(),
  audience: z.enum(['all', 'level', 'office', 'channel', 'staff']),
  level: z.string().regex(LEVEL_ID).optional(),
  officeQuery: z.string().optional(),
  /** Units found for the query, offered by the next step. */
  officeMatches: z.array(optionSchema).optional(),
  officePick: z.string().optional(),
  channel: z.enum(CHANNELS).optional(),
});

type Answers = Partial<z.input<typeof schema>>;

function audienceOf(d: Answers): Audience | null {
  switch (d.audience) {
    case 'all':
      return { kind: 'all' };
    case 'staff':
      return { kind: 'staff' };
    case 'level':
      return d.level ? { kind: 'level', level: d.level } : null;
    case 'office':
      return d.officePick ? { kind: 'office', unitId: d.officePick } : null;
    case 'channel':
      return d.channel ? { kind: 'channel', channel: d.channel } : null;
    default:
      return null;
  }
}

function audienceLabel(ctx: FlowContext, d: Answers): string {
  switch (d.audience) {
    case 'level':
      return ctx.t('announce.audience_level_line', { level: levelName(ctx.campaign, d.level!, ctx.lang) });
    case 'office': {
      const office = d.officeMatches?.find((o) => o.id === d.officePick);
      return ctx.t('announce.audience_office_line', { office: office?.label ?? String(d.officePick) });
    }
    case 'channel':
      return ctx.t('announce.audience_channel_line', { channel: ctx.t(`channel.${d.channel!}`) });
    case 'staff':
      return ctx.t('announce.audience_staff');
    default:
      return ctx.t('announce.audience_all');
  }
}

/**
 * Thông báo (admins): the text, an optional file, the audience (everyone, one unit
 * level, the units of an office found by name, one channel, staff only), then the
 * recipient count and a confirmation; confirming starts a broadcast (jobs/broadcasts.ts).
 */
export const announce = defineFlow({
  id: 'announce',
  title: 'announce.title',
  command: '/thongbao',
  available: may(canAnnounce),
  schema,
  async begin(ctx) {
    if (!ctx.jobs) return { refuse: ctx.t('announce.unavailable') };
    return {};
  },
  steps: () => [
    {
      kind: 'text',
      id: 'text',
      max: ANNOUNCE_MAX,
      prompt: (c) => c.t('announce.text_prompt', { max: ANNOUNCE_MAX }),
      summary: (c, d) => c.t('announce.text_line', { text: preview(d.text ?? '') }),
    },
    {
      kind: 'choice',
      id: 'attach',
      prompt: (c) => c.t('announce.attach_prompt'),
      options: (c) => [
        { id: 'no', label: c.t('announce.attach_no') },
        { id: 'yes', label: c.t('announce.attach_yes') },
      ],
      // Changed with "sửa": the file is asked again (or dropped).
      after: async (_c, d) => {
        delete d.file;
      },
    },
    {
      kind: 'file',
      id: 'file',
      when: (_c, d) => d.attach === 'yes',
      // Asked because the sender chose to attach one: nothing is "added later" to an announcement.
      required: true,
      prompt: (c) => c.t('announce.file_prompt'),
      summary: (c, d) => (d.file ? c.t('announce.file_line', { name: senderLabel(d.file.name) }) : null),
    },
    {
      kind: 'choice',
      id: 'audience',
      prompt: (c) => c.t('announce.audience_prompt'),
      options: (c) => [
        { id: 'all', label: c.t('announce.audience_all') },
        { id: 'level', label: c.t('announce.audience_level') },
        { id: 'office', label: c.t('announce.audience_office') },
        { id: 'channel', label: c.t('announce.audience_channel') },
        { id: 'staff', label: c.t('announce.audience_staff') },
      ],
      summary: (c, d) => c.t('announce.audience_line', { audience: audienceLabel(c, d) }),
      // Changed with "sửa": the follow-up question of the new choice is asked afresh.
      after: async (_c, d) => {
        for (const f of ['level', 'officeQuery', 'officeMatches', 'officePick', 'channel'] as const) delete d[f];
      },
    },
    {
      kind: 'choice',
      id: 'level',
      when: (_c, d) => d.audience === 'level',
      prompt: (c) => c.t('announce.level_prompt'),
      options: (c) => c.campaign.unitLevels.map((l) => ({ id: l, label: levelName(c.campaign, l, c.lang) })),
    },
    {
      kind: 'text',
      id: 'officeQuery',
      max: 200,
      when: (_c, d) => d.audience === 'office',
      prompt: async (c) => c.t('announce.office_prompt', { example: await unitExample(c, null, ADMINISTRATIVE_LEVELS) }),
      parse: async (text, c) =>
        (await c.store.units.findByName(text, { limit: 1 })).length > 0 ? { ok: true, value: text } : { ok: false, error: c.t('announce.office_none', { text }) },
      after: async (c, d) => {
        const found = await c.store.units.findByName(d.officeQuery ?? '', { limit: 8 });
        d.officeMatches = found.map((u) => ({ id: u.id, label: u.name }));
      },
    },
    {
      kind: 'choice',
      id: 'officePick',
      when: (_c, d) => d.audience === 'office',
      prompt: (c) => c.t('announce.office_pick'),
      options: (_c, d) => d.officeMatches ?? [],
    },
    {
      kind: 'choice',
      id: 'channel',
      when: (_c, d) => d.audience === 'channel',
      prompt: (c) => c.t('announce.channel_prompt'),
      options: (c) => (c.jobs?.channels() ?? []).map((ch) => ({ id: ch, label: c.t(`channel.${ch}`) })),
    },
    {
      kind: 'confirm',
      id: 'confirm',
      prompt: (c) => c.t('announce.confirm'),
      extra: async (c, d) => {
        const audience = audienceOf(d);
        if (!audience || !c.jobs) return null;
        const { total, unreachable } = await c.jobs.broadcasts.count(audience);
        return c.t(unreachable ? 'announce.count_unreachable' : 'announce.count', { total, unreachable });
      },
      actions: (c) => [
        { id: 'send', label: c.t('announce.action_send') },
        { id: 'cancel', label: c.t('confirm.cancel') },
      ],
    },
  ],
  async complete(ctx, d, action) {
    const audience = audienceOf(d);
    if (action !== 'send' || !audience || !ctx.jobs) return [{ text: ctx.t('flow.cancelled') }];
    const { total } = await ctx.jobs.broadcasts.count(audience);
    if (total === 0) return [{ text: ctx.t('announce.no_recipients') }];
    const { id } = await ctx.jobs.broadcasts.start({
      by: { channel: ctx.channel, userId: ctx.userId, lang: ctx.lang },
      text: d.text,
      file: d.file ?? null,
      audience,
    });
    return [{ text: ctx.t('announce.started', { id, total }) }];
  },
});
