import type { Inbound, InboundAttachment } from '../../engine/types.js';

/**
 * Zalo OA webhook events → what we do with them (docs/zalo.md §2). Ids stay strings.
 *
 * - `message`: one normalised inbound message for the engine (user_send_*, follow, unfollow);
 * - `submit_info`: the user shared name/phone through a request_user_info message;
 * - `ignore`: our own `oa_send_*` echoes, delivery/read receipts, anonymous web chat,
 *   unknown events — acknowledged (200) and dropped.
 */
export type Normalised =
  | { kind: 'message'; key: string; inbound: Omit<Inbound, 'at'> }
  | { kind: 'submit_info'; key: string; userId: string; info: { name?: string; phone?: string } }
  | { kind: 'ignore'; reason: string };

/** Our button payloads (engine/input.ts): a pressed `oa.query.hide` button sends one back as text. */
/** Our button payloads (engine/input.ts, pages.ts); deep links carry a target (`go|nominate|n_12`, engine/links.ts): without it here, Zalo's reminder buttons arrived as text. */
const PAYLOAD = /^(?:s\|[^|\n]{1,30}\|[^|\n]{1,40}|go\|[A-Za-z0-9_-]{1,40}(?:\|[A-Za-z0-9_.:-]{1,40})?|cmd\|[a-z]{1,20}(?:\|[a-z]{2})?|pg\|\d{1,3})$/;
export const isOurPayload = (text: string) => PAYLOAD.test(text);

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : undefined;
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

const USER_ID = /^[0-9A-Za-z_-]{1,64}$/;

const MIME_BY_TYPE: Record<string, string> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
};

function attachmentOf(a: unknown): InboundAttachment | undefined {
  const att = obj(a);
  if (!att) return undefined;
  const type = str(att.type);
  const payload = obj(att.payload) ?? {};
  const url = str(payload.url);
  const ref = url && /^https?:\/\//i.test(url) ? url : undefined;
  switch (type) {
    case 'file': {
      const name = str(payload.name);
      const size = Number(str(payload.size) ?? payload.size);
      const ext = (str(payload.type) ?? name?.split('.').pop() ?? '').toLowerCase();
      return {
        kind: 'file',
        ...(name ? { name } : {}),
        ...(Number.isFinite(size) && size >= 0 ? { size } : {}),
        ...(MIME_BY_TYPE[ext] ? { mime: MIME_BY_TYPE[ext] } : {}),
        ...(ref ? { ref } : {}),
      };
    }
    case 'image':
      return { kind: 'image', ...(ref ? { ref } : {}) };
    case 'gif':
      // An animated GIF is not a dossier document; the engine answers "file type not accepted".
      return { kind: 'image', mime: 'image/gif', ...(ref ? { ref } : {}) };
    case 'sticker':
      return { kind: 'sticker' };
    case 'audio':
      return { kind: 'audio', ...(ref ? { ref } : {}) };
    case 'video':
      return { kind: 'video', ...(ref ? { ref } : {}) };
    case 'link':
      return { kind: 'link', ...(ref ? { ref } : {}) };
    case 'location':
      return { kind: 'location' };
    default:
      return { kind: 'other' };
  }
}

/** Turns one verified webhook event into what we do with it. Never throws. */
export function normaliseEvent(raw: unknown): Normalised {
  const e = obj(raw);
  if (!e) return { kind: 'ignore', reason: 'not an object' };
  const name = str(e.event_name) ?? '';
  const timestamp = str(e.timestamp) ?? '';

  if (name === 'follow' || name === 'unfollow') {
    const userId = str(obj(e.follower)?.id);
    if (!userId || !USER_ID.test(userId)) return { kind: 'ignore', reason: `${name} without follower id` };
    return {
      kind: 'message',
      key: `${name}.${userId}.${timestamp}`,
      inbound: { channel: 'zalo', userId, messageId: `${name}:${userId}:${timestamp}`, event: name },
    };
  }

  if (name.startsWith('oa_send_')) return { kind: 'ignore', reason: 'echo of our own message' };
  if (name === 'user_received_message' || name === 'user_seen_message') return { kind: 'ignore', reason: 'delivery receipt' };
  if (name.startsWith('anonymous_')) return { kind: 'ignore', reason: 'anonymous web chat' };

  const userId = str(obj(e.sender)?.id);
  if (name === 'user_submit_info') {
    const info = obj(e.info) ?? {};
    if (!userId || !USER_ID.test(userId)) return { kind: 'ignore', reason: 'submit_info without sender' };
    const nameField = str(info.name);
    const phone = str(info.phone);
    return {
      kind: 'submit_info',
      key: `info.${userId}.${timestamp}`,
      userId,
      info: { ...(nameField ? { name: nameField } : {}), ...(phone ? { phone } : {}) },
    };
  }

  if (!name.startsWith('user_send_')) return { kind: 'ignore', reason: `unhandled event ${name.slice(0, 40)}` };
  const message = obj(e.message);
  const msgId = str(message?.msg_id);
  if (!userId || !USER_ID.test(userId) || !message || !msgId) return { kind: 'ignore', reason: `${name} without sender or msg_id` };

  const text = str(message.text);
  const attachments = Array.isArray(message.attachments)
    ? message.attachments.map(attachmentOf).filter((a): a is InboundAttachment => a !== undefined)
    : [];
  const inbound: Omit<Inbound, 'at'> = { channel: 'zalo', userId, messageId: msgId };
  if (text !== undefined && text !== '') {
    const trimmed = text.trim();
    if (name === 'user_send_text' && isOurPayload(trimmed)) inbound.payload = trimmed;
    else if (name !== 'user_send_sticker' && name !== 'user_send_location') inbound.text = text;
  }
  if (attachments.length) inbound.attachments = attachments;
  if (!inbound.text && !inbound.payload && !inbound.attachments) {
    // e.g. a business card or an event type Zalo adds later: the engine says "not supported".
    inbound.attachments = [{ kind: 'other' }];
  }
  return { kind: 'message', key: `msg.${msgId}`, inbound };
}
