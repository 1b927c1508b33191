/**
 * The country's numbers (issue 17 item 2): one run at national size on the two-level preset
 * (thai-nguyen-2026: province → commune → hamlet, no district).
 *
 *   npm run bench:scale                 3,400 communes, 100,000 hamlets, 200,000 officers
 *   SCALE=0.05 npm run bench:scale      the same at 5 % (a dev run of a few seconds)
 *
 * 1. Import of the unit list from CSV through the real importer (importUnitsCsv, what
 *    `units:import` runs); Redis memory per unit and per officer (INFO memory before/after).
 * 2. Reminder pass: the D-7 report reminder for every officer (one Telegram and one Zalo
 *    officer per hamlet), fire time → every message in the outbox (target ≤ 10 s).
 * 3. Staff digest pass (jobs/alerts.ts) with incomplete dossiers in 10 % of the hamlets and
 *    a staff member in every commune office (target ≤ 10 s).
 * 4. /thongke for the province office through the engine, over every hamlet (target ≤ 1 s).
 * 5. The outbox's own ceiling: messages per second handed to a fake Bot API that never limits.
 * 6. Worker peak RSS during a 10,000-recipient broadcast (target ≤ 200 MB).
 * 5 and 6 run the worker as the Docker image does: compiled (dist/src/worker.js), plain node.
 *
 * Uses REDIS_URL if set (throwaway prefixes, deleted afterwards), else a private
 * redis-server in a temp dir. Not part of `npm test`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../src/app.js';
import type { Identity } from '../src/domain/entities.js';
import { startEmbeddedRedis } from '../src/redis/embedded.js';
import { officeOverview, warmOverview } from '../src/services/overview.js';
import { CLI_ACTOR, importUnitsCsv } from '../src/store/index.js';
import { Feeder } from '../jobs/outbox-staging.js';
import { startFakeTelegram } from '../test/fakes/telegram-bot-api.js';
import { appFor, CAMPAIGN, clean, countRedisCpu, cpuText, fmt, inParallel, peakRssMb, processCpuMs, secs, startWorker, stopWorker, timed, type Timing } from './scale-lib.js';
import { runMain } from './lib/run.js';

const SCALE = Number(process.env.SCALE ?? 1);
if (!(SCALE > 0 && SCALE <= 1)) throw new RangeError(`SCALE must be in (0, 1], not ${process.env.SCALE}`);
const COMMUNES = Math.max(2, Math.round(3_400 * SCALE));
const HAMLETS = Math.max(COMMUNES, Math.round(100_000 * SCALE));
const BROADCAST = Math.max(200, Math.round(10_000 * SCALE));
const CEILING = Math.max(1_000, Math.round(20_000 * SCALE));
const YEAR = 2026;
// The D-7 report reminder of thai-nguyen-2026 (due 10/12/2026): 03/12/2026 08:00 Vietnam time.
// The D-2 staff alert before the 05/12 dossier deadline fires at the same moment.
const FIRE = new Date('2026-12-03T01:00:00Z');
const SECRET = 'bench-secret_0123456789';

const usedMemory = async (app: App) => Number(/used_memory:(\d+)/.exec(await app.redis.info('memory'))?.[1] ?? 0);

// Deterministic names from Vietnamese syllables (several units share a name, as in life).
let seed = 17;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const SYL = ['Bình', 'Thành', 'Na', 'Mòn', 'Đồng', 'Hoàng', 'Tiến', 'Phú', 'Hòa', 'An', 'Lạc', 'Tân', 'Minh', 'Hưng', 'Quang', 'Gia', 'Lộc', 'Mỹ', 'Long', 'Xuân', 'Định', 'Thái', 'Sơn', 'Trung', 'Đông', 'Tây', 'Nam', 'Bắc', 'Yên', 'Hải'];
const name2 = () => `${SYL[Math.floor(rnd() * SYL.length)]} ${SYL[Math.floor(rnd() * SYL.length)]}`;

/** Province → communes (each with its office, tagged van-phong-xa) → hamlets: the two-level tree. */
function unitsCsv(): string {
  const lines = ['name,level,parent,code,offices', 'Tỉnh Thử Tải,province,,P,'];
  for (let c = 0; c < COMMUNES; c++) {
    const n = `${name2()} ${c + 1}`;
    lines.push(`UBND xã ${n},commune,P,C${c},`, `Văn phòng HĐND và UBND xã ${n},commune_agency,C${c},C${c}-VP,van-phong-xa`);
    const from = Math.floor((c * HAMLETS) / COMMUNES);
    const to = Math.floor(((c + 1) * HAMLETS) / COMMUNES);
    for (let h = from; h < to; h++) lines.push(`Thôn ${name2()} ${h - from + 1},hamlet,C${c},C${c}-H${h},`);
  }
  return lines.join('\n');
}

const ZALO_ENV = {
  ZALO_APP_ID: '3451287705938471234',
  ZALO_APP_SECRET: 'zalo-app-secret-for-bench',
  ZALO_OA_SECRET_KEY: 'zalo-oa-secret-key-for-bench',
  ZALO_REFRESH_TOKEN: 'zalo-bench-refresh-token',
  // Nothing is sent in this part: the outbox only fills.
  ZALO_API_BASE: 'http://127.0.0.1:9',
  ZALO_OAUTH_BASE: 'http://127.0.0.1:9',
  ZALO_ZNS_BASE: 'http://127.0.0.1:9',
};

async function countryBench(url: string) {
  const prefix = `benchscale${Date.now().toString(36)}`;
  const app = await appFor(url, prefix, { TELEGRAM_BOT_TOKEN: '123456789:BENCH-no-network', TELEGRAM_WEBHOOK_SECRET: SECRET, ...ZALO_ENV }, () => FIRE);
  countRedisCpu(app.redis);
  const { store } = app;
  const out: Record<string, number | Timing> = {};
  try {
    // 1. Import
    const csvPath = path.join(os.tmpdir(), `thidua-scale-${process.pid}.csv`);
    fs.writeFileSync(csvPath, unitsCsv());
    let mem = await usedMemory(app);
    const [imported, importT] = await timed('import', () => importUnitsCsv(store, fs.readFileSync(csvPath, 'utf8'), CLI_ACTOR));
    if (!imported.ok) throw new Error(imported.errors.slice(0, 3).join('\n'));
    const csvMb = fs.statSync(csvPath).size / 1e6;
    fs.rmSync(csvPath);
    out.bytesPerUnit = ((await usedMemory(app)) - mem) / imported.count;
    console.log(`import: ${fmt(imported.count)} units (${fmt(csvMb, 1)} MB CSV) in ${secs(importT.ms)} (${cpuText(importT)}); ${fmt(out.bytesPerUnit)} B of Redis per unit`);

    const all = await store.units.all();
    const hamlets = all.filter((u) => u.level === 'hamlet');
    const offices = all.filter((u) => u.level === 'commune_agency');
    const province = all.find((u) => u.level === 'province')!;

    // Officers: one on Telegram and one on Zalo per hamlet.
    const at = FIRE.toISOString();
    const officer = (channel: Identity['channel'], userId: string, unitId: string): Identity => ({ channel, userId, personId: null, role: 'officer', unitId, lang: 'vi', lastInboundAt: at, unreachable: false, createdAt: at });
    const officers = hamlets.flatMap((u, i) => [officer('telegram', String(10_000_000 + i), u.id), officer('zalo', String(4_000_000_000_000_000_000n + BigInt(i)), u.id)]);
    mem = await usedMemory(app);
    const [, officersT] = await timed('officers', () => inParallel(officers, 64, (p) => store.identities.upsert(p, CLI_ACTOR)));
    out.bytesPerOfficer = ((await usedMemory(app)) - mem) / officers.length;
    console.log(`officers: ${fmt(officers.length)} identities in ${secs(officersT.ms)}; ${fmt(out.bytesPerOfficer)} B of Redis per officer`);

    // 2. Reminder pass (planning alone first, to tell planning from enqueueing).
    const only = { kind: 'report', year: YEAR } as const;
    const [planned, planT] = await timed('reminders-plan', () => app.jobs.previewReminders(FIRE, { only }));
    mem = await usedMemory(app);
    const [pass, passT] = await timed('reminders', () => app.jobs.runReminders(FIRE, { only }));
    const bytesPerReminder = ((await usedMemory(app)) - mem) / Math.max(1, pass.queued);
    let inQueue = 0;
    let staged = 0;
    for (const ch of ['telegram', 'zalo'] as const) {
      const c = (await app.jobs.outbox.counts([ch]))[ch]!;
      inQueue += (c.prioritized ?? 0) + (c.waiting ?? 0);
      staged += c.staged ?? 0;
    }
    Object.assign(out, { reminders: pass.queued, reminderT: passT, planT });
    console.log(`reminder pass: ${fmt(pass.queued)} queued (${fmt(staged)} staged, ${fmt(inQueue)} jobs waiting in the outbox) in ${secs(passT.ms)} (${cpuText(passT)}); planning alone ${secs(planT.ms)} for ${fmt(planned.messages.length)}; ${fmt(bytesPerReminder)} B of Redis per queued reminder`);

    // 2b. What the workers' feeder later pays to turn staged messages into jobs (a sample; spread over the hours of sending).
    if (staged > 0) {
      const sample = Math.min(staged, Math.max(2_000, Math.round(20_000 * SCALE)));
      const feeder = new Feeder(app.redis, app.jobs.outbox.keys, (c) => app.jobs.outbox.queue(c), { lowWater: Number.POSITIVE_INFINITY });
      mem = await usedMemory(app);
      const [moved, feedT] = await timed('feed', async () => {
        let n = 0;
        while (n < sample) {
          const step = (await feeder.feed('telegram')) || (await feeder.feed('zalo'));
          if (step === 0) break;
          n += step;
        }
        return n;
      });
      const perJob = ((await usedMemory(app)) - mem) / moved;
      Object.assign(out, { feedT });
      console.log(`feeder: ${fmt(moved)} staged messages moved into outbox jobs in ${secs(feedT.ms)} (${cpuText(feedT)}; ${fmt((feedT.nodeCpuMs * 1000) / moved)} µs Node, ${fmt((feedT.redisCpuMs * 1000) / moved)} µs Redis per message); Redis grows ${fmt(perJob)} B per moved message`);
    }

    // Campaign activity: registrations, reports, incomplete dossiers; staff in every office.
    const t = performance.now();
    const actor = CLI_ACTOR;
    await inParallel(hamlets, 64, async (u, i) => {
      if (i % 5 < 3) await store.registrations.upsert({ campaignId: CAMPAIGN, year: YEAR, subject: { type: 'unit', unitId: u.id }, contentAreas: ['awareness'], registeredBy: 'p_1' }, actor);
      if (i % 5 < 2) await store.reports.submit({ campaignId: CAMPAIGN, year: YEAR, unitId: u.id, values: { electronic_documents: 40 + (i % 60) }, submittedBy: 'p_1' }, actor);
      if (i % 10 === 0)
        await store.nominations.createDraft(
          { campaignId: CAMPAIGN, year: YEAR, unitId: u.id, awardId: 'giay-khen-ubnd-xa', reviewId: 'tong-ket-2026', nominee: { type: 'collective', unitId: u.id, name: u.name }, summary: 'Dẫn đầu chuyển đổi số', createdBy: 'p_1' },
          actor,
        );
    });
    const staff = (channel: Identity['channel'], userId: string, unitId: string): Identity => ({ channel, userId, personId: null, role: 'staff', unitId, lang: 'vi', lastInboundAt: at, unreachable: false, createdAt: at });
    const PROVINCE_STAFF = '900000001';
    const staffList = [staff('telegram', PROVINCE_STAFF, province.id), ...offices.map((o, i) => (i % 2 ? staff('zalo', String(5_000_000_000_000_000_000n + BigInt(i)), o.id) : staff('telegram', String(20_000_000 + i), o.id)))];
    await inParallel(staffList, 64, (p) => store.identities.upsert(p, CLI_ACTOR));
    console.log(`activity: ${fmt(Math.ceil((hamlets.length * 3) / 5))} registrations, ${fmt(Math.ceil((hamlets.length * 2) / 5))} reports, ${fmt(Math.ceil(hamlets.length / 10))} draft dossiers, ${fmt(staffList.length)} staff in ${secs(performance.now() - t)}`);

    // 3. Staff digest pass.
    const [digests, digestT] = await timed('digest', () => app.jobs.runAlerts(FIRE, YEAR));
    Object.assign(out, { digests: digests.queued, digestT });
    console.log(`staff digest pass: ${fmt(digests.queued)} messages queued in ${secs(digestT.ms)} (${cpuText(digestT)})`);

    // 4. /thongke for the province office, through the engine: the first, the same again, and after one more report.
    const thongke = async () => (await app.engine.handle({ channel: 'telegram', userId: PROVINCE_STAFF, messageId: randomUUID(), text: '/thongke', at: FIRE })).replies.map((x) => x.text).join('\n');
    // As a web process does at start (src/main.ts), then the first /thongke.
    const [, warmUpT] = await timed('overview-warm', () => warmOverview(store, app.campaign, [YEAR]));
    console.log(`overview records read ahead (web process start): ${secs(warmUpT.ms)} (${cpuText(warmUpT)})`);
    const [text, coldT] = await timed('thongke', thongke);
    const [, warmT] = await timed('thongke-again', thongke);
    await store.reports.submit({ campaignId: CAMPAIGN, year: YEAR, unitId: hamlets.at(-1)!.id, values: { electronic_documents: 90 }, submittedBy: 'p_1' }, actor);
    const [, changedT] = await timed('thongke-changed', thongke);
    const rows = await officeOverview(store, app.campaign, province.id, YEAR);
    Object.assign(out, { thongkeCold: coldT, thongkeWarm: warmT, thongkeChanged: changedT });
    console.log(`/thongke (province office, ${fmt(rows.length)} units): first after start ${secs(coldT.ms)} (${cpuText(coldT)}), again ${secs(warmT.ms)}, after a new report ${secs(changedT.ms)} (${cpuText(changedT)})`);
    console.log(`  its text: ${fmt(text.length)} characters, ${text.split('\n').length} lines:`);
    console.log(text.split('\n').slice(0, 7).map((l) => `    ${l}`).join('\n'));
  } finally {
    countRedisCpu(undefined);
    await app.close();
    if (process.env.REDIS_URL) await clean(url, prefix);
  }
  return out;
}

/** 5 and 6: a fake Bot API without any limit, the outbox at its highest configurable rate. */
async function outboxBench(url: string) {
  const fake = await startFakeTelegram();
  const env = { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_RATE_PER_SEC: '1000', INVITE_SECRET: randomBytes(32).toString('hex') };
  const out: Record<string, number | null> = {};
  try {
    // 5. Ceiling: CEILING direct messages to as many chats.
    {
      const prefix = `benchceil${Date.now().toString(36)}`;
      const app = await appFor(url, prefix, env);
      const worker = await startWorker(url, prefix, env);
      const text = 'Thử tải hộp thư đi.';
      const messages = Array.from({ length: CEILING }, (_, i) => ({ channel: 'telegram' as const, userId: String(30_000_000 + i), key: `ceil|${i}`, kind: 'admin' as const, reply: { text } }));
      const cpu0 = processCpuMs(worker.pid!);
      const t = performance.now();
      await app.jobs.outbox.enqueueMany(messages);
      const enqueueMs = performance.now() - t;
      const sent = () => fake.calls.filter((c) => c.method === 'sendMessage' && c.status === 200 && c.params.text === text);
      while (sent().length < CEILING) await new Promise((r) => setTimeout(r, 200));
      const done = sent();
      out.ceiling = (done.length - 1) / ((done.at(-1)!.at - done[0]!.at) / 1000);
      out.ceilingEnqueueMs = enqueueMs;
      const cpu1 = processCpuMs(worker.pid!);
      const perMessage = cpu0 === null || cpu1 === null ? null : (cpu1 - cpu0) / CEILING;
      console.log(`outbox ceiling: ${fmt(CEILING)} messages at ${fmt(out.ceiling)} msg/s (limiter at its maximum, 1,000/s; fake Bot API without a limit); enqueued in ${secs(enqueueMs)}; worker CPU ${perMessage === null ? 'n/a' : `${fmt(perMessage, 2)} ms per message (one core: at most ${fmt(1000 / perMessage)} msg/s)`}`);
      await stopWorker(worker);
      await app.close();
      if (process.env.REDIS_URL) await clean(url, prefix);
      fake.reset();
    }
    // 6. Broadcast to BROADCAST Telegram users; the worker's peak RSS.
    {
      // At the deployment's default rate (TELEGRAM_RATE_PER_SEC unset: 25/s), or BROADCAST_RATE.
      const rate = process.env.BROADCAST_RATE;
      const bcEnv: Record<string, string> = { ...env };
      delete bcEnv.TELEGRAM_RATE_PER_SEC;
      if (rate) bcEnv.TELEGRAM_RATE_PER_SEC = rate;
      const prefix = `benchbc${Date.now().toString(36)}`;
      const app = await appFor(url, prefix, bcEnv);
      const at = new Date().toISOString();
      const ADMIN = '1';
      const person = (userId: string, role: Identity['role']): Identity => ({ channel: 'telegram', userId, personId: null, role, unitId: null, lang: 'vi', lastInboundAt: at, unreachable: false, createdAt: at });
      const people = [person(ADMIN, 'admin'), ...Array.from({ length: BROADCAST - 1 }, (_, i) => person(String(100_000 + i), 'individual'))];
      await inParallel(people, 64, (p) => app.store.identities.upsert(p, CLI_ACTOR));
      const worker = await startWorker(url, prefix, bcEnv);
      const idle = peakRssMb(worker.pid!);
      const t = performance.now();
      const { id } = await app.jobs.broadcasts.start({ by: { channel: 'telegram', userId: ADMIN, lang: 'vi' }, text: 'Thông báo thử tải: họp sơ kết phong trào lúc 8 giờ sáng thứ Hai.', audience: { kind: 'channel', channel: 'telegram' } });
      for (;;) {
        const s = (await app.jobs.broadcasts.status(id))!;
        if (s.status === 'done') {
          out.broadcastSent = s.sent;
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      out.broadcastS = (performance.now() - t) / 1000;
      out.rss = peakRssMb(worker.pid!);
      out.rssIdle = idle;
      console.log(`broadcast: ${fmt(BROADCAST)} recipients at ${rate ?? 25}/s, ${fmt(out.broadcastSent ?? 0)} sent in ${fmt(out.broadcastS, 1)} s; worker peak RSS ${out.rss === null ? 'n/a' : `${fmt(out.rss)} MB`} (${fmt(idle ?? 0)} MB after start)`);
      await stopWorker(worker);
      await app.close();
      if (process.env.REDIS_URL) await clean(url, prefix);
    }
  } finally {
    await fake.close();
  }
  return out;
}

async function main() {
  let url = process.env.REDIS_URL;
  let stop = async () => {};
  if (!url) {
    const server = await startEmbeddedRedis({ dir: fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-scale-redis-')), persistence: false });
    url = server.url;
    stop = () => server.stop();
  }
  try {
    console.log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`SCALE ${SCALE}: ${fmt(COMMUNES)} communes, ${fmt(HAMLETS)} hamlets, ${fmt(2 * HAMLETS)} officers; broadcast ${fmt(BROADCAST)}; ceiling ${fmt(CEILING)} messages\n`);
    const skip = process.env.SKIP ?? '';
    if (!skip.includes('country')) await countryBench(url);
    if (!skip.includes('outbox')) await outboxBench(url);
    console.log(`\nload average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await stop();
  }
}

runMain(main);
