import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Message } from 'grammy/types';
import { inject, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/redis/connection.js';
import { createStore, importUnitsCsv, CLI_ACTOR } from '../../src/store/index.js';
import { fromRoot } from '../../src/paths.js';
import { loadInviteSecret } from '../../src/config/invite-secret.js';
import { startFakeTelegram } from '../fakes/telegram-bot-api.js';
import { telegramUpdates } from '../fakes/telegram-updates.js';
import { startFakeZalo } from '../fakes/zalo-openapi.js';
import { postZaloEvent, zaloEvents } from '../fakes/zalo-events.js';
import { PROCESS_TEST_TIMEOUT, start } from '../helpers/process.js';
import { buttonsOf, textOf } from '../helpers/telegram.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Secrets and personal data of this run: none of them may appear in the logs. */
const TOKEN = '424242424:LogTestToken_Zq8vXk3Pw9';
const WEBHOOK_SECRET = 'log-test-webhook-secret_77QxZ';
const ZALO_APP_ID = '1122334455667788990';
const ZALO_APP_SECRET = 'zalo-app-secret-LOGTEST-9f8e7d';
const ZALO_OA_SECRET = 'zalo-oa-secret-LOGTEST-6c5b4a';
const ZALO_REFRESH = 'zalo-refresh-LOGTEST-0a1b2c3d';
const OFFICER = { firstName: 'Quách Thị', lastName: 'Xuyếnlogtest' };
const ZALO_NAME = 'Trịnh Văn Zalologtest';
const COMMITMENT = 'Chúng tôi cam kết hoàn thành kế hoạch bí mật 4711 logtest';
const ZALO_TEXT = 'câu trả lời riêng tư 8812 logtest';

describe('logs of a full end-to-end run at LOG_LEVEL=trace', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  it('hold no token, secret, officer name or free-text answer', async () => {
    const telegram = await startFakeTelegram({ token: TOKEN });
    const zalo = await startFakeZalo({ appId: ZALO_APP_ID, appSecret: ZALO_APP_SECRET, oaSecretKey: ZALO_OA_SECRET, initialRefreshToken: ZALO_REFRESH });
    const prefix = `lg${randomUUID().slice(0, 8)}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-logs-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LOG_LEVEL: 'trace',
      REDIS_URL: inject('redisUrl'),
      STORE_PREFIX: prefix,
      DATA_DIR: dataDir,
      PORT: '0',
      USER_MESSAGES_PER_MINUTE: '1000',
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      ZALO_APP_ID,
      ZALO_APP_SECRET,
      ZALO_OA_SECRET_KEY: ZALO_OA_SECRET,
      ZALO_REFRESH_TOKEN: ZALO_REFRESH,
      ZALO_API_BASE: zalo.apiBase,
      ZALO_OAUTH_BASE: zalo.oauthBase,
      ZALO_ZNS_BASE: zalo.znsBase,
    };
    // The operator's part: units imported and an officer's invite issued (the CLI's store calls).
    const redis = createRedis(inject('redisUrl'));
    // The operator's CLI on the app's machine: the same data dir, so the same invite secret.
    const store = createStore(redis, { prefix, inviteSecret: loadInviteSecret({ dataDir, INVITE_SECRET: undefined }) });
    expect((await importUnitsCsv(store, fs.readFileSync(fromRoot('campaigns', 'demo', 'binh-thanh-2024.csv'), 'utf8'), CLI_ACTOR)).ok).toBe(true);
    const hamlet = (await store.units.all()).find((u) => u.level === 'hamlet')!;
    const inviteCode = await store.invites.create({ role: 'officer', unitId: hamlet.id, ttlDays: 1, createdBy: 'test' }, CLI_ACTOR);
    const app = start('src/main.ts', [], { env });
    try {
      const base = (await app.waitFor(/listening on (http:\/\/localhost:\d+\/)/))[1]!;

      // Telegram: an officer joins with the invite code and registers the unit, with a free-text commitment.
      const tg = telegramUpdates({ botInfo: telegram.botInfo, files: telegram });
      const userId = 880011;
      const post = async (update: unknown) => {
        const r = await fetch(new URL('webhooks/telegram', base), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
          body: JSON.stringify(update),
        });
        expect(r.status).toBe(200);
      };
      const press = async (label: string) => {
        const messages = telegram.messagesTo(userId);
        for (let i = messages.length - 1; i >= 0; i--) {
          const b = buttonsOf(messages[i]!).find((x) => x.text.includes(label));
          if (b) return post(tg.callbackQuery({ userId, ...OFFICER, data: b.callback_data, message: messages[i]! } as Parameters<typeof tg.callbackQuery>[0]));
        }
        throw new Error(`no button ${label}`);
      };
      const last = () => telegram.messagesTo(userId).map((m: Message) => textOf(m)).join('\n');
      await post(tg.command({ userId, ...OFFICER, command: 'start' }));
      await press('Cán bộ đơn vị');
      await post(tg.text({ userId, ...OFFICER, text: inviteCode }));
      expect(last()).toContain('Bạn đã tham gia');
      await press('Đăng ký thi đua');
      const areas = buttonsOf(telegram.messagesTo(userId).at(-1)!);
      await press(areas[0]!.text.replace(/^\d+\. /, ''));
      await press('Xong');
      expect(last()).toContain('Cam kết');
      await post(tg.text({ userId, ...OFFICER, text: COMMITMENT }));
      await press('Xác nhận');
      expect(last()).toMatch(/đăng ký/i);

      // Zalo: a follower with a display name writes free text; the reply goes out with an access token.
      const zaloUser = '7300000000000000042';
      zalo.setUser({ user_id: zaloUser, display_name: ZALO_NAME });
      const ev = zaloEvents({ appId: ZALO_APP_ID, oaId: zalo.oaId });
      for (const text of ['xin chào', ZALO_TEXT]) {
        const before = zalo.sentTo(zaloUser).length;
        const r = await postZaloEvent(new URL('webhooks/zalo', base).href, ev.userSendText({ userId: zaloUser, text }), ZALO_OA_SECRET);
        expect(r.status).toBe(200);
        const until = Date.now() + 15_000;
        while (zalo.sentTo(zaloUser).length === before && Date.now() < until) await sleep(50);
        expect(zalo.sentTo(zaloUser).length).toBeGreaterThan(before);
      }
      // A refused webhook is logged too, without its body.
      await fetch(new URL('webhooks/telegram', base), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
        body: `{"x": "${OFFICER.lastName} ${COMMITMENT}`,
      });
      expect((await fetch(new URL('metrics', base))).status).toBe(200);
    } finally {
      app.child.kill('SIGTERM');
      expect(await app.exited).toBe(0);
      redis.disconnect();
      await telegram.close();
      await zalo.close();
    }

    const out = app.output().stdout + app.output().stderr;
    const lines = out.split('\n').filter(Boolean);
    expect(lines.length, out).toBeGreaterThan(10);
    expect(out).toContain('"level":10'); // trace lines were written
    expect(out).toContain('request refused');
    const secrets = [
      TOKEN,
      TOKEN.split(':')[1]!,
      WEBHOOK_SECRET,
      ZALO_APP_SECRET,
      ZALO_OA_SECRET,
      ZALO_REFRESH,
      zalo.currentRefreshToken,
      inviteCode,
      ...zalo.spentRefreshTokens,
      ...(zalo.currentAccessToken ? [zalo.currentAccessToken] : []),
    ];
    const personal = [OFFICER.firstName, OFFICER.lastName, `${OFFICER.firstName} ${OFFICER.lastName}`, ZALO_NAME, 'Zalologtest', COMMITMENT, '4711 logtest', ZALO_TEXT, '8812 logtest'];
    for (const s of [...secrets, ...personal]) {
      expect(s.length).toBeGreaterThan(5);
      expect(out.includes(s), `log contains ${JSON.stringify(s.slice(0, 12))}…`).toBe(false);
    }
  });
});
