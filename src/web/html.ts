import type { Lang } from '../domain/entities.js';
import { t, type MsgKey, type Params } from '../i18n.js';

/** The dashboard's HTML: escaping, the page frame, forms. Every text goes through the locales; every value through esc(). */

export const BASE = '/bang-dieu-khien';
export const ASSETS = `${BASE}/static`;

/** HTML-escapes a text for element content and quoted attributes. */
export const esc = (s: string | number): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Marked-up HTML that is already safe (built with esc()). */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** A template tag: interpolated values are escaped unless they are Html (or arrays of Html). */
export function html(parts: TemplateStringsArray, ...values: unknown[]): Html {
  const one = (v: unknown): string => (v instanceof Html ? v.value : v === null || v === undefined || v === false ? '' : esc(String(v)));
  let out = parts[0]!;
  values.forEach((v, i) => {
    out += (Array.isArray(v) ? v.map(one).join('') : one(v)) + parts[i + 1]!;
  });
  return new Html(out);
}

/** What a page needs to know about who is looking. */
export interface Frame {
  lang: Lang;
  /** The viewer's name line ("Cán bộ theo dõi — UBND xã Bình Thành"). */
  who: string;
  csrf: string;
  /** The current path and query, for the language switch to come back to. */
  here: string;
  waiting: number;
}

export const tr = (lang: Lang, key: MsgKey, params?: Params) => t(lang, key, params);

/** A form that posts with the session's CSRF token. */
export const csrfField = (csrf: string) => html`<input type="hidden" name="_csrf" value="${csrf}">`;

/** The page frame: header with the sections, the viewer, the language switch and log-out. */
export function page(f: Frame, title: string, body: Html): string {
  const other: Lang = f.lang === 'vi' ? 'en' : 'vi';
  const nav = [
    [BASE, tr(f.lang, 'web.nav_progress')],
    [`${BASE}/cho-duyet`, tr(f.lang, 'web.nav_waiting', { count: f.waiting })],
    [`${BASE}/lich`, tr(f.lang, 'web.nav_schedule')],
  ].map(([href, label]) => html`<a href="${href}">${label}</a>`);
  return shell(
    f.lang,
    title,
    html`<header class="top">
<div class="brand">${tr(f.lang, 'web.brand')}</div>
<nav>${nav}</nav>
<div class="who"><span>${f.who}</span>
<a class="lang" href="${`${BASE}/ngon-ngu?lang=${other}&back=${encodeURIComponent(f.here)}`}" lang="${other}">${tr(f.lang, 'web.switch_lang')}</a>
<form method="post" action="${BASE}/dang-xuat" class="inline">${csrfField(f.csrf)}<button type="submit" class="link">${tr(f.lang, 'web.logout')}</button></form></div>
</header>
<main>${body}</main>`,
  );
}

/** A page outside a session (login, refusals). */
export const bare = (lang: Lang, title: string, body: Html): string => shell(lang, title, html`<main class="narrow">${body}</main>`);

function shell(lang: Lang, title: string, body: Html): string {
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${esc(title)}</title>
<link rel="stylesheet" href="${ASSETS}/dashboard.css"><script src="${ASSETS}/dashboard.js" defer></script></head>
<body>${body.value}</body></html>`;
}

/** A select of a GET filter form. */
export function select(name: string, label: string, options: { value: string; label: string }[], current: string): Html {
  return html`<label>${label} <select name="${name}">${options.map((o) => html`<option value="${o.value}"${o.value === current ? new Html(' selected') : ''}>${o.label}</option>`)}</select></label>`;
}
