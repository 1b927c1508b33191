import { fold } from '../domain/text.js';
import type { Lang } from '../domain/entities.js';
import type { Option } from './context.js';
import { parsePagePayload } from './pages.js';

/** Generic commands understood in every flow, with and without diacritics. */
export type Command =
  | { kind: 'menu' }
  | { kind: 'back' }
  | { kind: 'cancel' }
  | { kind: 'help' }
  | { kind: 'lang'; lang: Lang | null }
  | { kind: 'edit'; n: number }
  | { kind: 'start' }
  /** "Trang sau" / "Trang trước" typed (a step of `delta`), or its button (page `to`): src/engine/pages.ts. */
  | { kind: 'page'; delta: number }
  | { kind: 'page'; to: number };

const WORDS: Record<string, Command> = {
  menu: { kind: 'menu' },
  '/menu': { kind: 'menu' },
  'quay lai': { kind: 'back' },
  back: { kind: 'back' },
  '/back': { kind: 'back' },
  huy: { kind: 'cancel' },
  'huy bo': { kind: 'cancel' },
  cancel: { kind: 'cancel' },
  '/cancel': { kind: 'cancel' },
  'tro giup': { kind: 'help' },
  help: { kind: 'help' },
  '/help': { kind: 'help' },
  'huong dan': { kind: 'help' },
  '/start': { kind: 'start' },
  'ngon ngu': { kind: 'lang', lang: null },
  language: { kind: 'lang', lang: null },
  '/lang': { kind: 'lang', lang: null },
  // The labels of the paging buttons (locales: page.next, page.previous), typed.
  'trang sau': { kind: 'page', delta: 1 },
  'trang tiep': { kind: 'page', delta: 1 },
  'next page': { kind: 'page', delta: 1 },
  'trang truoc': { kind: 'page', delta: -1 },
  'previous page': { kind: 'page', delta: -1 },
};

export function parseCommand(text: string | undefined, payload: string | undefined): Command | null {
  const page = parsePagePayload(payload);
  if (page !== null) return { kind: 'page', to: page };
  if (payload?.startsWith('cmd|')) {
    const word = payload.slice(4);
    if (word === 'lang|vi' || word === 'lang|en') return { kind: 'lang', lang: word.slice(5) as Lang };
    return WORDS[word] ?? null;
  }
  if (!text) return null;
  const f = fold(text).replace(/^\/(\w+)@\w+/, '/$1'); // "/help@thidua_bot" in groups
  if (f.length > 40) return null;
  const direct = WORDS[f];
  if (direct) return direct;
  const lang = /^(?:\/lang|ngon ngu|language)\s+(vi|en)$/.exec(f);
  if (lang) return { kind: 'lang', lang: lang[1] as Lang };
  const edit = /^(?:sua|edit|\/sua)\s*(\d{1,2})$/.exec(f);
  if (edit) return { kind: 'edit', n: Number(edit[1]) };
  return null;
}

/** Greetings typed instead of a choice ("xin chào", "chào bạn", "hi"): answered with the welcome, not "chưa hiểu". */
const GREETINGS = /^(?:xin chao|chao|chao ban|chao bot|chao em|chao anh|chao chi|alo|hello|hi|hey|good (?:morning|afternoon|evening))(?: (?:ban|bot|em|anh|chi|a|nhe|nha|moi nguoi|ca nha))*$/;

export function isGreeting(text: string | undefined): boolean {
  if (!text) return false;
  // Punctuation becomes spaces one character at a time (a trailing `[…]+$` would be quadratic on long input).
  const f = fold(text).replace(/[.!?,~:)(]/g, ' ').replace(/\s+/g, ' ').trim();
  return f.length <= 40 && GREETINGS.test(f);
}

/**
 * Which option the user meant: a button payload for this step, the option's number,
 * or its label typed with or without diacritics (a unique prefix is enough).
 */
export function matchOption(options: Option[], text: string | undefined, optionId: string | undefined): Option | null {
  if (optionId !== undefined) return options.find((o) => o.id === optionId) ?? null;
  if (!text) return null;
  // A label copied with its tick (a picked option of a multiple choice) is that option.
  const f = fold(text).replace(/^✓\s*/, '').replace(/(?:[.)]|…)$/, '');
  if (/^\d{1,3}$/.test(f)) return options[Number(f) - 1] ?? null;
  const exact = options.filter((o) => fold(o.label) === f);
  if (exact.length === 1) return exact[0]!;
  if (f.length < 2) return null;
  const prefix = options.filter((o) => fold(o.label).startsWith(f));
  if (prefix.length === 1) return prefix[0]!;
  const inside = options.filter((o) => fold(o.label).includes(f));
  return inside.length === 1 ? inside[0]! : null;
}

/** "1,3,5", "1 3 5", "tất cả": the options picked, or null when something does not match. */
export function matchMany(options: Option[], text: string): Option[] | null {
  const f = fold(text);
  if (f === 'tat ca' || f === 'all') return [...options];
  const parts = f.split(/[,;\s]+/).filter(Boolean);
  if (parts.length === 0) return null;
  const picked: Option[] = [];
  for (const p of parts) {
    const o = matchOption(options, p, undefined);
    if (!o) return null;
    if (!picked.includes(o)) picked.push(o);
  }
  return picked;
}

const SKIP = new Set(['bo qua', 'skip', 'khong', 'khong co', 'de sau', 'later', 'sau', '-']);
export const isSkipWord = (text: string | undefined) => !!text && SKIP.has(fold(text));

/** Button payloads: s|<step>|<option> for a step's options, go|<flow> for menu entries, cmd|<word>. */
export const stepPayload = (stepId: string, optionId: string) => `s|${stepId}|${optionId}`;
export function parseStepPayload(payload: string | undefined): { stepId: string; optionId: string } | null {
  const m = payload ? /^s\|([^|]{1,30})\|([^|]{1,40})$/.exec(payload) : null;
  return m ? { stepId: m[1]!, optionId: m[2]! } : null;
}
