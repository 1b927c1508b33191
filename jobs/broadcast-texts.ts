import type { Lang } from '../src/domain/entities.js';
import type { BroadcastSpec, BroadcastStatus } from '../src/engine/ports.js';
import { flowLink } from '../flows/links.js';
import type { Reply } from '../src/engine/types.js';
import { documentName, senderLabel } from '../src/files.js';
import { t } from '../src/i18n.js';
import { formatCount } from './text.js';

/** What a broadcast says: the announcement itself, the admin's live progress line, the final report. */

export function announcementReply(lang: Lang, spec: Pick<BroadcastSpec, 'text' | 'file'>): Reply {
  const reply: Reply = {
    text: t(lang, 'announce.message', { text: spec.text }),
    // Outside Zalo's 7-day window only the campaign's announcement template may be sent.
    template: { kind: 'announcement', params: { content: spec.text.slice(0, 500) } },
  };
  // Recipients get the file under the bot's name: the sender's words, the real type's extension.
  if (spec.file) reply.file = { path: spec.file.path, name: documentName(senderLabel(spec.file.name).replace(/\.[^.]*$/, ''), spec.file), mime: spec.file.mime };
  return reply;
}

/**
 * The live progress line: its "Dừng gửi" button only while the broadcast can still be stopped.
 * `update`: a later progress message on a channel that cannot edit (Zalo, the simulator): the
 * first one already has the button, which stays on screen, so updates say how to stop instead.
 */
export function progressReply(lang: Lang, s: BroadcastStatus, opts: { update?: boolean } = {}): Reply {
  const stoppable = s.status === 'queued' || s.status === 'running';
  const done = s.sent + s.failed + s.unreachable + s.cancelled;
  const text = s.total === 0 && s.status !== 'done'
    ? t(lang, 'announce.progress_preparing', { id: s.id })
    : t(lang, 'announce.progress', { id: s.id, done: formatCount(lang, done), total: formatCount(lang, s.total), sent: formatCount(lang, s.sent) });
  if (!stoppable) return { text };
  if (opts.update) return { text: `${text}\n${t(lang, 'announce.progress_stop_hint', { id: s.id })}` };
  return { text, choices: [{ payload: flowLink('bccancel', s.id), label: t(lang, 'bccancel.button') }] };
}

export function reportText(lang: Lang, final: BroadcastStatus, how: 'done' | 'cancelled'): string {
  const n = (x: number) => formatCount(lang, x);
  const lines = [
    t(lang, how === 'done' ? 'announce.report_done' : 'announce.report_cancelled', { id: final.id, total: n(final.total) }),
    t(lang, 'announce.report_counts', { sent: n(final.sent), failed: n(final.failed), unreachable: n(final.unreachable) }),
  ];
  if (final.cancelled) lines.push(t(lang, 'announce.report_not_sent', { count: n(final.cancelled) }));
  if (final.perChannel.zalo?.unreachable) lines.push(t(lang, 'announce.report_zalo', { count: n(final.perChannel.zalo.unreachable) }));
  if (final.resent) lines.push(t(lang, 'announce.report_resent', { count: n(final.resent) }));
  return lines.join('\n');
}
