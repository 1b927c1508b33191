import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import type { TestBot } from './bot.js';

/** The web dashboard over real HTTP: its login link from `/web`, and a client that keeps its session cookie. */

export interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

/** The token of the login link in `/web`'s reply (null when there is none). */
export const tokenIn = (text: string): string | null => /\/dang-nhap\?t=([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? null;

export async function serve(bot: TestBot): Promise<{ base: string; server: http.Server }> {
  const server = await bot.app.listen();
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

export class WebClient {
  cookie = '';
  constructor(readonly base: string, readonly headers: Record<string, string> = {}) {}

  async get(path: string): Promise<Answer> {
    const res = await fetch(this.base + path, { redirect: 'manual', headers: { ...this.headers, ...(this.cookie && { cookie: this.cookie }) } });
    return { status: res.status, text: await res.text(), headers: res.headers };
  }

  async post(path: string, form: Record<string, string>): Promise<Answer> {
    const res = await fetch(this.base + path, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded', ...(this.cookie && { cookie: this.cookie }) },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, text: await res.text(), headers: res.headers };
  }

  /** Uses a login token (the link's page, then its form); keeps the session cookie it sets. */
  async login(token: string): Promise<Answer> {
    const page = await this.get(`/dang-nhap?t=${token}`);
    if (page.status !== 200) return page;
    const done = await this.post('/dang-nhap', { t: token });
    const set = done.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    return done;
  }

  /** The CSRF token of the page's forms. */
  static csrf(html: string): string {
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error('no CSRF field on the page');
    return m[1]!;
  }
}

/** Asks for a link in the chat as `user` and logs a new client in with it. */
export async function loggedIn(bot: TestBot, base: string, user: string, headers: Record<string, string> = {}): Promise<WebClient> {
  const token = tokenIn(bot.text(await bot.say(user, '/web')));
  if (!token) throw new Error(`${user} got no dashboard link`);
  const client = new WebClient(base, headers);
  const r = await client.login(token);
  if (r.status !== 303) throw new Error(`login of ${user} answered ${r.status}`);
  return client;
}
