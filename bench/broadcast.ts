/**
 * Broadcast and reminder-pass benchmark.
 *
 *   npm run bench:broadcast                       10,000 recipients at TELEGRAM_RATE_PER_SEC 25, 50,000-unit pass
 *   npm run bench:broadcast -- --recipients 2000 --rate 28 --units 10000
 *
 * 1. Broadcast: one announcement to N Telegram users through the outbox. The worker is
 *    `src/worker.ts` as a real child process (as in production); the Bot API is the
 *    local fake (test/fakes/telegram-bot-api.ts) enforcing 30 messages per rolling second
 *    and answering 429 with retry_after 1 above that. Prints the achieved rate (first to
 *    last delivered announcement) against the configured one, 429s, lost and duplicated
 *    messages (per chat, from what the fake received), and the worker's peak RSS.
 * 2. Reminder pass: U units (hamlets) with one officer each, none of them reported; times
 *    the D-7 report reminder pass from its fire time until every reminder is in the outbox.
 *
 * Uses REDIS_URL if set (throwaway prefixes, deleted afterwards), else a private
 * redis-server in a temp dir. Not part of `npm test`.
 */
import { spawnWorker } from './lib/processes.js';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApp, type App } from '../src/app.js';
import { parseConfig } from '../src/config/index.js';
import type { Identity } from '../src/domain/entities.js';
import { createLogger } from '../src/logger.js';
import { createRedis } from '../src/redis/connection.js';
import { startEmbeddedRedis } from '../src/redis/embedded.js';
import { CLI_ACTOR, importUnitsCsv } from '../src/store/index.js';
import { startFakeTelegram } from '../test/fakes/telegram-bot-api.js';
import { deletePrefix } from './lib/redis-prefix.js';
import { unitsCsv } from './lib/units.js';
import { runMain } from './lib/run.js';

const { values: args } = parseArgs({
  options: {
    recipients: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '25' },
    limit: { type: 'string', default: '30' },
    units: { type: 'string', default: '50000' },
    skip: { type: 'string', default: '' },
  },
});
const RECIPIENTS = Number(args.recipients);
const RATE = Number(args.rate);
const PLATFORM_LIMIT = Number(args.limit);
const UNITS = Number(args.units);
const SECRET = 'bench-secret_0123456789';
const TEXT = 'Thông báo thử tải: họp sơ kết phong trào thi đua chuyển đổi số lúc 8 giờ sáng thứ Hai.';
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function clean(url: string, prefix: string) {
  const redis = createRedis(url);
  await deletePrefix(redis, prefix);
  await redis.quit();
}

function peakRssMb(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : null;
  } catch {
    return null;
  }
}

async function appFor(url: string, prefix: string, env: Record<string, string>, now?: () => Date): Promise<App> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-bench-'));
  const config = parseConfig({ CAMPAIGN: 'binh-thanh-2024', DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0', SIMULATOR: 'off', STORE_PREFIX: prefix, ...env });
  return createApp(config, { redisUrl: url, log: createLogger('silent'), prefix, ...(now && { now }) });
}

async function upsertAll(app: App, people: Identity[]) {
  for (let i = 0; i < people.length; i += 250) await Promise.all(people.slice(i, i + 250).map((p) => app.store.identities.upsert(p, CLI_ACTOR)));
}

async function broadcastBench(url: string) {
  const prefix = `benchbc${Date.now().toString(36)}`;
  const fake = await startFakeTelegram();
  fake.rateLimit({ perSecond: PLATFORM_LIMIT, retryAfter: 1 });
  // The app and the worker process have different DATA_DIRs: they share the invite secret explicitly, as replicas must.
  const env = { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_RATE_PER_SEC: String(RATE), INVITE_SECRET: randomBytes(32).toString('hex') };
  const app = await appFor(url, prefix, env);
  const at = new Date().toISOString();
  const ADMIN = 1;
  const chats = Array.from({ length: RECIPIENTS - 1 }, (_, i) => 100_000 + i);
  const person = (chat: number, role: Identity['role']): Identity => ({ channel: 'telegram', userId: String(chat), personId: null, role, unitId: null, lang: 'vi', lastInboundAt: at, unreachable: false, createdAt: at });
  let t = performance.now();
  await upsertAll(app, [person(ADMIN, 'admin'), ...chats.map((c) => person(c, 'individual'))]);
  console.log(`setup: ${fmt(RECIPIENTS)} Telegram users in ${fmt((performance.now() - t) / 1000, 1)} s`);

  const child = await spawnWorker(['--import', 'tsx', 'src/worker.ts'], { REDIS_URL: url, STORE_PREFIX: prefix, CAMPAIGN: 'binh-thanh-2024', DATA_DIR: os.tmpdir(), ...env });

  const start = Date.now();
  const { id } = await app.jobs.broadcasts.start({ by: { channel: 'telegram', userId: String(ADMIN), lang: 'vi' }, text: TEXT, audience: { kind: 'channel', channel: 'telegram' } });
  let lastLog = 0;
  for (;;) {
    const s = (await app.jobs.broadcasts.status(id))!;
    if (s.status === 'done') break;
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      console.log(`  … ${fmt(s.total - s.pending)}/${fmt(s.total)} after ${fmt((Date.now() - start) / 1000)} s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const wall = (Date.now() - start) / 1000;
  const rss = peakRssMb(child.pid!);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));

  const delivered = fake.calls.filter((c) => c.method === 'sendMessage' && c.status === 200 && String(c.params.text).includes(TEXT));
  const perChat = new Map<string, number>();
  for (const c of delivered) perChat.set(String(c.params.chat_id), (perChat.get(String(c.params.chat_id)) ?? 0) + 1);
  const all = [String(ADMIN), ...chats.map(String)];
  const lost = all.filter((c) => !perChat.has(c)).length;
  const duplicated = [...perChat.values()].filter((n) => n > 1).length;
  const first = delivered[0]!.at;
  const last = delivered.at(-1)!.at;
  const achieved = (delivered.length - 1) / ((last - first) / 1000);
  const s = (await app.jobs.broadcasts.status(id))!;
  const stats = fake.stats();
  // The admin's progress line: edits share the platform's budget.
  const edits = fake.callsOf('editMessageText').length;
  await app.close();
  await fake.close();
  await clean(url, prefix);
  return { achieved, wall, rss, lost, duplicated, delivered: delivered.length, too: stats[429] ?? 0, edits, report: s };
}

async function reminderBench(url: string) {
  const prefix = `benchrem${Date.now().toString(36)}`;
  // Fire time of the D-7 report reminder of binh-thanh-2024: 03/12/2024 08:00 Vietnam time.
  const fire = new Date('2024-12-03T01:00:00Z');
  const app = await appFor(url, prefix, { TELEGRAM_BOT_TOKEN: '123456789:BENCH-no-network', TELEGRAM_WEBHOOK_SECRET: SECRET }, () => fire);
  let t = performance.now();
  const imported = await importUnitsCsv(app.store, unitsCsv(UNITS), CLI_ACTOR);
  if (!imported.ok) throw new Error(imported.errors.slice(0, 3).join('\n'));
  const hamlets = (await app.store.units.all()).filter((u) => u.level === 'hamlet');
  const at = new Date().toISOString();
  await upsertAll(
    app,
    hamlets.map((u, i) => ({ channel: 'telegram', userId: String(10_000_000 + i), personId: null, role: 'officer', unitId: u.id, lang: 'vi', lastInboundAt: at, unreachable: false, createdAt: at })),
  );
  console.log(`setup: ${fmt(hamlets.length)} units with an officer each in ${fmt((performance.now() - t) / 1000, 1)} s`);
  t = performance.now();
  const r = await app.jobs.runReminders(fire, { only: { kind: 'report', year: 2024 } });
  const ms = performance.now() - t;
  const counts = (await app.jobs.outbox.counts(['telegram'])).telegram!;
  await app.close();
  await clean(url, prefix);
  return { units: hamlets.length, ms, ...r, inQueue: (counts.prioritized ?? 0) + (counts.waiting ?? 0), staged: counts.staged ?? 0 };
}

async function main() {
  let url = process.env.REDIS_URL;
  let stop = async () => {};
  if (!url) {
    const server = await startEmbeddedRedis({ dir: fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-bench-redis-')), persistence: false });
    url = server.url;
    stop = () => server.stop();
  }
  try {
    console.log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`);
    if (!args.skip.includes('broadcast')) {
      console.log(`\nBroadcast: ${fmt(RECIPIENTS)} recipients, outbox rate ${RATE}/s, fake Bot API limit ${PLATFORM_LIMIT}/s (429 above)`);
      const b = await broadcastBench(url);
      console.log(`  achieved rate        ${fmt(b.achieved, 2)} msg/s = ${fmt((100 * b.achieved) / RATE, 1)} % of ${RATE}/s (first to last delivery)`);
      console.log(`  wall time            ${fmt(b.wall, 1)} s (start of the broadcast to its final report)`);
      console.log(`  429 answers          ${b.too}`);
      console.log(`  delivered            ${fmt(b.delivered)} (lost ${b.lost}, duplicated ${b.duplicated})`);
      console.log(`  report               sent ${fmt(b.report.sent)}, failed ${b.report.failed}, unreachable ${b.report.unreachable}; ${b.edits} progress edits`);
      console.log(`  worker peak RSS      ${b.rss === null ? 'n/a' : `${fmt(b.rss, 0)} MB`}`);
    }
    if (!args.skip.includes('reminders')) {
      console.log(`\nReminder pass: ${fmt(UNITS)} units, one officer each, none reported`);
      const r = await reminderBench(url);
      console.log(`  fire time → all in the outbox   ${fmt(r.ms / 1000, 2)} s for ${fmt(r.planned)} reminders (${fmt(r.queued)} queued: ${fmt(r.staged)} staged, ${fmt(r.inQueue)} jobs waiting in the Telegram queue)`);
    }
  } finally {
    await stop();
  }
}

runMain(main);
