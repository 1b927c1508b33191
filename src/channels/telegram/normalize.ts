import type { Message, Update } from 'grammy/types';
import type { Inbound, InboundAttachment } from '../../engine/types.js';
import { MAX_FILE_BYTES } from '../../files.js';

/** Commands the bot understands inside a group (everything else happens in private chats). */
export const GROUP_COMMANDS = { lienket: 'link', huylienket: 'unlink' } as const;

/** What one Telegram update asks of us. Only `converse` goes through the engine. */
export type TelegramAction =
  | {
      kind: 'converse';
      inbound: Inbound;
      /** Replies go to the user's private chat (also for a button pressed in a group). */
      chatId: string;
      /**
       * A pressed inline button: always answered. In a private chat its keyboard is removed;
       * a button in a group (an alert) stays for the others, and the answer goes privately.
       */
      callback?: { id: string; inGroup: boolean; chatId?: string; messageId?: number };
    }
  /** The user blocked the bot (true) or unblocked it (false) in their private chat. */
  | { kind: 'reachability'; userId: string; blocked: boolean }
  /** The user edited an earlier message: we do not re-read answers; tell them once. */
  | { kind: 'edited'; chatId: string; userId: string }
  /** A command in a group or supergroup. */
  | { kind: 'group_command'; chatId: string; title: string; userId: string; command: string; args?: string }
  /** The bot was added to (true) or removed from (false) a group. */
  | { kind: 'group_membership'; chatId: string; title: string; member: boolean }
  /** A group became a supergroup: it has a new chat id. */
  | { kind: 'group_migrated'; from: string; to: string }
  /** Nothing to do (channel posts, service messages, other bots …); a pressed button is still answered. */
  | { kind: 'ignore'; reason: string; callbackId?: string };

const isGroup = (type: string) => type === 'group' || type === 'supergroup';

/** The non-text content of a private message, as engine attachments (null: a service message). */
function attachmentsOf(m: Message): InboundAttachment[] | null {
  if (m.document) {
    return [
      {
        kind: 'file',
        name: m.document.file_name ?? `tep-${m.message_id}`,
        ...(m.document.mime_type && { mime: m.document.mime_type }),
        ...(m.document.file_size !== undefined && { size: m.document.file_size }),
        ref: m.document.file_id,
      },
    ];
  }
  if (m.photo && m.photo.length > 0) {
    // Telegram sends several sizes of one photo: take the largest (by pixels) that getFile can serve.
    const fits = m.photo.filter((p) => p.file_size === undefined || p.file_size <= MAX_FILE_BYTES);
    const best = (fits.length > 0 ? fits : m.photo).reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    return [{ kind: 'image', name: `anh-${m.message_id}.jpg`, mime: 'image/jpeg', ...(best.file_size !== undefined && { size: best.file_size }), ref: best.file_id }];
  }
  if (m.sticker) return [{ kind: 'sticker' }];
  if (m.voice || m.audio) return [{ kind: 'audio' }];
  if (m.video || m.video_note || m.animation) return [{ kind: 'video' }];
  if (m.location || m.venue) return [{ kind: 'location' }];
  if (m.contact || m.poll || m.dice || m.game || m.story) return [{ kind: 'other' }];
  return null;
}

/** "/lienket@thidua_bot TN-DH" → { name: 'lienket', target: 'thidua_bot', args: 'TN-DH' }. */
export function parseBotCommand(text: string): { name: string; target?: string; args?: string } | null {
  const m = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return null;
  return { name: m[1]!.toLowerCase(), ...(m[2] && { target: m[2] }), ...(m[3]?.trim() && { args: m[3].trim() }) };
}

/**
 * Turns one update into one action. Pure: no I/O, never throws on odd shapes (every
 * field the Bot API marks optional is treated as optional).
 */
export function normalizeUpdate(update: Update, botUsername: string | undefined): TelegramAction {
  const updateId = String(update.update_id);
  if (update.message) {
    const m = update.message;
    const chat = m.chat;
    if (m.migrate_to_chat_id !== undefined && isGroup(chat.type)) return { kind: 'group_migrated', from: String(chat.id), to: String(m.migrate_to_chat_id) };
    if (isGroup(chat.type)) {
      const cmd = m.text && m.from && !m.from.is_bot ? parseBotCommand(m.text) : null;
      if (!cmd) return { kind: 'ignore', reason: 'group message' };
      if (cmd.target && botUsername && cmd.target.toLowerCase() !== botUsername.toLowerCase()) return { kind: 'ignore', reason: 'command for another bot' };
      return {
        kind: 'group_command',
        chatId: String(chat.id),
        title: ('title' in chat ? chat.title : '') ?? '',
        userId: String(m.from!.id),
        command: cmd.name,
        ...(cmd.args && { args: cmd.args }),
      };
    }
    if (chat.type !== 'private') return { kind: 'ignore', reason: `message in ${chat.type}` };
    if (!m.from || m.from.is_bot) return { kind: 'ignore', reason: 'no human sender' };
    const userId = String(m.from.id);
    const at = new Date((m.date ?? 0) * 1000 || Date.now()); // host clock: the platform's time of the message
    if (typeof m.text === 'string') {
      // "/start <parameter>" (a t.me/<bot>?start=… link) is just /start: the parameter is never read as an answer.
      const text = /^\/start(?:@\w+)?\s+\S+$/i.test(m.text.trim()) ? '/start' : m.text;
      return { kind: 'converse', chatId: String(chat.id), inbound: { channel: 'telegram', userId, messageId: updateId, text, at } };
    }
    const attachments = attachmentsOf(m);
    if (!attachments) return { kind: 'ignore', reason: 'service message' };
    // A caption is not read as an answer: the file (or photo) is the message.
    return { kind: 'converse', chatId: String(chat.id), inbound: { channel: 'telegram', userId, messageId: updateId, attachments, at } };
  }
  if (update.edited_message) {
    const m = update.edited_message;
    if (m.chat.type !== 'private' || !m.from || m.from.is_bot) return { kind: 'ignore', reason: 'edited message outside a private chat' };
    return { kind: 'edited', chatId: String(m.chat.id), userId: String(m.from.id) };
  }
  if (update.callback_query) {
    const q = update.callback_query;
    if (typeof q.data !== 'string' || q.data === '' || q.from.is_bot) return { kind: 'ignore', reason: 'callback without data', callbackId: q.id };
    const userId = String(q.from.id);
    const msg = q.message;
    return {
      kind: 'converse',
      chatId: userId,
      inbound: { channel: 'telegram', userId, messageId: updateId, payload: q.data, at: new Date() }, // host clock: the platform event arrives now
      callback: msg && msg.chat.type !== 'private' ? { id: q.id, inGroup: true } : { id: q.id, inGroup: false, ...(msg && { chatId: String(msg.chat.id), messageId: msg.message_id }) },
    };
  }
  if (update.my_chat_member) {
    const u = update.my_chat_member;
    const status = u.new_chat_member.status;
    if (u.chat.type === 'private') {
      if (status === 'kicked') return { kind: 'reachability', userId: String(u.chat.id), blocked: true };
      if (status === 'member') return { kind: 'reachability', userId: String(u.chat.id), blocked: false };
      return { kind: 'ignore', reason: `private chat member status ${status}` };
    }
    if (isGroup(u.chat.type)) {
      const title = ('title' in u.chat ? u.chat.title : '') ?? '';
      const member = status === 'member' || status === 'administrator' || (status === 'restricted' && u.new_chat_member.is_member);
      const wasMember = ['member', 'administrator', 'creator'].includes(u.old_chat_member.status);
      if (member === wasMember) return { kind: 'ignore', reason: 'group member status unchanged' };
      return { kind: 'group_membership', chatId: String(u.chat.id), title, member };
    }
    return { kind: 'ignore', reason: `chat member update in ${u.chat.type}` };
  }
  if (update.channel_post || update.edited_channel_post) return { kind: 'ignore', reason: 'channel post' };
  const type = Object.keys(update).find((k) => k !== 'update_id') ?? 'empty';
  return { kind: 'ignore', reason: `update type ${type}` };
}
