import type { Lang } from '../../domain/entities.js';
import { choicesNumbered, clampPage, pageCount, pageOf, pagePayload } from '../../engine/pages.js';
import type { Choice, Reply } from '../../engine/types.js';
import { t } from '../../i18n.js';

/**
 * One normalised reply → the Zalo messages that carry it (docs/zalo.md "Rendering").
 *
 * - Text is split at Zalo's 2,000-character limit (on paragraph, line, then word breaks).
 * - Numbered choices (src/engine/pages.ts) are ALSO written as a numbered list (the engine
 *   accepts numbers and typed labels), and become `oa.query.hide` buttons whose payload is
 *   our payload string: a press comes back as an ordinary user_send_text with that payload,
 *   hidden from the chat. Unnumbered ones (a single "Bỏ qua", a summary's actions, buttons
 *   of an earlier message) are buttons with their label only.
 * - Zalo takes at most 5 buttons per message: up to 5 choices ride on the (last) text
 *   message; 6–10 choices put the first 5 there and the rest on one more short message;
 *   more than 10 are paged: 3 choices and "Trang trước" / "Trang sau" (the engine keeps the
 *   page, `reply.page`), while the text lists them all, so any can be typed.
 * - A file goes after the text, as its own message (uploaded first by the channel).
 */

export const ZALO_TEXT_MAX = 2000;
export const ZALO_BUTTONS_MAX = 5;
export const ZALO_BUTTON_TITLE_MAX = 100;

export interface ZaloButton {
  title: string;
  type: 'oa.query.hide';
  payload: string;
}

export type ZaloPart =
  | { kind: 'text'; text: string; buttons?: ZaloButton[] }
  | { kind: 'file'; file: NonNullable<Reply['file']> };

/** The `message` object of POST /v3.0/oa/message/cs for a text part. */
export function csMessage(part: Extract<ZaloPart, { kind: 'text' }>): Record<string, unknown> {
  if (!part.buttons?.length) return { text: part.text };
  return { text: part.text, attachment: { type: 'template', payload: { buttons: part.buttons } } };
}

const chars = (s: string) => [...s];

function clip(s: string, max: number): string {
  const c = chars(s);
  return c.length <= max ? s : `${c.slice(0, max - 1).join('')}…`;
}

/**
 * Splits text into pieces of at most `max` UTF-16 units (which also bounds code points),
 * preferring paragraph, then line, then word boundaries; never splits a surrogate pair.
 */
export function splitText(text: string, max = ZALO_TEXT_MAX): string[] {
  const out: string[] = [];
  let rest = text.normalize('NFC').trim();
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = -1;
    for (const sep of ['\n\n', '\n', ' ']) {
      const at = window.lastIndexOf(sep);
      if (at >= max / 2) {
        cut = at;
        break;
      }
    }
    if (cut <= 0) {
      cut = max;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    }
    const piece = rest.slice(0, cut).trimEnd();
    if (piece) out.push(piece);
    rest = rest.slice(cut).trimStart();
  }
  if (rest) out.push(rest);
  return out;
}

export function renderReply(reply: Reply, lang: Lang): ZaloPart[] {
  const choices = reply.choices ?? [];
  const numbered = choicesNumbered(reply);
  const name = (c: Choice, i: number) => (numbered ? `${i + 1}. ${c.label}` : c.label);
  let text = reply.text ?? '';
  // Numbered choices are also written out (every one, whatever page the buttons show), so
  // each can be typed; unnumbered ones are named by their buttons, or listed when paged.
  const paged = pageCount(choices.length) > 1;
  if (choices.length && (numbered || paged)) text = `${text}\n\n${choices.map((c, i) => (numbered ? name(c, i) : `• ${c.label}`)).join('\n')}`;
  const parts: ZaloPart[] = splitText(text).map((piece) => ({ kind: 'text' as const, text: piece }));
  const button = (title: string, payload: string): ZaloButton => ({ title: clip(title, ZALO_BUTTON_TITLE_MAX), type: 'oa.query.hide', payload });
  const last = parts.at(-1);
  if (paged) {
    // A long list: one page of choices with "Trang trước" / "Trang sau", within the 5 buttons.
    const page = clampPage(choices.length, reply.page);
    const buttons = pageOf(choices, page).map(({ choice, index }) => button(name(choice, index), choice.payload));
    if (page > 0) buttons.unshift(button(t(lang, 'page.previous'), pagePayload(page - 1)));
    if (page < pageCount(choices.length) - 1) buttons.push(button(t(lang, 'page.next'), pagePayload(page + 1)));
    if (last?.kind === 'text') last.buttons = buttons;
  } else if (choices.length > 0) {
    const buttons = choices.map((c, i) => button(name(c, i), c.payload));
    if (last?.kind === 'text') last.buttons = buttons.slice(0, ZALO_BUTTONS_MAX);
    if (buttons.length > ZALO_BUTTONS_MAX) parts.push({ kind: 'text', text: t(lang, 'zalo.more_choices'), buttons: buttons.slice(ZALO_BUTTONS_MAX) });
  }
  if (reply.file) parts.push({ kind: 'file', file: reply.file });
  return parts;
}
