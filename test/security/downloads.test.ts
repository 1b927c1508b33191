import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIG_USER_ID } from '../fakes/zalo-events.js';
import { PDF } from '../helpers/bot.js';
import { startTelegramBot, type TelegramTestBot } from '../helpers/telegram.js';
import { startZaloBot, type ZaloTestBot } from '../helpers/zalo.js';

/**
 * Issue #11 item 7: a signed attachment event cannot make the bot fetch from inside.
 * Only loopback servers of this test are ever reached; every other address is refused by
 * the download agent before a connection (a guard below blocks and records any attempt).
 */

/** A local HTTP server on every loopback address (127.0.0.1 and ::1) that counts requests. */
async function localServer(handle: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    handle(req, res);
  });
  await new Promise<void>((r) => server.listen({ host: '::', port: 0, ipv6Only: false }, r));
  return { port: (server.address() as net.AddressInfo).port, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const servePdf = (_req: http.IncomingMessage, res: http.ServerResponse) => void res.writeHead(200, { 'content-type': 'application/pdf' }).end(PDF);

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Blocks (and records) every TCP connection this process tries to open to a non-loopback address. */
function guardConnections() {
  const attempts: string[] = [];
  const original = net.Socket.prototype.connect;
  const loopback = (h: string) => h === 'localhost' || h.startsWith('127.') || h === '::1' || h === '[::1]';
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    const opts = typeof first === 'object' && first !== null ? (first as { host?: string; path?: string }) : { host: typeof args[1] === 'string' ? args[1] : 'localhost' };
    if (!opts.path && !loopback(opts.host ?? 'localhost')) {
      attempts.push(opts.host ?? '?');
      process.nextTick(() => this.destroy(new Error('test guard: connection outside loopback blocked')));
      return this;
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof original;
  return { attempts, restore: () => void (net.Socket.prototype.connect = original) };
}

/** Stored files under DATA_DIR/files. */
const stored = (dataDir: string) => (fs.existsSync(path.join(dataDir, 'files')) ? fs.readdirSync(path.join(dataDir, 'files'), { recursive: true }).filter((f) => String(f).includes('.')) : []);

/** Texts that bring a new officer from the menu to the first dossier file step. */
const TO_FILE_STEP = ['/dexuat', 'Một cá nhân', 'Nguyễn Văn An', 'Trưởng xóm', 'Xóm Đồng Tâm', '1', 'Vận động 100% hộ dân cài ứng dụng VNeID'];
const NEUTRAL = 'Mình chưa nhận được tệp này';

async function zaloOfficerAtFileStep(z: ZaloTestBot, user: string): Promise<void> {
  await z.send(user, z.ev.follow({ userId: user }));
  await z.say(user, 's|who|code');
  await z.say(user, await z.bot.inviteCode());
  let sent: Awaited<ReturnType<ZaloTestBot['say']>> = [];
  for (const text of TO_FILE_STEP) sent = await z.say(user, text);
  expect(z.text(sent)).toContain('Hồ sơ 1/');
}

describe('zalo attachments without ZALO_FILE_HOSTS: public addresses only', () => {
  let z: ZaloTestBot;
  let open: Awaited<ReturnType<typeof localServer>>;
  let guard: ReturnType<typeof guardConnections>;
  const user = BIG_USER_ID;
  beforeAll(async () => {
    open = await localServer(servePdf);
    z = await startZaloBot('binh-thanh-2024', { env: { ZALO_FILE_HOSTS: '' } });
    await zaloOfficerAtFileStep(z, user);
    guard = guardConnections();
  });
  afterAll(async () => {
    guard.restore();
    await z.close();
    await open.close();
  });

  const sendFile = async (url: string) => z.text(await z.send(user, z.ev.userSendFile({ userId: user, url, name: 'to-trinh.pdf', size: PDF.length })));

  it('an open and a closed loopback port get the same neutral answer; nothing is fetched or stored', async () => {
    const openReply = await sendFile(`http://127.0.0.1:${open.port}/to-trinh.pdf`);
    const closedReply = await sendFile(`http://127.0.0.1:${await closedPort()}/to-trinh.pdf`);
    expect(openReply).toContain(NEUTRAL);
    expect(closedReply).toBe(openReply);
    expect(open.hits).toEqual([]);
    expect(stored(z.bot.dataDir)).toEqual([]);
  });

  it('other schemes, IPv6 loopback, link-local, private and disguised addresses: the same answer, no connection outside loopback', async () => {
    const urls = [
      'file:///etc/passwd',
      `ftp://127.0.0.1:${open.port}/to-trinh.pdf`,
      `http://[::1]:${open.port}/to-trinh.pdf`,
      `http://0.0.0.0:${open.port}/to-trinh.pdf`,
      `http://2130706433:${open.port}/to-trinh.pdf`, // 127.0.0.1 written as one number
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/to-trinh.pdf',
      'http://[fd00::1]/to-trinh.pdf',
    ];
    const replies = [];
    for (const url of urls) replies.push(await sendFile(url));
    for (const r of replies) expect(r).toContain(NEUTRAL);
    expect(new Set(replies).size).toBe(1);
    expect(guard.attempts).toEqual([]);
    expect(open.hits).toEqual([]);
    expect(stored(z.bot.dataDir)).toEqual([]);
  });
});

describe('zalo attachments with ZALO_FILE_HOSTS: only the listed hosts, on every redirect hop', () => {
  let z: ZaloTestBot;
  let listed: Awaited<ReturnType<typeof localServer>>;
  let inside: Awaited<ReturnType<typeof localServer>>;
  const user = BIG_USER_ID;
  beforeAll(async () => {
    inside = await localServer(servePdf);
    listed = await localServer((req, res) => {
      if (req.url === '/direct.pdf') return servePdf(req, res);
      const to = req.url === '/to-metadata' ? 'http://169.254.169.254/latest/meta-data/' : `http://127.0.0.1:${inside.port}/secret.pdf`;
      res.writeHead(302, { location: to }).end();
    });
    z = await startZaloBot('binh-thanh-2024', { env: { ZALO_FILE_HOSTS: `127.0.0.1:${listed.port}` } });
    await zaloOfficerAtFileStep(z, user);
  });
  afterAll(async () => {
    await z.close();
    await listed.close();
    await inside.close();
  });

  it('a listed host that redirects to another local port is refused with the neutral answer; the target is never reached', async () => {
    const guard = guardConnections();
    try {
      for (const p of ['/to-inside', '/to-metadata']) {
        const sent = await z.send(user, z.ev.userSendFile({ userId: user, url: `http://127.0.0.1:${listed.port}${p}`, name: 'a.pdf', size: PDF.length }));
        expect(z.text(sent)).toContain(NEUTRAL);
      }
      expect(guard.attempts).toEqual([]);
    } finally {
      guard.restore();
    }
    expect(listed.hits).toEqual(['/to-inside', '/to-metadata']);
    expect(inside.hits).toEqual([]);
    expect(stored(z.bot.dataDir)).toEqual([]);
    // The listed host itself works.
    const sent = await z.send(user, z.ev.userSendFile({ userId: user, url: `http://127.0.0.1:${listed.port}/direct.pdf`, name: 'a.pdf', size: PDF.length }));
    expect(z.text(sent)).toContain('Đã nhận tệp "a.pdf"');
    expect(stored(z.bot.dataDir)).toHaveLength(1);
  });
});

describe('telegram file downloads: the Bot API host, and public addresses only beyond it', () => {
  let t: TelegramTestBot;
  let inside: Awaited<ReturnType<typeof localServer>>;
  const OFFICER = 7101;
  beforeAll(async () => {
    inside = await localServer(servePdf);
    t = await startTelegramBot();
    const hamlet = (await t.bot.app.store.units.getByCode('TN-DH-BT-X01'))!;
    const code = await t.bot.app.store.invites.create({ role: 'officer', unitId: hamlet.id, createdBy: 'test' }, { id: 'test', role: 'admin', channel: 'cli' });
    await t.send(t.tg.command({ userId: OFFICER, command: 'start' }), OFFICER);
    await t.press(OFFICER, 'Cán bộ đơn vị');
    await t.send(t.tg.text({ userId: OFFICER, text: code }), OFFICER);
    let m = await t.send(t.tg.text({ userId: OFFICER, text: TO_FILE_STEP[0]! }), OFFICER);
    for (const text of TO_FILE_STEP.slice(1)) m = await t.send(t.tg.text({ userId: OFFICER, text }), OFFICER);
    expect(t.text(m)).toContain('Hồ sơ 1/');
  });
  afterAll(async () => {
    await t.close();
    await inside.close();
  });

  it('a file URL that redirects to another local port is refused with the neutral answer; a plain one is received', async () => {
    t.fake.addFile('BQACAgUAAxkBAAIredirect000000000000000000000', PDF, { redirectTo: `http://127.0.0.1:${inside.port}/secret.pdf` });
    let m = await t.send(t.tg.document({ userId: OFFICER, fileId: 'BQACAgUAAxkBAAIredirect000000000000000000000', fileName: 'a.pdf', fileSize: PDF.length }), OFFICER);
    expect(t.text(m)).toContain(NEUTRAL);
    expect(inside.hits).toEqual([]);
    expect(stored(t.bot.dataDir)).toEqual([]);
    m = await t.send(t.tg.document({ userId: OFFICER, fileName: 'b.pdf', data: PDF }), OFFICER);
    expect(t.text(m)).toContain('Đã nhận tệp "b.pdf"');
    expect(stored(t.bot.dataDir)).toHaveLength(1);
  });
});
