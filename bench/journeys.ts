/**
 * Whole journeys under load (issue 17, item 3).
 *
 *   npm run bench:journeys          JOURNEYS=1000 officers, THINK_SCALE=1 (pauses of 0.5–3 s),
 *                                   RAMP_SECONDS=30×THINK_SCALE, WEB_PROCESSES=1,2
 *   JOURNEYS=50 THINK_SCALE=0.1 npm run bench:journeys        (a dev run)
 *
 * Compiled (tsc → dist/, plain node), as the Docker image runs the app. One private
 * redis-server, the fake Telegram Bot API and the fake Zalo OpenAPI (test/fakes, in this
 * process), and the app (createApp + its workers, as `npm start`) in its own process — then
 * the same with two such `web` processes behind a round-robin balancer, sharing the Redis.
 *
 * N officers, half on Telegram and half on Zalo (signed events), each with a one-time invite
 * code made by the store as `/moi` and `invite:create` make them, do a whole journey through
 * the webhooks: join with the code, register, report every indicator, nominate with a file
 * (a Telegram document / a Zalo file attachment served by the fake's CDN), `/tinhtrang`. They
 * read each reply and answer what it asks (bench/lib/officer.ts), pausing to think between
 * messages; they start spread over the ramp. Once everyone has joined, an admin sends an
 * announcement to everyone (`/thongbao` on Telegram), delivered by the outbox while the
 * journeys go on. A journey that fails, or ends with the store not holding what the officer
 * was told (registration, report, a sent dossier with its file), is an error.
 *
 * Then a bare grammY bot (bench/lib/bare-grammy.ts) in its own process gets the same number
 * of Telegram users sending as many messages with the same pauses: the reference line.
 *
 * Printed per setup: messages, p50/p99 of webhook POST → the last message of the answer at
 * the fake, errors, the server processes' CPU (their own process.cpuUsage()) per message
 * (the announcement's sends included), replies per second, and the announcement's delivery.
 *
 * Long on purpose: one program (children, setups, report) that tsc compiles and node runs;
 * the officer, the chats, the store side and the helpers are in bench/lib.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { t } from '../src/i18n.js';
import { promptPattern } from './lib/prompts.js';
import { startBalancer } from './lib/balancer.js';
import { startBareGrammy } from './lib/bare-grammy.js';
import { Inbox, TelegramChat, telegramReceived, ZaloChat, type TelegramLine, type ZaloLine } from './lib/chats.js';
import { seedJourneys } from './lib/journey-store.js';
import { adminAnnouncement, JourneyError, officerJourney, type Chat, type Turn } from './lib/officer.js';
import { serverReady, startServer, type ServerProcess } from './lib/processes.js';
import { cpuMs, machineLine, quantile } from './lib/stats.js';

const N = Number(process.env.JOURNEYS ?? 1000);
const THINK_SCALE = Number(process.env.THINK_SCALE ?? 1);
const RAMP_SECONDS = Number(process.env.RAMP_SECONDS ?? 30 * THINK_SCALE);
const WEB_PROCESSES = (process.env.WEB_PROCESSES ?? '1,2').split(',').map(Number);
const CAMPAIGN = process.env.CAMPAIGN ?? 'binh-thanh-2024';
const SECRET = 'bench-secret_0123456789';
const ZALO = { appId: '3451287705938471234', appSecret: 'bench-app-secret', oaSecretKey: 'bench-oa-secret', initialRefreshToken: 'bench-refresh-token-000000000' };
const INVITE_SECRET = 'bench-invite-secret-0123456789abcdef0123456789';
const ANNOUNCEMENT = 'Thông báo thử tải: họp sơ kết phong trào thi đua chuyển đổi số lúc 8 giờ sáng thứ Hai.';
/** The announcement as recipients get it (the admin's own confirm step quotes the text too). */
const DELIVERED = t('vi', 'announce.message', { text: ANNOUNCEMENT });
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const self = fileURLToPath(import.meta.url);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const think = () => sleep((500 + Math.random() * 2500) * THINK_SCALE);

// ---------------------------------------------------------------------------------------
// Children: the app (web + workers), the bare bot, the balancer

async function serveApp(): Promise<void> {
  const { createApp } = await import('../src/app.js');
  const { parseConfig } = await import('../src/config/index.js');
  const { createLogger } = await import('../src/logger.js');
  const { runWorkers } = await import('../src/ops/bootstrap.js');
  const log = createLogger('silent');
  const config = parseConfig(process.env);
  const app = await createApp(config, { redisUrl: process.env.REDIS_URL!, log, prefix: config.STORE_PREFIX, telegramBotInfo: JSON.parse(process.env.BENCH_BOT_INFO!) });
  const server = await app.listen();
  await runWorkers(app, { log, schedules: false });
  // Which Zalo events are answered: the bench's officers wait for it, as a person waits for the reply.
  app.zalo?.inbound.events.on('processed', (p) => process.send!({ processed: p.key }));
  serverReady((server.address() as { port: number }).port);
}

// ---------------------------------------------------------------------------------------
// Parent

interface Shared {
  redisUrl: string;
  redisPid: number;
  tg: Awaited<ReturnType<typeof import('../test/fakes/telegram-bot-api.js').startFakeTelegram>>;
  zalo: Awaited<ReturnType<typeof import('../test/fakes/zalo-openapi.js').startFakeZalo>>;
  inbox: Inbox;
  agent: http.Agent;
  processed: Map<string, () => void>;
}

interface Row {
  setup: string;
  journeys: number;
  turns: Turn[];
  /** The same turns by platform. */
  byChannel?: Record<'telegram' | 'zalo', Turn[]>;
  errors: string[];
  cpuMs: number;
  /** CPU of redis-server and of this process (the officers, the fakes; the balancer runs apart), ms. */
  redisCpuMs: number;
  benchCpuMs: number;
  seconds: number;
  replies: number;
  broadcast?: string;
}

function summarise(r: Row) {
  const ms = r.turns.map((t) => t.ms).sort((a, b) => a - b);
  const per = (x: number) => x / Math.max(1, ms.length);
  return { messages: ms.length, p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), cpu: per(r.cpuMs), redisCpu: per(r.redisCpuMs), benchCpu: per(r.benchCpuMs), perSecond: r.replies / r.seconds };
}

async function lines(shared: Shared, port: number) {
  const { telegramUpdates } = await import('../test/fakes/telegram-updates.js');
  const { zaloEvents } = await import('../test/fakes/zalo-events.js');
  const tgLine: TelegramLine = { url: new URL(`http://127.0.0.1:${port}/webhooks/telegram`), secret: SECRET, agent: shared.agent, updates: telegramUpdates({ botInfo: shared.tg.botInfo, files: shared.tg }) };
  const zaloLine: ZaloLine = {
    webhook: `http://127.0.0.1:${port}/webhooks/zalo`,
    oaSecret: ZALO.oaSecretKey,
    events: zaloEvents({ appId: ZALO.appId, oaId: shared.zalo.oaId }),
    fake: shared.zalo,
    processed: (key) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          shared.processed.delete(key);
          reject(new JourneyError('no answer to a Zalo event in 60 s'));
        }, 60_000);
        shared.processed.set(key, () => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
  return { tgLine, zaloLine };
}

/** One setup: `webs` app processes (behind a balancer when more than one), N journeys and the announcement. */
async function journeysWith(shared: Shared, webs: number): Promise<Row> {
  const prefix = `bj${webs}x${Date.now().toString(36)}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-journeys-'));
  const adminId = 9_000_000 + webs;
  const env = {
    ...process.env,
    REDIS_URL: shared.redisUrl,
    STORE_PREFIX: prefix,
    CAMPAIGN,
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    INVITE_SECRET,
    ADMINS: `telegram:${adminId}`,
    // Pauses scaled down for dev runs would trip the per-person flood guard (30/min).
    USER_MESSAGES_PER_MINUTE: String(Math.ceil(60 / THINK_SCALE)),
    TELEGRAM_BOT_TOKEN: shared.tg.token,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_API_ROOT: shared.tg.apiRoot,
    BENCH_BOT_INFO: JSON.stringify(shared.tg.botInfo),
    ZALO_APP_ID: ZALO.appId,
    ZALO_APP_SECRET: ZALO.appSecret,
    ZALO_OA_SECRET_KEY: ZALO.oaSecretKey,
    // The fake's refresh tokens are single-use, as Zalo's: each setup starts from the one the last left.
    ZALO_REFRESH_TOKEN: shared.zalo.currentRefreshToken,
    ZALO_API_BASE: shared.zalo.apiBase,
    ZALO_OAUTH_BASE: shared.zalo.oauthBase,
    ZALO_ZNS_BASE: shared.zalo.znsBase,
    ZALO_FILE_HOSTS: new URL(shared.zalo.filesBase).host,
  };
  const servers: ServerProcess[] = [];
  // BENCH_CPU_PROF=<dir>: V8 CPU profiles of the app processes (for finding hot spots).
  const execArgv = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.join(process.env.BENCH_CPU_PROF, `web${webs}`)] : [];
  for (let i = 0; i < webs; i++) servers.push(await startServer(self, ['serve-app'], { env, execArgv }));
  for (const s of servers) s.onMessage((m) => typeof m.processed === 'string' && (shared.processed.get(m.processed)?.(), shared.processed.delete(m.processed)));
  const balancer = webs > 1 ? await startServer(self, ['balance', ...servers.map((s) => String(s.port))]) : null;
  const port = balancer?.port ?? servers[0]!.port;
  const { tgLine, zaloLine } = await lines(shared, port);

  const seeded = await seedJourneys({ redisUrl: shared.redisUrl, prefix, campaign: CAMPAIGN, inviteSecret: INVITE_SECRET, count: N, idBase: webs });
  const { officers } = seeded;
  process.stderr.write(`${webs} web process(es) up, ${officers.length} officers with invite codes\n`);
  const turns: Turn[] = [];
  const byChannel: Record<'telegram' | 'zalo', Turn[]> = { telegram: [], zalo: [] };
  const errors: string[] = [];
  if (process.env.BENCH_TRACE) errors.push = (...e: string[]) => (process.stderr.write(`ERROR ${e.join('\n')}\n`), Array.prototype.push.apply(errors, e));
  let joined = 0;
  let settled = 0;
  let announce: Promise<number> | null = null;
  const admin = new TelegramChat(shared.inbox, tgLine, adminId);
  const maybeAnnounce = () => {
    if (announce || joined + settled < N) return;
    announce = adminAnnouncement(admin, ANNOUNCEMENT).catch((err: Error) => (errors.push(`admin: ${err.message}`), NaN));
  };
  const cpu0 = await Promise.all(servers.map((s) => s.cpuMs()));
  const [redis0, bench0] = [cpuMs(shared.redisPid), process.cpuUsage()];
  const t0 = Date.now();
  const progress = setInterval(() => process.stderr.write(`  ${((Date.now() - t0) / 1000).toFixed(0)} s: ${joined} joined, ${finished.length} done, ${errors.length} errors, ${turns.length} messages\n`), 10_000);
  const finished: (typeof officers)[number][] = [];
  await Promise.all(
    officers.map(async (o, i) => {
      await sleep((i / N) * RAMP_SECONDS * 1000);
      const chat: Chat = o.channel === 'telegram' ? new TelegramChat(shared.inbox, tgLine, Number(o.userId)) : new ZaloChat(shared.inbox, zaloLine, o.userId);
      let hasJoined = false;
      const counting: Chat = { say: (t) => track(chat.say(t)), press: (l) => track(chat.press(l)), upload: (b, n) => track(chat.upload(b, n)) };
      async function track(p: Promise<Turn>) {
        const t = await p;
        turns.push(t);
        byChannel[o.channel].push(t);
        return t;
      }
      try {
        const file = Buffer.concat([PDF, Buffer.from(`% ${o.userId}\n`)]);
        const plan = { code: o.code, unitName: o.unitName, nominee: `Nguyễn Văn ${o.userId.slice(-4)}`, file, think, onJoined: () => ((hasJoined = true), joined++, maybeAnnounce()) };
        const r = await officerJourney(counting, plan, o.channel === 'telegram' ? '/start' : 'xin chào');
        const wrong = await seeded.check(o, r.dossier);
        if (wrong) errors.push(`${o.channel}: wrong state: ${wrong}`);
        else finished.push(o);
      } catch (err) {
        errors.push(`${o.channel}: ${(err as Error).message.slice(0, 400)}`);
      } finally {
        if (!hasJoined) settled++;
        maybeAnnounce();
      }
    }),
  );
  clearInterval(progress);
  const journeySeconds = (Date.now() - t0) / 1000;
  // The announcement: every officer who joined gets it exactly once.
  const announced = await (announce ?? Promise.resolve(NaN));
  const got = (o: { userId: string }) => shared.inbox.of(o.userId).filter((r) => r.text === DELIVERED).length;
  // The admin's final report comes once every recipient's message has been handed to the platform.
  const report = () => shared.inbox.of(String(adminId)).find((r) => promptPattern('announce.report_done').test(r.text))?.text;
  const deadline = Date.now() + 300_000;
  while (Number.isFinite(announced) && Date.now() < deadline && !report()) await sleep(500);
  const broadcastSeconds = (Date.now() - t0) / 1000 - journeySeconds;
  const cpu1 = await Promise.all(servers.map((s) => s.cpuMs()));
  const [redisCpuMs, bench1] = [cpuMs(shared.redisPid) - redis0, process.cpuUsage(bench0)];
  const lost = officers.filter((o) => got(o) === 0).length;
  const doubled = officers.filter((o) => got(o) > 1).length;
  const replies = officers.reduce((a, o) => a + shared.inbox.of(o.userId).filter((r) => r.at >= t0 && r.text !== DELIVERED).length, 0);
  await seeded.close();
  await Promise.all([...servers, ...(balancer ? [balancer] : [])].map((s) => s.stop()));
  fs.rmSync(dataDir, { recursive: true, force: true });
  return {
    setup: webs === 1 ? '1 web process' : `${webs} web processes + balancer`,
    journeys: N,
    turns,
    byChannel,
    errors,
    cpuMs: cpu1.reduce((a, c, i) => a + c - cpu0[i]!, 0),
    redisCpuMs,
    benchCpuMs: (bench1.user + bench1.system) / 1000,
    seconds: journeySeconds,
    replies,
    broadcast: `announcement to ${announced} people, ${report() ? `final report ${broadcastSeconds.toFixed(0)} s after the last journey ended («${report()!.split('\n').slice(1).join(' ')}»)` : 'NO final report'}: ${N - lost}/${N} officers got it, ${lost} lost, ${doubled} twice`,
  };
}

/** The reference: a bare grammY bot, as many Telegram users sending `perUser` messages each with the same pauses. */
async function bareWith(shared: Shared, perUser: number): Promise<Row> {
  const bare = await startServer(self, ['serve-bare', shared.redisUrl, shared.tg.apiRoot, shared.tg.token, JSON.stringify(shared.tg.botInfo)]);
  const { tgLine } = await lines(shared, bare.port);
  const turns: Turn[] = [];
  const errors: string[] = [];
  const cpu0 = await bare.cpuMs();
  const [redis0, bench0] = [cpuMs(shared.redisPid), process.cpuUsage()];
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: N }, async (_, i) => {
      await sleep((i / N) * RAMP_SECONDS * 1000);
      const chat = new TelegramChat(shared.inbox, tgLine, 700_000_000 + i);
      try {
        for (let k = 0; k < perUser; k++) {
          if (k) await think();
          turns.push(await chat.say(`tin nhắn ${k}`));
        }
      } catch (err) {
        errors.push((err as Error).message);
      }
    }),
  );
  const seconds = (Date.now() - t0) / 1000;
  const serverCpuMs = (await bare.cpuMs()) - cpu0;
  const [redisCpuMs, bench1] = [cpuMs(shared.redisPid) - redis0, process.cpuUsage(bench0)];
  await bare.stop();
  return { setup: 'bare grammY bot (reference)', journeys: N, turns, errors, cpuMs: serverCpuMs, redisCpuMs, benchCpuMs: (bench1.user + bench1.system) / 1000, seconds, replies: turns.length };
}

async function main(): Promise<void> {
  const { startEmbeddedRedis } = await import('../src/redis/embedded.js');
  const { startFakeTelegram } = await import('../test/fakes/telegram-bot-api.js');
  const { startFakeZalo } = await import('../test/fakes/zalo-openapi.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-journeys-redis-'));
  const redis = await startEmbeddedRedis({ dir, persistence: false });
  const tg = await startFakeTelegram({ token: '123456789:BENCH-journeys', keepAliveMs: 65_000 });
  const zalo = await startFakeZalo({ ...ZALO, keepAliveMs: 65_000 });
  const inbox = new Inbox((text) => text === DELIVERED);
  tg.onMessage((chatId, m) => inbox.push(chatId, telegramReceived(m)));
  zalo.onSent((m) => inbox.push(m.user_id, { text: m.text ?? '', buttons: (m.buttons ?? []).map((b) => ({ label: String(b.title), data: typeof b.payload === 'string' ? b.payload : JSON.stringify(b.payload) })), at: Date.now() }));
  const shared: Shared = { redisUrl: redis.url, redisPid: redis.pid, tg, zalo, inbox, agent: new http.Agent({ keepAlive: true, maxSockets: 1024 }), processed: new Map() };
  const rows: Row[] = [];
  const started = machineLine();
  try {
    for (const webs of WEB_PROCESSES) {
      const row = await journeysWith(shared, webs);
      rows.push(row);
      const x = summarise(row);
      process.stderr.write(`${row.setup}: ${x.messages} messages in ${row.seconds.toFixed(0)} s, p50 ${x.p50.toFixed(0)} ms, p99 ${x.p99.toFixed(0)} ms, server CPU ${x.cpu.toFixed(2)} ms/message, ${x.perSecond.toFixed(1)} replies/s, ${row.errors.length} errors ${JSON.stringify(row.errors.slice(0, 5))}; ${row.broadcast}\n`);
    }
    const perUser = Math.max(1, Math.round(rows[0]!.turns.length / N));
    rows.push(await bareWith(shared, perUser));
  } finally {
    shared.agent.destroy();
    await tg.close();
    await zalo.close();
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  console.log(`\nWhole journeys — ${N} officers (${Math.ceil(N / 2)} Telegram, ${Math.floor(N / 2)} Zalo), preset ${CAMPAIGN}, pauses ${(0.5 * THINK_SCALE).toFixed(2)}–${(3 * THINK_SCALE).toFixed(2)} s, ramp ${RAMP_SECONDS.toFixed(0)} s`);
  console.log(`machine at the start: ${started}; at the end: ${machineLine()}\n`);
  console.log('| setup | messages | p50 ms | p99 ms | errors | server CPU ms/message | Redis CPU ms/message | bench + fakes CPU ms/message | replies/s | wall s |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const s = summarise(r);
    console.log(`| ${r.setup} | ${s.messages} | ${s.p50.toFixed(0)} | ${s.p99.toFixed(0)} | ${r.errors.length} | ${s.cpu.toFixed(2)} | ${s.redisCpu.toFixed(2)} | ${s.benchCpu.toFixed(2)} | ${s.perSecond.toFixed(1)} | ${r.seconds.toFixed(0)} |`);
  }
  console.log('');
  for (const r of rows) {
    if (r.broadcast) console.log(`${r.setup}: ${r.broadcast}`);
    for (const [channel, turns] of Object.entries(r.byChannel ?? {})) {
      const ms = turns.map((x) => x.ms).sort((a, b) => a - b);
      console.log(`  ${channel}: ${ms.length} messages, p50 ${quantile(ms, 0.5).toFixed(0)} ms, p99 ${quantile(ms, 0.99).toFixed(0)} ms`);
    }
    const kinds = new Map<string, number>();
    for (const e of r.errors) kinds.set(e.slice(0, 200), (kinds.get(e.slice(0, 200)) ?? 0) + 1);
    for (const [e, n] of [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(`  ${n} × ${e}`);
  }
}

const mode = process.argv[2];
if (mode === 'serve-app') void serveApp();
else if (mode === 'serve-bare') {
  const [redisUrl, apiRoot, token, botInfo] = process.argv.slice(3) as [string, string, string, string];
  void startBareGrammy({ redisUrl, apiRoot, token, secret: SECRET, botInfo: JSON.parse(botInfo) as object, prefix: 'bare' }).then(serverReady);
} else if (mode === 'balance') void startBalancer(process.argv.slice(3).map(Number)).then(serverReady);
else
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
