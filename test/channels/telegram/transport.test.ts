import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api, HttpError } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { createBotApiTransport } from '../../../src/channels/telegram/transport.js';

/** The Bot API transport under grammY's client: what grammY relies on fetch for. */
describe('Telegram: Bot API transport (undici under grammY)', () => {
  const servers: http.Server[] = [];
  const transports: ReturnType<typeof createBotApiTransport>[] = [];
  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.close()));
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      s.close();
    }
  });

  async function serve(handler: http.RequestListener): Promise<string> {
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const api = (apiRoot: string, timeoutSeconds = 5) => {
    const transport = createBotApiTransport();
    transports.push(transport);
    return new Api('123:ABC', { apiRoot, timeoutSeconds, fetch: transport.fetch });
  };

  it('sends the method as a JSON POST on kept-alive connections and returns the result', async () => {
    const seen: { url: string; type: string; body: unknown; socket: unknown }[] = [];
    const root = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url!, type: req.headers['content-type']!, body: JSON.parse(body), socket: req.socket });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: true, result: { message_id: seen.length, date: 0, chat: { id: 5, type: 'private' }, text: 'Xin chào' } }));
      });
    });
    const a = api(root);
    const m1 = await a.sendMessage(5, 'Xin chào', { reply_markup: { inline_keyboard: [[{ text: 'Có', callback_data: 's|x|1' }]] } });
    const m2 = await a.sendMessage(5, 'Lần hai');
    expect([m1.message_id, m2.message_id]).toEqual([1, 2]);
    expect(seen[0]).toMatchObject({ url: '/bot123:ABC/sendMessage', type: 'application/json', body: { chat_id: 5, text: 'Xin chào', reply_markup: { inline_keyboard: [[{ text: 'Có', callback_data: 's|x|1' }]] } } });
    // One after another, twenty calls share a connection or two (undici's pool), not twenty.
    for (let i = 0; i < 20; i++) await a.sendMessage(5, `Tin ${i}`);
    expect(new Set(seen.map((x) => x.socket)).size).toBeLessThanOrEqual(2);
  });

  it("an error answer reaches grammY as Telegram's error (code and description)", async () => {
    const root = await serve((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } }));
    });
    await expect(api(root).sendMessage(5, 'x')).rejects.toMatchObject({ error_code: 429, parameters: { retry_after: 3 } });
  });

  it("a Bot API that does not answer is abandoned after grammY's timeout", async () => {
    const root = await serve(() => {
      /* never answers */
    });
    const started = Date.now();
    await expect(api(root, 0.3).sendMessage(5, 'x')).rejects.toBeInstanceOf(HttpError);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a Bot API that cannot be reached is an HttpError, not a crash', async () => {
    const root = await serve(() => {});
    servers.pop()!.close();
    await expect(api(root.replace(/:\d+$/, ':1')).sendMessage(5, 'x')).rejects.toBeInstanceOf(HttpError);
  });
});
