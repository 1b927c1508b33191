/**
 * Telegram webhook throughput: the full pipeline against a bare grammY bot.
 *
 *   npm run bench:webhook        (BENCH_SECONDS=16 per pipeline, BENCH_ROUNDS=8, BENCH_CONNECTIONS=10,100)
 *
 * It runs compiled (tsc → dist/, plain node), as the Docker image runs the app: under
 * tsx every closure our code creates would pay for esbuild's name-keeping helper.
 * One private redis-server and one fake Bot API (a lean HTTP server in this process
 * that answers sendMessage like Telegram and counts the replies). Each pipeline runs in
 * its own child process, as a web replica would:
 *   - full: the real app (createApp: secret check, grammY, normalise, engine: flood
 *     guard, per-user lock, dedupe, session, flow step, store; reply rendered and sent
 *     to the fake Bot API before the webhook is answered);
 *   - bare: grammY's webhookCallback on express, a Redis GET and SET, and ctx.reply.
 * N connections (10, then 100) each drive one fake user, update after update as
 * Telegram does for one chat (it waits for our answer before sending the chat's next
 * update). Full-pipeline users are officers inside the registration flow, alternating
 * a text answer (→ the confirmation summary) and "sửa 2" (→ back to that step): a real
 * flow step with one reply each. Latency is POST → HTTP answer, reply included.
 *
 * Long on purpose: one program (fake Bot API, both pipelines as child processes, load,
 * report); the bare bot and the figures' helpers are shared with bench:journeys (bench/lib).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBareGrammy } from './lib/bare-grammy.js';
import { cpuMs, quantile } from './lib/stats.js';

const SECRET = 'bench-secret_0123456789';
const TOKEN = '123456789:BENCH-fake-token';
const BOT_INFO = {
  id: 123456789,
  is_bot: true as const,
  first_name: 'Thi đua (bench)',
  username: 'thidua_bench_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
};
const PREFIX = 'bench';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 16);
const WARMUP_SECONDS = 1.5;
/** Each pipeline's SECONDS are split into this many rounds, alternating with the other's. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '10,100').split(',').map(Number);
/** BENCH_CPU_PROF=<dir>: write V8 CPU profiles of both servers there (for finding hot spots). */
const CPU_PROF = process.env.BENCH_CPU_PROF;
const self = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------------------------------
// Child: one pipeline behind an HTTP port

async function serve(kind: 'full' | 'bare', redisUrl: string, apiRoot: string): Promise<void> {
  let port: number;
  if (kind === 'full') {
    const { createApp } = await import('../src/app.js');
    const { parseConfig } = await import('../src/config/index.js');
    const { createLogger } = await import('../src/logger.js');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-bench-'));
    const config = parseConfig({
      CAMPAIGN: 'binh-thanh-2024',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: apiRoot,
      // Benchmark users type far faster than people: lift the flood guard.
      USER_MESSAGES_PER_MINUTE: '100000000',
    });
    const app = await createApp(config, { redisUrl, log: createLogger('silent'), prefix: PREFIX, telegramBotInfo: BOT_INFO as never });
    const server = await app.listen();
    port = (server.address() as AddressInfo).port;
  } else {
    port = await startBareGrammy({ redisUrl, apiRoot, token: TOKEN, secret: SECRET, botInfo: BOT_INFO, prefix: PREFIX });
  }
  process.on('SIGTERM', () => process.exit(0)); // exits cleanly, so --cpu-prof can write its profile
  process.stdout.write(`READY ${port}\n`);
}

// ---------------------------------------------------------------------------------------
// Parent: Redis, fake Bot API, load

/** Answers the Bot API like Telegram (sendMessage → a Message), counting replies. */
async function leanFakeBotApi(): Promise<{ apiRoot: string; replies: () => number; close(): Promise<void> }> {
  let replies = 0;
  let messageId = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').split('/').pop()?.toLowerCase() ?? '';
      let body: Record<string, unknown> = {};
      try {
        body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        /* multipart bodies (documents) are not used here */
      }
      let result: unknown = true;
      if (method === 'sendmessage') {
        replies++;
        result = {
          message_id: ++messageId,
          from: { id: BOT_INFO.id, is_bot: true, first_name: BOT_INFO.first_name, username: BOT_INFO.username },
          chat: { id: Number(body.chat_id), type: 'private', first_name: 'User' },
          date: Math.floor(Date.now() / 1000),
          text: body.text,
          ...(body.reply_markup ? { reply_markup: body.reply_markup } : {}),
        };
      } else if (method === 'getme') result = BOT_INFO;
      const json = JSON.stringify({ ok: true, result });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      res.end(json);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    apiRoot: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    replies: () => replies,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function startChild(kind: 'full' | 'bare', redisUrl: string, apiRoot: string): Promise<{ child: ChildProcess; url: string }> {
  const prof = CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.join(CPU_PROF, kind)] : [];
  const child = spawn(process.execPath, [...prof, self, 'serve', kind, redisUrl, apiRoot], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve({ child, url: `http://127.0.0.1:${m[1]}/webhooks/telegram` });
    });
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

let updateId = 1_000_000;
function textUpdate(userId: number, text: string) {
  const id = ++updateId;
  return JSON.stringify({
    update_id: id,
    message: {
      message_id: id,
      from: { id: userId, is_bot: false, first_name: 'Cán bộ', language_code: 'vi' },
      chat: { id: userId, type: 'private', first_name: 'Cán bộ' },
      date: Math.floor(Date.now() / 1000),
      text,
      ...(text.startsWith('/') ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] } : {}),
    },
  });
}

function post(agent: http.Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-telegram-bot-api-secret-token': SECRET },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface Result {
  /** Server CPU per handled update, ms: independent of how busy the rest of the machine is. */
  cpuPerUpdate?: number;
  /** redis-server's CPU per update, ms (it shares the machine's cores). */
  redisCpuPerUpdate?: number;
  /** This process's CPU per update, ms: load generator and fake Bot API. */
  loadCpuPerUpdate?: number;
  updates: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  latencies: number[];
}

/** Rounds of one pipeline as one result (latencies pooled). */
function combine(rs: Result[]): Result {
  const latencies = rs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = rs.reduce((a, r) => a + r.seconds, 0);
  const per = (f: (r: Result) => number | undefined) => rs.reduce((a, r) => a + (f(r) ?? NaN) * r.updates, 0) / Math.max(1, latencies.length);
  return { latencies, cpuPerUpdate: per((r) => r.cpuPerUpdate), redisCpuPerUpdate: per((r) => r.redisCpuPerUpdate), loadCpuPerUpdate: per((r) => r.loadCpuPerUpdate), updates: latencies.length, seconds, perSecond: latencies.length / seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), errors: rs.reduce((a, r) => a + r.errors, 0) };
}

/** N users, one connection each, sending update after update for `seconds` (after a warm-up). */
async function load(url: string, users: number[], next: (userId: number, i: number) => string, seconds: number, warmupSeconds: number, serverPid?: number, redisPid?: number): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: users.length });
  const target = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let stop = false;
  const counters = new Map(users.map((u) => [u, 0]));
  const run = async (userId: number) => {
    while (!stop) {
      const i = counters.get(userId)!;
      counters.set(userId, i + 1);
      const started = process.hrtime.bigint();
      const status = await post(agent, target, next(userId, i)).catch(() => 0);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (!measuring) continue;
      if (status === 200) latencies.push(ms);
      else errors++;
    }
  };
  const running = users.map(run);
  await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
  measuring = true;
  const cpu0 = cpuMs(serverPid);
  const redis0 = cpuMs(redisPid);
  const own0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = cpuMs(serverPid) - cpu0;
  const redisCpu = cpuMs(redisPid) - redis0;
  const own = process.cpuUsage(own0);
  stop = true;
  await Promise.all(running);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const n = Math.max(1, latencies.length);
  return { latencies, cpuPerUpdate: cpu / n, redisCpuPerUpdate: redisCpu / n, loadCpuPerUpdate: (own.user + own.system) / 1000 / n, updates: latencies.length, seconds: elapsed, perSecond: latencies.length / elapsed, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), errors };
}

/** Officers of the demo hamlet, each left at the registration flow's commitments step. */
async function prepareOfficers(redisUrl: string, url: string, users: number[]): Promise<void> {
  const { createRedis } = await import('../src/redis/connection.js');
  const { CLI_ACTOR, createStore, importUnitsCsv } = await import('../src/store/index.js');
  const { fromRoot } = await import('../src/paths.js');
  const redis = createRedis(redisUrl);
  const store = createStore(redis, { prefix: PREFIX });
  // With a bot token there is no demo seed: load the demo unit list as an operator would.
  if (!(await store.units.all()).length) await importUnitsCsv(store, fs.readFileSync(fromRoot('campaigns/demo/binh-thanh-2024.csv'), 'utf8'), CLI_ACTOR);
  const hamlet = (await store.units.all()).find((u) => u.level === 'hamlet')!;
  const actor = { id: 'bench', role: 'admin', channel: 'cli' };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
  const target = new URL(url);
  for (let i = 0; i < users.length; i += 20) {
    await Promise.all(
      users.slice(i, i + 20).map(async (userId) => {
        await store.identities.upsert(
          { channel: 'telegram', userId: String(userId), personId: null, role: 'officer', unitId: hamlet.id, lang: 'vi', lastInboundAt: null, unreachable: false, createdAt: new Date().toISOString() },
          actor,
        );
        for (const text of ['/dangky', '1,2']) if ((await post(agent, target, textUpdate(userId, text))) !== 200) throw new Error('setup failed');
      }),
    );
  }
  agent.destroy();
  await redis.quit();
}

async function main(): Promise<void> {
  const { startEmbeddedRedis } = await import('../src/redis/embedded.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-bench-redis-'));
  const redis = await startEmbeddedRedis({ dir, persistence: false });
  const fake = await leanFakeBotApi();
  const children: ChildProcess[] = [];
  const rows: { pipeline: string; connections: number; r: Result }[] = [];
  const pairRatios = new Map<number, number[]>();
  try {
    const full = await startChild('full', redis.url, fake.apiRoot);
    const bare = await startChild('bare', redis.url, fake.apiRoot);
    children.push(full.child, bare.child);
    const maxUsers = Math.max(...CONNECTIONS);
    const fullUsers = Array.from({ length: maxUsers }, (_, i) => 900_000_001 + i);
    const bareUsers = Array.from({ length: maxUsers }, (_, i) => 800_000_001 + i);
    await prepareOfficers(redis.url, full.url, fullUsers);
    const flowStep = (userId: number, i: number) => textUpdate(userId, i % 2 === 0 ? `Cam kết số ${i}: 100% hồ sơ trực tuyến` : 'sửa 2');
    const plain = (userId: number, i: number) => textUpdate(userId, `tin nhắn ${i}`);
    for (const n of CONNECTIONS) {
      // Short alternating rounds (bare, full, full, bare, …), so that a neighbour's load on a
      // shared machine falls on both alike; each pair of rounds also gives its own ratio.
      const runs = { bare: [] as Result[], full: [] as Result[] };
      const pipelines = { bare: [bare, bareUsers, plain], full: [full, fullUsers, flowStep] } as const;
      for (let round = 0; round < ROUNDS; round++) {
        for (const pipeline of round % 2 === 0 ? (['bare', 'full'] as const) : (['full', 'bare'] as const)) {
          const [server, users, next] = pipelines[pipeline];
          const before = fake.replies();
          const warmup = round < 2 ? WARMUP_SECONDS : 0.3;
          const r = await load(server.url, users.slice(0, n), next, SECONDS / ROUNDS, warmup, server.child.pid, redis.pid);
          runs[pipeline].push(r);
          process.stderr.write(`${pipeline} @${n} round ${round + 1}: ${r.perSecond.toFixed(0)} updates/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, server CPU ${r.cpuPerUpdate?.toFixed(2)} ms/update (replies sent: ${fake.replies() - before})\n`);
        }
      }
      pairRatios.set(n, runs.full.map((f, i) => f.perSecond / runs.bare[i]!.perSecond).sort((a, b) => a - b));
      for (const pipeline of ['bare', 'full'] as const) rows.push({ pipeline, connections: n, r: combine(runs[pipeline]) });
    }
    if (process.env.BENCH_REDIS_STATS) {
      const { Redis } = await import('ioredis');
      const r = new Redis(redis.url);
      process.stderr.write(String(await r.info('commandstats')));
      process.stderr.write(String(await r.info('cpu')));
      await r.quit();
    }
  } finally {
    await Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : (c.once('exit', resolve), c.kill('SIGTERM'))))));
    await fake.close();
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const cpus = os.cpus();
  console.log(`\nTelegram webhook benchmark — ${cpus.length} CPU × ${cpus[0]?.model.trim() ?? '?'}, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}, ${SECONDS} s per pipeline in ${ROUNDS} alternating rounds (warm-up ${WARMUP_SECONDS} s, then 0.3 s)\n`);
  console.log('| connections | pipeline | updates/s | p50 ms | p99 ms | server CPU ms/update | Redis CPU ms/update | load + fake API CPU ms/update | errors |');
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const { pipeline, connections, r } of rows) {
    console.log(`| ${connections} | ${pipeline} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.cpuPerUpdate?.toFixed(2)} | ${r.redisCpuPerUpdate?.toFixed(3)} | ${r.loadCpuPerUpdate?.toFixed(2)} | ${r.errors} |`);
  }
  console.log('');
  for (const n of CONNECTIONS) {
    const full = rows.find((x) => x.pipeline === 'full' && x.connections === n)!.r;
    const bare = rows.find((x) => x.pipeline === 'bare' && x.connections === n)!.r;
    const pairs = pairRatios.get(n)!;
    console.log(
      `${n} connections: full / bare throughput = ${(full.perSecond / bare.perSecond).toFixed(2)}× (rounds: median ${quantile(pairs, 0.5).toFixed(2)}×, range ${pairs[0]!.toFixed(2)}–${pairs.at(-1)!.toFixed(2)}×); server CPU per update full / bare = ${((full.cpuPerUpdate ?? NaN) / (bare.cpuPerUpdate ?? NaN)).toFixed(2)}×`,
    );
  }
}

if (process.argv[2] === 'serve') {
  void serve(process.argv[3] as 'full' | 'bare', process.argv[4]!, process.argv[5]!);
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
