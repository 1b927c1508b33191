import { PROCESS_TEST_TIMEOUT, start } from '../../helpers/process.js';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { Reply } from '../../../src/engine/types.js';
import { fromRoot } from '../../../src/paths.js';
import { createRedis } from '../../../src/redis/connection.js';
import { runWorkers } from '../../../src/ops/bootstrap.js';
import { CLI_ACTOR, createStore, importUnitsCsv } from '../../../src/store/index.js';
import { startFakeTelegram, type FakeTelegram } from '../../fakes/telegram-bot-api.js';
import { telegramUpdates } from '../../fakes/telegram-updates.js';
import { startFakeZalo, type FakeZalo } from '../../fakes/zalo-openapi.js';
import { startBot, type TestBot } from '../../helpers/bot.js';
import { buttonsOf, SECRET, textOf } from '../../helpers/telegram.js';
import { ZALO_APP_ID, ZALO_APP_SECRET, ZALO_OA_SECRET, ZALO_RT0 } from '../../helpers/zalo.js';

/** Issue #11, item 1: the web simulator must not be a way into a deployment with real platforms. */

const PASSWORD = 'sim-demo-password-4711';
const basic = (password: string) => `Basic ${Buffer.from(`demo:${password}`).toString('base64')}`;
const TG_OFFICER = 7001;
const TG_STAFF = 7002;
const ZALO_OFFICER = '7300000000000000001';

/** A production store before the app starts: the demo unit list and real Telegram/Zalo people in it. */
async function productionStore(prefix: string) {
  const redis = createRedis(inject('redisUrl'));
  try {
    const store = createStore(redis, { prefix });
    const csv = fs.readFileSync(fromRoot('campaigns', 'demo', 'binh-thanh-2024.csv'), 'utf8');
    expect((await importUnitsCsv(store, csv, CLI_ACTOR)).ok).toBe(true);
    const unit = async (code: string) => (await store.units.getByCode(code))!.id;
    const now = new Date().toISOString();
    const person = (channel: 'telegram' | 'zalo', userId: string, role: 'officer' | 'staff', unitId: string) =>
      store.identities.upsert({ channel, userId, personId: null, role, unitId, lang: 'vi', lastInboundAt: now, unreachable: false, createdAt: now }, CLI_ACTOR);
    await person('telegram', String(TG_OFFICER), 'officer', await unit('TN-DH-BT-X01'));
    await person('telegram', String(TG_STAFF), 'staff', await unit('TN-DH'));
    await person('zalo', ZALO_OFFICER, 'officer', await unit('TN-DH-BT-X02'));
  } finally {
    await redis.quit();
  }
}

const hasSimAccounts = async (bot: TestBot) => (await bot.app.store.identities.all()).some((i) => i.channel === 'sim');

interface Deployment {
  bot: TestBot;
  telegram: FakeTelegram;
  zalo: FakeZalo;
  base: string;
  close(): Promise<void>;
}

/** The app with Telegram and Zalo configured (local fakes), listening; `env` adds to it. */
async function deployment(env: Record<string, string>, prefix = `ss${randomUUID().slice(0, 8)}`, opts: { appClock?: boolean } = {}): Promise<Deployment> {
  const telegram = await startFakeTelegram();
  const zalo = await startFakeZalo({ appId: ZALO_APP_ID, appSecret: ZALO_APP_SECRET, oaSecretKey: ZALO_OA_SECRET, initialRefreshToken: ZALO_RT0 });
  const bot = await startBot('binh-thanh-2024', {
    prefix,
    ...(opts.appClock ? { appClock: true } : { now: new Date() }),
    env: {
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      ZALO_APP_ID,
      ZALO_APP_SECRET,
      ZALO_OA_SECRET_KEY: ZALO_OA_SECRET,
      ZALO_REFRESH_TOKEN: ZALO_RT0,
      ZALO_API_BASE: zalo.apiBase,
      ZALO_OAUTH_BASE: zalo.oauthBase,
      ZALO_ZNS_BASE: zalo.znsBase,
      ...env,
    },
    app: { telegramBotInfo: telegram.botInfo },
  });
  const server = await bot.app.listen();
  return {
    bot,
    telegram,
    zalo,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await bot.close();
      await telegram.close();
      await zalo.close();
    },
  };
}

/**
 * `npm start` against the test Redis: its exit code, or 'listening' (then stopped) when it
 * started serving instead of refusing.
 */
async function startMain(env: Record<string, string>): Promise<{ code: number | null | 'listening'; stdout: string; stderr: string }> {
  const main = start('src/main.ts', [], { env: { ...process.env, REDIS_URL: inject('redisUrl'), PORT: '0', LOG_LEVEL: 'info', TELEGRAM_WEBHOOK_SECRET: SECRET, ...env } });
  // Exiting before the listening line (a refusal) rejects waitFor: then the exit code is the answer.
  const code = await Promise.race<number | null | 'listening'>([main.exited, main.waitFor(/listening on/).then(() => 'listening' as const, () => main.exited)]);
  if (code === 'listening') {
    main.child.kill('SIGTERM');
    await main.exited;
  }
  return { code, ...main.output() };
}

const SIM_ROUTES: [string, string, RequestInit?][] = [
  ['GET', '/'],
  ['GET', '/sim/api/users'],
  ['GET', '/sim/api/transcript?user=quan-tri'],
  ['POST', '/sim/api/send', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'quan-tri', text: '/thongbao' }) }],
  ['POST', '/sim/api/upload', { headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(1024, 1) }],
  ['GET', '/sim/api/image/bieu-do-thong-ke-2024.png'],
  ['GET', '/sim/api/clock'],
  ['POST', '/sim/api/clock', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ date: '28/11/2024' }) }],
];
const request = (base: string, [method, url, init]: [string, string, RequestInit?], auth?: string) =>
  fetch(base + url, { method, ...init, headers: { ...(init?.headers as Record<string, string>), ...(auth && { authorization: auth }) } });

/** A simulator user as the web page drives it (send, then the replies), with the password. */
function simUser(d: Deployment, user: string) {
  let last: Reply[] = [];
  const say = async (input: { text?: string; payload?: string }) => {
    const r = await fetch(`${d.base}/sim/api/send`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(PASSWORD) }, body: JSON.stringify({ user, ...input }) });
    expect(r.status).toBe(200);
    last = ((await r.json()) as { replies: Reply[] }).replies;
    return last.map((x) => x.text).join('\n');
  };
  return {
    say: (text: string) => say({ text }),
    /** Presses the button whose label contains `label` in the latest replies. */
    press(label: string) {
      const c = last.flatMap((x) => x.choices ?? []).find((x) => x.label.includes(label));
      if (!c) throw new Error(`no button "${label}" in ${JSON.stringify(last.map((x) => x.choices?.map((y) => y.label)))}`);
      return say({ payload: c.payload });
    },
    labels: () => last.flatMap((x) => x.choices ?? []).map((x) => x.label),
  };
}

describe('the web simulator next to Telegram and Zalo', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  it('with tokens and no SIMULATOR: the page and every /sim/api route are 404, and the store gets no demo people', async () => {
    const d = await deployment({});
    try {
      for (const route of SIM_ROUTES) expect((await request(d.base, route)).status, route.join(' ')).toBe(404);
      expect(await hasSimAccounts(d.bot)).toBe(false);
      expect(await d.bot.app.redis.exists(`${d.bot.prefix}:demo:invite`)).toBe(0);
      expect(d.bot.app.sandbox).toBeUndefined();
    } finally {
      await d.close();
    }
  });

  it('SIMULATOR=on with tokens and no or a short SIMULATOR_PASSWORD: npm start refuses with one line naming it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-simsec-'));
    const cases = [
      [{}, /^Invalid configuration: SIMULATOR_PASSWORD must be set/],
      [{ SIMULATOR_PASSWORD: 'short-pw' }, /^Invalid configuration: SIMULATOR_PASSWORD must be at least 12 characters/],
    ] as const;
    const runs = await Promise.all(
      cases.map(([extra]) =>
        startMain({ STORE_PREFIX: `sp${randomUUID().slice(0, 8)}`, DATA_DIR: dataDir, TELEGRAM_BOT_TOKEN: '123456:abc', TELEGRAM_API_ROOT: 'http://127.0.0.1:9', SIMULATOR: 'on', ...extra }),
      ),
    );
    runs.forEach((r, i) => {
      expect(r.code, r.stdout).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(cases[i]![1]);
    });
  });

  it('with tokens the clock is the real one: no clock route (in the sandbox neither), and a demo clock setting in the store changes nothing', async () => {
    const envs: Record<string, string>[] = [{}, { SIMULATOR: 'on', SIMULATOR_PASSWORD: PASSWORD }];
    for (const env of envs) {
      const prefix = `ss${randomUUID().slice(0, 8)}`;
      const redis = createRedis(inject('redisUrl'));
      // As if a demo had moved its clock a year back on this store (and its sandbox).
      for (const p of [prefix, `${prefix}-sandbox`]) await redis.set(`${p}:clock:offset`, String(-365 * 86_400_000));
      await redis.quit();
      const d = await deployment(env, prefix, { appClock: true });
      try {
        const auth = env.SIMULATOR ? basic(PASSWORD) : undefined;
        for (const route of SIM_ROUTES.filter(([, url]) => url === '/sim/api/clock')) expect((await request(d.base, route, auth)).status, route.join(' ')).toBe(404);
        for (const app of [d.bot.app, d.bot.app.sandbox].filter((a) => a !== undefined)) {
          expect(app.clock.simulated).toBe(false);
          expect(Math.abs(app.clock.now().getTime() - Date.now())).toBeLessThan(1_000);
          expect(Math.abs(app.jobs.deps.now().getTime() - Date.now())).toBeLessThan(1_000);
        }
        if (env.SIMULATOR) expect(((await (await request(d.base, ['GET', '/sim/api/info'], auth)).json()) as { clock: boolean }).clock).toBe(false);
      } finally {
        await d.close();
      }
    }
  });

  describe('SIMULATOR=on with SIMULATOR_PASSWORD: a password-protected sandbox', () => {
    let d: Deployment;
    let workers: { close(): Promise<void> };
    beforeAll(async () => {
      const prefix = `ss${randomUUID().slice(0, 8)}`;
      await productionStore(prefix);
      d = await deployment({ SIMULATOR: 'on', SIMULATOR_PASSWORD: PASSWORD }, prefix);
      // npm start's workers: the deployment's and (with this change) the sandbox's.
      workers = await runWorkers(d.bot.app, { schedules: false });
    });
    afterAll(async () => {
      await workers?.close();
      await d?.close();
    });

    it('401 with a basic-auth challenge without credentials or with a wrong password; served with the right one', async () => {
      for (const route of SIM_ROUTES) {
        const none = await request(d.base, route);
        expect(none.status, route.join(' ')).toBe(401);
        expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
        expect((await request(d.base, route, basic('wrong-password-1234'))).status, route.join(' ')).toBe(401);
      }
      const page = await request(d.base, SIM_ROUTES[0]!, basic(PASSWORD));
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('trình mô phỏng');
      const info = (await (await request(d.base, ['GET', '/sim/api/info'], basic(PASSWORD))).json()) as { notice: string };
      expect(info.notice).toContain('không đến ai trên Telegram hay Zalo');
      const users = (await (await request(d.base, SIM_ROUTES[1]!, basic(PASSWORD))).json()) as { id: string }[];
      expect(users.map((u) => u.id)).toContain('quan-tri');
      // Other routes are not behind the simulator's password.
      expect((await fetch(`${d.base}/healthz`)).status).toBe(200);
    });

    it('the replayed attack: quan-tri announces to everyone; simulator users get it, nobody at the Telegram or Zalo fakes', async () => {
      const admin = simUser(d, 'quan-tri');
      expect(await admin.say('/thongbao')).toContain('Nhập nội dung thông báo');
      await admin.say('Thông báo giả mạo: bấm vào liên kết để nhận thưởng');
      await admin.press('Không đính kèm');
      await admin.press('Tất cả người tham gia');
      expect(await admin.press('Gửi thông báo')).toMatch(/thông báo #\d+/);

      // The broadcast runs to its end (the admin's report) in the sandbox...
      const sandbox = d.bot.app.sandbox?.simulator ?? d.bot.app.simulator;
      await vi.waitFor(async () => {
        if (!(await sandbox.transcript('quan-tri')).some((e) => e.text.startsWith('✅'))) throw new Error('not done');
      }, { timeout: 20_000, interval: 100 });
      expect((await sandbox.transcript('can-bo-don-vi')).some((e) => e.text.includes('Thông báo giả mạo'))).toBe(true);
      // ...and reached nobody real.
      await new Promise((r) => setTimeout(r, 300));
      expect(d.telegram.callsOf('sendMessage')).toEqual([]);
      expect(d.zalo.sentTo(ZALO_OFFICER)).toEqual([]);
    });

    it('a /moi staff invite issued in the simulator cannot be redeemed on Telegram', async () => {
      const admin = simUser(d, 'quan-tri');
      await admin.say('/moi');
      await admin.press('Cán bộ theo dõi');
      await admin.say('Định Hóa');
      await admin.press('Huyện Định Hóa');
      const created = await admin.press('Cấp mã');
      const code = /Mã mời: (\S+)/.exec(created)?.[1];
      expect(code, created).toBeDefined();

      const tg = telegramUpdates({ botInfo: d.telegram.botInfo, files: d.telegram });
      const userId = 7301;
      const post = async (update: unknown) => {
        const r = await fetch(`${d.base}/webhooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify(update) });
        expect(r.status).toBe(200);
      };
      await post(tg.command({ userId, command: 'start' }));
      const withButton = [...d.telegram.messagesTo(userId)].reverse().find((m) => buttonsOf(m).some((b) => b.text.includes('có mã mời')))!;
      await post(tg.callbackQuery({ userId, data: buttonsOf(withButton).find((b) => b.text.includes('có mã mời'))!.callback_data, message: withButton }));
      await post(tg.text({ userId, text: code! }));
      const said = d.telegram.messagesTo(userId).map(textOf).join('\n');
      expect(said).toContain('Mã mời không đúng');
      expect(said).not.toContain('Bạn đã tham gia');
      expect((await d.bot.app.store.identities.get('telegram', String(userId)))?.role ?? null).toBeNull();
    });

    it('/canbo in the simulator neither lists nor revokes a real staff member', async () => {
      for (const user of ['quan-tri', 'can-bo-theo-doi']) {
        const sim = simUser(d, user);
        await sim.say('/canbo');
        const real = sim.labels().find((l) => l.includes('telegram') || l.includes('zalo'));
        expect(real, user).toBeUndefined();
        await sim.say('huỷ');
      }
      expect((await d.bot.app.store.identities.get('telegram', String(TG_STAFF)))?.role).toBe('staff');
    });
  });

  it('a run without tokens on a store that has a real account does not seed demo people into it', async () => {
    const prefix = `ss${randomUUID().slice(0, 8)}`;
    await productionStore(prefix);
    const bot = await startBot('binh-thanh-2024', { prefix });
    try {
      const base = `http://127.0.0.1:${((await bot.app.listen()).address() as AddressInfo).port}`;
      const users = (await (await fetch(`${base}/sim/api/users`)).json()) as { label: string }[];
      expect(users.map((u) => u.label).join('\n')).not.toContain('mã mời');
      expect(await hasSimAccounts(bot)).toBe(false);
      const r = await fetch(`${base}/sim/api/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'quan-tri', text: '/thongbao' }) });
      expect(JSON.stringify(await r.json())).not.toContain('Nhập nội dung thông báo');
    } finally {
      await bot.close();
    }
  });

  it('demo people in the store and a token set: npm start refuses to serve, with one line saying what and how to fix it', async () => {
    const prefix = `ss${randomUUID().slice(0, 8)}`;
    // An earlier run without tokens on the same Redis and prefix: the local demo, seeded.
    const demo = await startBot('binh-thanh-2024', { prefix });
    await demo.close();
    const telegram = await startFakeTelegram();
    try {
      const { code, stdout, stderr } = await startMain({ STORE_PREFIX: prefix, DATA_DIR: demo.dataDir, TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot });
      expect(code, stdout).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(new RegExp(`^Refusing to start: the store \\(STORE_PREFIX=${prefix}\\) holds the simulator's demo accounts`));
      expect(stderr).toContain('a store of its own');
      expect(stdout).not.toContain('listening on');
    } finally {
      await telegram.close();
    }
  });
});
