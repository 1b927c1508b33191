import type { InlineKeyboardButton } from 'grammy/types';
import { choicesNumbered } from '../../engine/pages.js';
import type { Choice, Reply } from '../../engine/types.js';

/** Bot API limits (https://core.telegram.org/bots/api#sendmessage, #inlinekeyboardbutton). */
export const TEXT_MAX = 4096;
export const CAPTION_MAX = 1024;
export const CALLBACK_DATA_MAX_BYTES = 64;
/** Telegram shows at most 100 buttons in one inline keyboard. */
export const BUTTONS_MAX = 100;

/** One Bot API call that renders (part of) a reply. */
export type TelegramOp =
  | { method: 'sendMessage'; text: string; keyboard?: InlineKeyboardButton.CallbackButton[][] }
  | { method: 'sendDocument' | 'sendPhoto'; path: string; name: string; caption?: string; keyboard?: InlineKeyboardButton.CallbackButton[][] };

/** A picture to look at (a chart) goes as a photo; every other file, scans included, as a document (kept as sent). */
const fileMethod = (file: NonNullable<Reply['file']>): 'sendDocument' | 'sendPhoto' =>
  file.inline && (file.mime === 'image/png' || file.mime === 'image/jpeg') ? 'sendPhoto' : 'sendDocument';

/**
 * Splits text into pieces of at most `max` UTF-16 units (what Telegram counts), at the
 * last paragraph break, else line break, else space before the limit; never inside a
 * surrogate pair.
 */
export function splitText(text: string, max = TEXT_MAX): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let cut = -1;
    for (const sep of ['\n\n', '\n', ' ']) {
      const i = window.lastIndexOf(sep);
      if (i >= max / 2) {
        cut = i;
        break;
      }
    }
    let piece: string;
    if (cut > 0) {
      piece = rest.slice(0, cut);
      rest = rest.slice(cut).replace(/^\s+/, '');
    } else {
      let end = max;
      const code = rest.charCodeAt(end - 1);
      if (code >= 0xd800 && code <= 0xdbff) end -= 1; // keep a surrogate pair together
      piece = rest.slice(0, end);
      rest = rest.slice(end);
    }
    if (piece.trim()) out.push(piece);
  }
  if (rest.trim() || out.length === 0) out.push(rest);
  return out;
}

export const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * Buttons in rows: short labels side by side (3 or 2 per row), anything longer one per
 * row so phones do not cut it. Labels are numbered when the reply's choices are
 * (`choicesNumbered`, src/engine/pages.ts), because prompts say "or type the number".
 */
export function keyboard(choices: Choice[], data: (payload: string) => string, numbered = choices.length > 1): InlineKeyboardButton.CallbackButton[][] {
  const shown = choices.slice(0, BUTTONS_MAX);
  const buttons = shown.map((c, i) => ({
    text: numbered ? `${i + 1}. ${c.label}` : c.label,
    callback_data: data(c.payload),
  }));
  const longest = Math.max(...buttons.map((b) => b.text.length));
  const perRow = longest <= 10 ? 3 : longest <= 18 ? 2 : 1;
  const rows: InlineKeyboardButton.CallbackButton[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  return rows;
}

/**
 * The Bot API calls for one reply, in order: text (split at 4096), with the inline
 * keyboard on the last piece; a file as a document, a picture as a photo (the text as its caption when it fits).
 * `data` maps a choice payload to callback_data of at most 64 bytes.
 */
export function renderReply(reply: Reply, data: (payload: string) => string): TelegramOp[] {
  const kb = reply.choices && reply.choices.length > 0 ? keyboard(reply.choices, data, choicesNumbered(reply)) : undefined;
  const text = reply.text.trim() ? reply.text : '';
  if (reply.file) {
    const method = fileMethod(reply.file);
    if (text.length <= CAPTION_MAX) {
      return [{ method, path: reply.file.path, name: reply.file.name, ...(text && { caption: text }), ...(kb && { keyboard: kb }) }];
    }
    const pieces = splitText(text).map<TelegramOp>((t) => ({ method: 'sendMessage', text: t }));
    return [...pieces, { method, path: reply.file.path, name: reply.file.name, ...(kb && { keyboard: kb }) }];
  }
  const pieces = splitText(text || '…');
  return pieces.map((t, i) => ({ method: 'sendMessage', text: t, ...(kb && i === pieces.length - 1 && { keyboard: kb }) }));
}
