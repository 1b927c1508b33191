import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { parseConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logger.js';
import { startEmbeddedRedis } from '../../src/redis/embedded.js';
import { createRedis } from '../../src/redis/connection.js';
import { createStore } from '../../src/store/index.js';
import { PROCESS_TEST_TIMEOUT, start } from '../helpers/process.js';

const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), p));

describe('durability with real processes', () => {
  it('Redis killed with SIGKILL right after the officer saw "đã ghi nhận": the registration survives (AOF, appendfsync always)', async () => {
    const dir = tmp('aof-');
    const first = await startEmbeddedRedis({ dir });
    const config = parseConfig({ DATA_DIR: tmp('data-'), LOG_LEVEL: 'silent', USER_MESSAGES_PER_MINUTE: '1000' });
    const app = await createApp(config, { redisUrl: first.url, log: createLogger('silent') });
    const say = async (text: string) => (await app.simulator.receive('can-bo-don-vi', { text })).map((r) => r.text).join('\n');
    await app.simulator.receive('can-bo-don-vi', { payload: 'go|register' });
    await say('1,2');
    await say('Cam kết trước khi mất điện');
    expect(await say('xác nhận')).toContain('Đã ghi nhận đăng ký thi đua năm 2024');
    process.kill(first.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    app.redis.disconnect();

    const second = await startEmbeddedRedis({ dir, port: first.port });
    const redis = createRedis(second.url);
    const store = createStore(redis);
    const identity = (await store.identities.get('sim', 'can-bo-don-vi'))!;
    const reg = await store.registrations.get(app.campaign.id, 2024, { type: 'unit', unitId: identity.unitId! });
    expect(reg?.commitments).toBe('Cam kết trước khi mất điện');
    expect((await store.audit.list({})).some((e) => e.action.startsWith('registration'))).toBe(true);
    redis.disconnect();
    await second.stop();
  }, 60_000);

  it('the app process killed mid-conversation: after a restart the user continues at the same step with earlier answers kept', async () => {
    const prefix = `dur${randomUUID().slice(0, 6)}`;
    const dataDir = tmp('app-');
    const startApp = async () => {
      const app = start('src/main.ts', [], {
        env: { ...process.env, REDIS_URL: inject('redisUrl'), STORE_PREFIX: prefix, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' },
      });
      return { ...app, base: (await app.waitFor(/listening on (http:\/\/localhost:\d+\/)/))[1]! };
    };
    const send = async (base: string, body: object) => {
      const r = await fetch(new URL('sim/api/send', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'can-bo-don-vi', ...body }) });
      return ((await r.json()) as { replies: { text: string }[] }).replies.map((x) => x.text).join('\n');
    };
    let app = await startApp();
    await send(app.base, { payload: 'go|register' });
    expect(await send(app.base, { text: '2,3' })).toContain('Cam kết');
    app.child.kill('SIGKILL');
    await app.exited;

    app = await startApp();
    const summary = await send(app.base, { text: 'Cam kết sau khi khởi động lại' });
    expect(summary).toContain('Kiểm tra lại đăng ký thi đua năm 2024');
    expect(summary).toContain('2. Cam kết: Cam kết sau khi khởi động lại');
    expect(summary).toMatch(/1\. Nội dung: .+; .+/);
    expect(await send(app.base, { text: 'xác nhận' })).toContain('Đã ghi nhận đăng ký');
    app.child.kill('SIGTERM');
    await app.exited;
  }, PROCESS_TEST_TIMEOUT);
});
