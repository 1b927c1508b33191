/**
 * Zalo webhook: how fast events are acknowledged (Zalo allows 2 s) and answered.
 *
 *   npm run bench:zalo                 (BENCH_SECONDS=8, BENCH_CONNECTIONS=10,100)
 *
 * One private redis-server, the fake Zalo OpenAPI/OAuth (test/fakes, in this process) and
 * the real app (createApp with ZALO_*: signature check, BullMQ inbound queue, worker,
 * engine, replies sent to the fake). N simulated users each send a signed event, then wait
 * for the bot's reply at the fake before sending the next, as a person would. Users are
 * newcomers alternating "1" (→ "enter your invite code") and "quay lại" (→ back to the
 * first question): one engine step and one reply each.
 *
 * Printed: events/s answered end to end, and the webhook acknowledgement latency
 * (POST → HTTP 200, before any processing) p50/p95/p99/max, against the 2 s budget.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app.js';
import { parseConfig } from '../src/config/index.js';
import { createLogger } from '../src/logger.js';
import { startEmbeddedRedis } from '../src/redis/embedded.js';
import { postZaloEvent, zaloEvents } from '../test/fakes/zalo-events.js';
import { startFakeZalo } from '../test/fakes/zalo-openapi.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '10,100').split(',').map(Number);
const APP_ID = '3451287705938471234';
const APP_SECRET = 'bench-app-secret';
const OA_SECRET = 'bench-oa-secret';
const RT0 = 'bench-refresh-token-000000000';

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-bench-zalo-'));
  const redis = await startEmbeddedRedis({ dir, persistence: false });
  const fake = await startFakeZalo({ appId: APP_ID, appSecret: APP_SECRET, oaSecretKey: OA_SECRET, initialRefreshToken: RT0 });
  const config = parseConfig({
    CAMPAIGN: 'binh-thanh-2024',
    DATA_DIR: dir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    USER_MESSAGES_PER_MINUTE: '100000000',
    ZALO_APP_ID: APP_ID,
    ZALO_APP_SECRET: APP_SECRET,
    ZALO_OA_SECRET_KEY: OA_SECRET,
    ZALO_REFRESH_TOKEN: RT0,
    ZALO_API_BASE: fake.apiBase,
    ZALO_OAUTH_BASE: fake.oauthBase,
    ZALO_ZNS_BASE: fake.znsBase,
  });
  const app = await createApp(config, { redisUrl: redis.url, log: createLogger('silent'), prefix: 'bench' });
  const server = await app.listen();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/zalo`;
  const ev = zaloEvents({ appId: APP_ID, oaId: fake.oaId });

  console.log(`Zalo webhook bench: ${SECONDS} s per run, node ${process.version}, ${os.cpus().length} CPUs`);
  let run = 0;
  for (const n of CONNECTIONS) {
    run++;
    const acks: number[] = [];
    let answered = 0;
    let errors = 0;
    const deadline = Date.now() + SECONDS * 1000;
    const user = async (i: number) => {
      const userId = `9${String(run).padStart(2, '0')}${String(i).padStart(16, '0')}`;
      let step = 0;
      while (Date.now() < deadline) {
        const text = step === 0 ? 'xin chào' : step % 2 === 1 ? '1' : 'quay lại';
        const before = fake.sentTo(userId).length;
        const r = await postZaloEvent(url, ev.userSendText({ userId, text }), OA_SECRET).catch(() => null);
        if (!r || r.status !== 200) {
          errors++;
          continue;
        }
        acks.push(r.elapsedMs);
        await fake.waitFor(() => fake.sentTo(userId).length > before, 30_000);
        answered++;
        step++;
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: n }, (_, i) => user(i)));
    const elapsed = (Date.now() - started) / 1000;
    acks.sort((a, b) => a - b);
    console.log(
      `${String(n).padStart(4)} users: ${(answered / elapsed).toFixed(0).padStart(5)} events/s answered end to end; ` +
        `ack p50 ${pct(acks, 50)} ms, p95 ${pct(acks, 95)} ms, p99 ${pct(acks, 99)} ms, max ${acks.at(-1)} ms` +
        `${acks.at(-1)! < 2000 ? ' (all < 2 s)' : ' (OVER 2 s)'}${errors ? `, ${errors} errors` : ''}`,
    );
  }
  await app.close();
  await fake.close();
  await redis.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

await main();
