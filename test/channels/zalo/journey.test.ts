import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadCampaign, presetPath } from '../../../src/campaign/load.js';
import { standardFor } from '../../../src/domain/index.js';
import { BIG_USER_ID, signZaloEvent } from '../../fakes/zalo-events.js';
import { PDF } from '../../helpers/bot.js';
import { askedParts } from '../../helpers/presets.js';
import { cli as runCli, PROCESS_TEST_TIMEOUT } from '../../helpers/process.js';
import { startZaloBot, ZALO_APP_SECRET, ZALO_OA_SECRET, type ZaloTestBot } from '../../helpers/zalo.js';

/**
 * The Zalo OA channel end to end: signed webhook events into the real app over HTTP, the
 * BullMQ inbound queue and worker on the test Redis, the engine, and replies to a fake
 * Zalo OpenAPI/OAuth server that enforces Zalo's wire format.
 */
describe('zalo: an officer registers and reports in Vietnamese through Zalo events', () => {
  const preset = 'binh-thanh-2024';
  const campaign = loadCampaign(preset);
  const user = BIG_USER_ID;
  let z: ZaloTestBot;
  beforeAll(async () => {
    z = await startZaloBot(preset, { now: new Date('2024-11-20T03:00:00Z') });
  });
  afterAll(() => z.close());

  it('follow: greeting and onboarding, choices as numbered text and hidden-query buttons', async () => {
    const sent = await z.send(user, z.ev.follow({ userId: user }));
    const text = z.text(sent);
    expect(text).toContain('Xin chào! Đây là trợ lý phong trào thi đua');
    expect(text).toContain('Bạn tham gia phong trào với tư cách nào?');
    expect(text).toMatch(/1\. Cán bộ đơn vị \(có mã mời\)\n2\. /);
    const withButtons = sent.find((m) => m.buttons)!;
    expect(withButtons.buttons).toHaveLength(2);
    expect(withButtons.buttons![0]).toEqual({ title: '1. Cán bộ đơn vị (có mã mời)', type: 'oa.query.hide', payload: 's|who|code' });
    // The bot refreshed once with the bootstrap token, sending with the access_token header.
    expect(z.fake.spentRefreshTokens).toEqual(['zalo-bootstrap-refresh-token-0001']);
    expect(sent.every((m) => m.accessToken === z.fake.currentAccessToken && m.endpoint === 'cs' && !m.billable)).toBe(true);
    // The user id survived as an exact string (it is above 2^53).
    const identity = await z.bot.app.store.identities.get('zalo', user);
    expect(identity?.userId).toBe(user);
    // The display name was fetched and cached.
    await z.fake.waitFor((calls) => calls.some((c) => c.path === '/v3.0/oa/user/detail'));
    await expect.poll(() => z.bot.app.zalo!.profiles.displayName(user), { timeout: 10_000 }).toBe(`Người dùng ${user.slice(-4)}`);
    const detailCalls = z.fake.callsTo('/v3.0/oa/user/detail').length;
    await z.bot.app.zalo!.profiles.displayName(user);
    expect(z.fake.callsTo('/v3.0/oa/user/detail').length).toBe(detailCalls);
  });

  it('joins with the invite code (button press arrives as a payload)', async () => {
    let sent = await z.say(user, 's|who|code');
    expect(z.text(sent)).toContain('Nhập mã mời');
    const code = await z.bot.inviteCode();
    sent = await z.say(user, ` ${code.toLowerCase()} `);
    expect(z.text(sent)).toMatch(/Bạn đã tham gia với vai trò cán bộ phụ trách của /);
    expect(z.text(sent)).toContain('Bạn muốn làm gì?');
    // 6 menu entries: 5 buttons on the menu message, the 6th on a short second one; all numbered.
    const menu = sent.filter((m) => m.buttons);
    expect(menu.map((m) => m.buttons!.length)).toEqual([5, 1]);
    expect(menu[1]!.text).toBe('Lựa chọn khác:');
    expect(z.text(sent)).toContain('6. Ngôn ngữ / Language');
    expect((await z.bot.app.store.identities.get('zalo', user))?.role).toBe('officer');
  });

  it('registration: areas by number, commitments, confirm by button', async () => {
    let sent = await z.say(user, 'go|register');
    expect(z.text(sent)).toContain('Chọn các nội dung thi đua');
    sent = await z.say(user, '1, 2');
    expect(z.text(sent)).toContain('Cam kết');
    sent = await z.say(user, 'Số hóa toàn bộ hồ sơ công việc');
    expect(z.text(sent)).toContain('Kiểm tra lại đăng ký thi đua năm 2024');
    sent = await z.press(user, sent, 'Xác nhận');
    expect(z.text(sent)).toContain('Đã ghi nhận đăng ký thi đua năm 2024');
    const identity = (await z.bot.app.store.identities.get('zalo', user))!;
    const reg = await z.bot.app.store.registrations.get(campaign.id, 2024, { type: 'unit', unitId: identity.unitId! });
    expect(reg?.contentAreas).toEqual(campaign.contentAreas.slice(0, 2).map((a) => a.id));
    expect(reg?.commitments).toBe('Số hóa toàn bộ hồ sơ công việc');
  });

  it('indicator report: every indicator, a note, confirm', async () => {
    const identity = (await z.bot.app.store.identities.get('zalo', user))!;
    const unit = (await z.bot.app.store.units.get(identity.unitId!))!;
    const standard = standardFor(campaign, unit.level)!;
    let sent = await z.press(user, await z.say(user, 'menu'), 'Báo cáo chỉ tiêu năm');
    for (const [i] of standard.indicators.entries()) {
      expect(z.text(sent)).toContain(`Chỉ tiêu ${i + 1}/${standard.indicators.length}`);
      sent = await z.say(user, i === 0 ? '85,5%' : '100');
    }
    expect(z.text(sent)).toContain('Thuyết minh');
    sent = await z.say(user, 'Đã triển khai phần mềm một cửa điện tử');
    expect(z.text(sent)).toContain('Kiểm tra lại báo cáo chỉ tiêu');
    sent = await z.say(user, 'Xác nhận');
    expect(z.text(sent)).toContain('Đã nhận báo cáo chỉ tiêu năm 2024');
    const report = await z.bot.app.store.reports.get(campaign.id, 2024, unit.id);
    expect(report?.values[standard.indicators[0]!.id]).toBe(85.5);
    expect(report?.narrative).toBe('Đã triển khai phần mềm một cửa điện tử');
  });

  it('a file attachment becomes a dossier part (downloaded, type-checked, stored by hash)', async () => {
    let sent = await z.say(user, 'go|nominate');
    sent = await z.press(user, sent, 'Một cá nhân');
    sent = await z.say(user, 'Nguyễn Văn An');
    sent = await z.say(user, 'Trưởng xóm');
    sent = await z.say(user, 'Xóm Đồng Tâm');
    expect(z.text(sent)).toContain('Hình thức khen thưởng');
    sent = await z.say(user, '1');
    sent = await z.say(user, 'Vận động 100% hộ dân cài ứng dụng VNeID');
    const asked = askedParts(campaign, 'hamlet', 2024); // the demo officer's xóm
    expect(z.text(sent)).toContain(`Hồ sơ 1/${asked.length}`);
    // A sticker is not a file: asked again, nothing lost.
    sent = await z.send(user, z.ev.userSendSticker({ userId: user }));
    expect(z.text(sent)).toContain('nhãn dán');
    const url = z.fake.addAttachment('to-trinh.pdf', PDF, 'application/pdf');
    sent = await z.send(user, z.ev.userSendFile({ userId: user, url, name: 'Tờ trình.pdf', size: PDF.length }));
    expect(z.text(sent)).toContain('Đã nhận tệp "Tờ trình.pdf"');
    expect(z.fake.calls.some((c) => c.server === 'files' && c.path === '/files/to-trinh.pdf' && c.status === 200)).toBe(true);
    for (let i = 1; i < asked.length; i++) sent = await z.press(user, sent, 'Bổ sung sau');
    sent = await z.press(user, sent, 'Gửi hồ sơ');
    expect(z.text(sent)).toMatch(/Đã gửi hồ sơ/);
    const identity = (await z.bot.app.store.identities.get('zalo', user))!;
    const [n] = await z.bot.app.store.nominations.listByUnit(campaign.id, 2024, identity.unitId!);
    const part = n!.parts[campaign.dossierParts[0]!.id]!;
    expect(part).toMatchObject({ name: 'Tờ trình.pdf', mime: 'application/pdf', size: PDF.length, sha256: createHash('sha256').update(PDF).digest('hex') });
    expect(fs.readFileSync(path.join(z.bot.dataDir, part.path))).toEqual(PDF);
  });

  it('an image that is a GIF, and an attachment whose link expired, are refused politely', async () => {
    let sent = await z.say(user, 'go|nominate');
    // Continue the draft or start a new one: whatever the first question is, get to a file step.
    if (z.text(sent).includes('Chọn hồ sơ')) sent = await z.say(user, '1');
    const gif = z.fake.addAttachment('a.gif', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'binary'), 'image/gif');
    const expired = `${z.fake.filesBase}/files/gone.pdf`;
    // Not at a file step the answers are "file not expected"; either way the bot answers and nothing crashes.
    sent = await z.send(user, z.ev.userSendGif({ userId: user, url: gif }));
    expect(sent.length).toBeGreaterThan(0);
    sent = await z.send(user, z.ev.userSendFile({ userId: user, url: expired, name: 'gone.pdf', size: 10 }));
    expect(sent.length).toBeGreaterThan(0);
    await z.say(user, 'hủy');
  });
});

describe('zalo webhook: authenticity, duplicates, durability', () => {
  let z: ZaloTestBot;
  beforeAll(async () => {
    z = await startZaloBot('binh-thanh-2024');
  });
  afterAll(() => z.close());

  const queueCounts = async () => {
    const c = await z.bot.app.zalo!.inbound.queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
    return { waiting: c.waiting ?? 0, active: c.active ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0, delayed: c.delayed ?? 0 };
  };
  const keysOf = async (userId: string) => (await z.bot.app.redis.keys(`${z.bot.prefix}:*`)).filter((k) => k.includes(userId));

  it('forged and missing signatures: 401 and nothing stored', async () => {
    const userId = '7000000000000000001';
    const event = z.ev.userSendText({ userId, text: 'xin chào' });
    const raw = JSON.stringify(event);
    const before = await queueCounts();
    const attempts = [
      await z.post(event, { signature: 'mac=' + 'f'.repeat(64) }),
      await z.post(event, { signature: false }),
      await z.post(event, { signature: 'hello' }),
      await z.post(event, { signature: signZaloEvent(raw, event.app_id, event.timestamp, ZALO_APP_SECRET) }),
      // Signed, then changed on the way.
      await z.post(event, { rawBody: raw.replace('xin chào', 'chuyển tiền'), signature: signZaloEvent(raw, event.app_id, event.timestamp, ZALO_OA_SECRET) }),
    ];
    expect(attempts.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await queueCounts()).toEqual(before);
    expect(await keysOf(userId)).toEqual([]);
    expect(await z.bot.app.store.identities.get('zalo', userId)).toBeNull();
    expect(z.fake.sentTo(userId)).toEqual([]);
  });

  it('verifies the raw bytes: a re-spaced body signed as sent is accepted', async () => {
    const userId = '7000000000000000003';
    const event = z.ev.userSendText({ userId, text: 'chào' });
    const raw = JSON.stringify(event, null, 3);
    const before = z.fake.sentTo(userId).length;
    const r = await z.post(event, { rawBody: raw });
    expect(r.status).toBe(200);
    await z.fake.waitFor(() => z.fake.sentTo(userId).length > before);
  });

  it('the same event three times (sequentially and at once): handled once, answered once', async () => {
    const userId = '7000000000000000004';
    const event = z.ev.userSendText({ userId, text: 'xin chào' });
    const first = await z.send(userId, event);
    expect(first.length).toBeGreaterThan(0);
    const r2 = await z.post(event);
    const r3 = await z.post(event);
    expect([r2.status, r3.status]).toEqual([200, 200]);
    const again = z.ev.userSendText({ userId, text: '2' });
    const burst = await Promise.all([z.post(again), z.post(again), z.post(again)]);
    expect(burst.map((b) => b.status)).toEqual([200, 200, 200]);
    const afterBurst = await z.fake.waitFor(() => (z.fake.sentTo(userId).length > first.length ? z.fake.sentTo(userId).length : null));
    await new Promise((r) => setTimeout(r, 500));
    expect(z.fake.sentTo(userId).length).toBe(afterBurst);
    // One answer to "xin chào", one to "2": no reply twice.
    const texts = z.fake.sentTo(userId).map((m) => m.text);
    expect(texts.filter((t) => t?.includes('Bạn tham gia phong trào với tư cách nào?'))).toHaveLength(1);
  });

  it('messages of one user sent back to back are handled in the order they came', async () => {
    const unit = (await z.bot.app.store.units.all())[0]!;
    for (let round = 0; round < 5; round++) {
      const userId = `70000000000000001${round}`;
      await z.say(userId, 'xin chào');
      const code = await z.bot.app.store.invites.create({ role: 'officer', unitId: unit.id, ttlDays: 7, createdBy: 'test' }, { id: 'test', role: 'admin', channel: 'cli' });
      // "1" (I have an invite code), then the code at once, without waiting for the answer.
      expect((await z.post(z.ev.userSendText({ userId, text: '1' }))).status).toBe(200);
      await z.deliver(z.ev.userSendText({ userId, text: code }));
      expect((await z.bot.app.store.identities.get('zalo', userId))?.role).toBe('officer');
      const texts = z.text(z.fake.sentTo(userId));
      expect(texts.indexOf('Nhập mã mời')).toBeGreaterThan(-1);
      expect(texts.indexOf('Nhập mã mời')).toBeLessThan(texts.indexOf('Bạn đã tham gia'));
    }
  });

  it('echoes of our messages, receipts, unknown events: 200 and ignored', async () => {
    const userId = '7000000000000000005';
    const before = await queueCounts();
    for (const e of [
      z.ev.oaSendText({ userId, text: 'tin của OA' }),
      z.ev.delivery({ userId, msgIds: ['x'] }),
      z.ev.delivery({ userId, msgIds: ['x'], seen: true }),
      { ...z.ev.userSendText({ userId, text: 'x' }), event_name: 'user_reacted_message' } as never,
    ]) {
      const r = await z.post(e);
      expect(r.status).toBe(200);
    }
    const after = await queueCounts();
    expect(after.waiting + after.active + after.completed).toBe(before.waiting + before.active + before.completed);
    expect(await z.bot.app.store.identities.get('zalo', userId)).toBeNull();
    expect(z.fake.sentTo(userId)).toEqual([]);
  });

  it('answers fast and loses nothing if the process stops after answering', async () => {
    const userId = '7000000000000000006';
    await z.restart({ worker: false });
    const event = z.ev.userSendText({ userId, text: 'xin chào' });
    const r = await z.post(event);
    expect(r.status).toBe(200);
    expect(r.elapsedMs).toBeLessThan(2000);
    expect((await queueCounts()).waiting).toBeGreaterThanOrEqual(1);
    expect(z.fake.sentTo(userId)).toEqual([]);
    // "Crash": the process goes away with the event only in Redis; a new one picks it up.
    await z.restart();
    // A greeting gets the welcome, then the first onboarding question: wait for both.
    await z.fake.waitFor(() => z.text(z.fake.sentTo(userId)).includes('Bạn tham gia phong trào với tư cách nào?'), 15_000);
    expect(z.text(z.fake.sentTo(userId))).toContain('Xin chào!');
  });
});

describe('zalo tokens in a conversation', () => {
  let z: ZaloTestBot;
  beforeAll(async () => {
    z = await startZaloBot('binh-thanh-2024');
  });
  afterAll(() => z.close());

  it('an access token that expires mid-conversation: refreshed, retried, the user notices nothing', async () => {
    const userId = '7100000000000000001';
    let sent = await z.say(userId, 'xin chào');
    expect(z.text(sent)).toContain('Bạn tham gia phong trào');
    const refreshes = z.fake.refreshCount;
    z.fake.expireAccessTokens(-220);
    sent = await z.say(userId, '1');
    expect(z.text(sent)).toContain('Nhập mã mời');
    expect(z.text(sent)).not.toMatch(/lỗi|error/i);
    expect(z.fake.refreshCount).toBe(refreshes + 1);
    const cs = z.fake.callsTo('/v3.0/oa/message/cs').slice(-2);
    expect(cs.map((c) => (c.response as { error: number }).error)).toEqual([-220, 0]);
    // Invalid (-216) rather than expired: same.
    z.fake.expireAccessTokens(-216);
    sent = await z.say(userId, 'menu');
    expect(sent.length).toBeGreaterThan(0);
    expect(z.fake.refreshCount).toBe(refreshes + 2);
    expect(z.fake.refreshes.every((r) => r.ok)).toBe(true);
  });

  it('a dead refresh token: the channel goes down, admins are alerted once, the CLI brings it back', async () => {
    const userId = '7100000000000000002';
    await z.say(userId, 'xin chào');
    z.fake.revokeRefreshToken();
    z.fake.expireAccessTokens(-220);
    const processed = await z.deliver(z.ev.userSendText({ userId, text: '1' }));
    expect(processed.outcomes[0]).toMatchObject({ ok: false, kind: 'config' });
    expect(await z.bot.app.zalo!.tokens.down()).toMatchObject({ kind: 'grant', code: -14014 });
    // The demo admin (simulator) got the alert, in Vietnamese, with the command to run.
    const alert = (await z.bot.app.simulator.transcript('quan-tri')).filter((e) => e.text.includes('zalo:set-refresh-token'));
    expect(alert).toHaveLength(1);
    expect(alert[0]!.text).toContain('Kênh Zalo OA đã ngừng gửi tin');
    // More traffic while down: no refresh attempts, no more alerts.
    const attempts = z.fake.refreshes.length;
    const down = await z.bot.app.outbound.zalo!.send(userId, { text: 'nhắc việc' });
    expect(down).toMatchObject({ ok: false, kind: 'config' });
    expect(z.fake.refreshes.length).toBe(attempts);
    expect((await z.bot.app.simulator.transcript('quan-tri')).filter((e) => e.text.includes('zalo:set-refresh-token'))).toHaveLength(1);

    // The operator re-authorises the app and gives the new refresh token to the CLI.
    const code = z.fake.issueAuthorizationCode();
    const grant = (await fetch(`${z.fake.oauthBase}/v4/oa/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: 'zalo-app-secret-for-tests' },
      body: new URLSearchParams({ app_id: '3451287705938471234', grant_type: 'authorization_code', code }).toString(),
    }).then((r) => r.json())) as { refresh_token: string };
    const cli = runCli(['zalo:set-refresh-token', '-'], {
      input: `${grant.refresh_token}\n`,
      env: {
        ...process.env,
        REDIS_URL: inject('redisUrl'),
        STORE_PREFIX: z.bot.prefix,
        DATA_DIR: z.bot.dataDir,
        LOG_LEVEL: 'silent',
        ZALO_APP_ID: '3451287705938471234',
        ZALO_APP_SECRET: 'zalo-app-secret-for-tests',
        ZALO_OA_SECRET_KEY: 'zalo-oa-secret-key-for-tests',
        ZALO_OAUTH_BASE: z.fake.oauthBase,
      },
    });
    // Only the line saying which store and campaign the command used.
    expect(cli.stderr).toMatch(/^Store: [^\n]+, campaign [^\n]+\n$/);
    expect(cli.stdout).toContain('the Zalo channel is up');
    expect(cli.stdout).not.toContain(grant.refresh_token);
    expect(cli.status).toBe(0);
    const sent = await z.say(userId, 'menu');
    expect(sent.length).toBeGreaterThan(0);
    expect(await z.bot.app.zalo!.tokens.down()).toBeNull();

    const status = runCli(['zalo:status'], {
      env: { ...process.env, REDIS_URL: inject('redisUrl'), STORE_PREFIX: z.bot.prefix, DATA_DIR: z.bot.dataDir, LOG_LEVEL: 'silent', ZALO_APP_ID: '3451287705938471234', ZALO_APP_SECRET: 'x', ZALO_OA_SECRET_KEY: 'y' },
    });
    expect(status.stdout).toMatch(/access token: +valid until/);
    expect(status.stdout).toContain('channel:       up');
  }, PROCESS_TEST_TIMEOUT);
});

describe('zalo outbound: the messaging window, templates, files, long texts', () => {
  let z: ZaloTestBot;
  beforeAll(async () => {
    // The admin's template ids live in the campaign file (campaign.zaloTemplates).
    const preset = JSON.parse(fs.readFileSync(presetPath('binh-thanh-2024'), 'utf8')) as Record<string, unknown>;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-zalo-')), 'campaign.json');
    fs.writeFileSync(file, JSON.stringify({ ...preset, zaloTemplates: { reminder: 'tpl-reminder-1', zns: 'zns-1' } }));
    z = await startZaloBot('binh-thanh-2024', { now: new Date('2024-11-20T03:00:00Z'), env: { CAMPAIGN: file } });
    z.fake.addTemplate('tpl-reminder-1', ['unit', 'deadline']);
    z.fake.addTemplate('zns-1', ['unit', 'deadline']);
  });
  afterAll(() => z.close());

  const reminder = {
    text: 'Nhắc việc: hạn nộp hồ sơ khen thưởng là 05/12/2024.',
    template: { kind: 'reminder' as const, params: { unit: 'Xóm Đồng Tâm', deadline: '05/12/2024' } },
  };
  const advance = (ms: number) => {
    z.bot.clock.now = new Date(z.bot.clock.now.getTime() + ms);
  };
  const DAY = 24 * 3600_000;

  it('within 48 h: free consultation; 48 h–7 days: consultation, reported as paid', async () => {
    const userId = '7200000000000000001';
    await z.say(userId, 'xin chào');
    const ch = z.bot.app.outbound.zalo!;
    expect(await ch.send(userId, reminder, { idempotencyKey: 'w1' })).toMatchObject({ ok: true, via: 'cs' });
    advance(3 * DAY);
    z.fake.setLastInteraction(userId, Date.now() - 3 * DAY);
    expect(await ch.send(userId, reminder, { idempotencyKey: 'w2' })).toMatchObject({ ok: true, via: 'cs_paid' });
    expect(z.fake.sentTo(userId).at(-1)!.billable).toBe(true);
    // The same idempotency key again: not sent twice.
    const count = z.fake.sentTo(userId).length;
    expect(await ch.send(userId, reminder, { idempotencyKey: 'w2' })).toMatchObject({ ok: true });
    expect(z.fake.sentTo(userId).length).toBe(count);
  });

  it('beyond 7 days: the UID template; else ZNS to a consented phone; else unreachable, reported', async () => {
    const userId = '7200000000000000002';
    await z.say(userId, 'xin chào');
    advance(8 * DAY);
    z.fake.setLastInteraction(userId, Date.now() - 8 * DAY);
    const ch = z.bot.app.outbound.zalo!;
    expect(z.bot.app.campaign.zaloTemplates).toEqual({ reminder: 'tpl-reminder-1', zns: 'zns-1' });
    const announcement = { text: 'Thông báo: hội nghị sơ kết', template: { kind: 'announcement' as const, params: { unit: 'Xóm Đồng Tâm', deadline: '05/12/2024' } } };

    // 1. A reminder: the campaign's UID template, with the reminder's parameters; no consultation attempt.
    const csBefore = z.fake.callsTo('/v3.0/oa/message/cs').length;
    expect(await ch.send(userId, reminder, { idempotencyKey: 'r1' })).toMatchObject({ ok: true, via: 'template' });
    expect(z.fake.callsTo('/v3.0/oa/message/cs').length).toBe(csBefore);
    expect(z.fake.sentTo(userId).at(-1)).toMatchObject({ endpoint: 'template', message: { template_id: 'tpl-reminder-1', template_data: reminder.template.params } });

    // 2. An announcement has no UID template here, ZNS is configured, but we hold no phone: unreachable, marked.
    expect(await ch.send(userId, announcement, { idempotencyKey: 'r2' })).toEqual({ ok: false, kind: 'unreachable', reason: 'zalo_window' });
    expect((await z.bot.app.store.identities.get('zalo', userId))?.unreachable).toBe(true);

    // 3. The user shares their phone (the answer to request_user_info): ZNS by phone.
    await z.deliver(z.ev.userSubmitInfo({ userId, info: { name: 'Lan', phone: '0912 345 678' } }));
    expect(await ch.send(userId, announcement, { idempotencyKey: 'r3' })).toMatchObject({ ok: true, via: 'zns' });
    expect(z.fake.zns.at(-1)).toMatchObject({ phone: '84912345678', template_id: 'zns-1', template_data: announcement.template.params, tracking_id: 'r3' });

    // 4. The UID template is refused (e.g. -249 not sendable by UID): ZNS takes over.
    z.fake.failNext('/v3.0/oa/message/template', { error: -249, message: 'Template does not support send via UID' });
    expect(await ch.send(userId, reminder, { idempotencyKey: 'r4' })).toMatchObject({ ok: true, via: 'zns' });

    // 5. A message without template parameters cannot go out: reported, never dropped silently.
    expect(await ch.send(userId, { text: 'Tin không có mẫu' }, { idempotencyKey: 'r5' })).toEqual({ ok: false, kind: 'unreachable', reason: 'zalo_window' });

    // 6. The user writes again (Zalo's window reopens too): reachable again, consultation resumes.
    z.fake.setLastInteraction(userId, Date.now());
    await z.say(userId, 'menu');
    expect((await z.bot.app.store.identities.get('zalo', userId))?.unreachable).toBe(false);
    expect(await ch.send(userId, reminder, { idempotencyKey: 'r6' })).toMatchObject({ ok: true, via: 'cs' });
  });

  it('our clock says "inside the window" but Zalo answers -230: falls back to the template', async () => {
    const userId = '7200000000000000003';
    await z.say(userId, 'xin chào');
    z.fake.setLastInteraction(userId, Date.now() - 8 * DAY);
    const out = await z.bot.app.outbound.zalo!.send(userId, reminder, { idempotencyKey: 'm1' });
    expect(out).toMatchObject({ ok: true, via: 'template' });
    expect(z.fake.callsTo('/v3.0/oa/message/cs').at(-1)!.response).toMatchObject({ error: -230 });
  });

  it('other refusals: not a follower → unreachable and marked; night → deferred, not marked; -32 → rate limited; config → admins alerted', async () => {
    const userId = '7200000000000000004';
    await z.say(userId, 'xin chào');
    const ch = z.bot.app.outbound.zalo!;
    z.fake.failNext('/v3.0/oa/message/cs', { error: -234, message: 'This message cannot be sent at night (10:00PM - 6:00AM)' });
    expect(await ch.send(userId, { text: 'a' })).toMatchObject({ ok: false, kind: 'deferred', reason: 'zalo_night' });
    expect((await z.bot.app.store.identities.get('zalo', userId))?.unreachable).toBe(false);
    z.fake.failNext('/v3.0/oa/message/cs', { error: -32, message: 'Your application reached limit call api' });
    expect(await ch.send(userId, { text: 'a' })).toMatchObject({ ok: false, kind: 'rate_limited', retryAfterMs: 30_000 });
    z.fake.failNext('/v3.0/oa/message/cs', { error: -211, message: 'Out of quota' });
    expect(await ch.send(userId, { text: 'a' })).toMatchObject({ ok: false, kind: 'config', reason: 'zalo -211: Out of quota' });
    // A reply to the user that fails for a configuration reason: admins are told (the outbox reports its own sends).
    z.fake.failNext('/v3.0/oa/message/cs', { error: -211, message: 'Out of quota' });
    const processed = await z.deliver(z.ev.userSendText({ userId, text: 'menu' }));
    expect(processed.outcomes[0]).toMatchObject({ ok: false, kind: 'config' });
    await expect
      .poll(async () => (await z.bot.app.simulator.transcript('quan-tri')).filter((e) => e.text.includes('-211')).length, { timeout: 10_000 })
      .toBe(1);
    z.fake.failNext('/v3.0/oa/message/cs', { drop: true });
    expect(await ch.send(userId, { text: 'a' })).toMatchObject({ ok: false, kind: 'transient' });
    z.fake.failNext('/v3.0/oa/message/cs', { error: -213, message: 'User has not followed OA' });
    expect(await ch.send(userId, { text: 'a' })).toMatchObject({ ok: false, kind: 'unreachable', reason: 'zalo_not_follower' });
    expect((await z.bot.app.store.identities.get('zalo', userId))?.unreachable).toBe(true);
  });

  it('long text is split at 2,000 characters; a retry after a failure sends only what is missing', async () => {
    const userId = '7200000000000000005';
    await z.say(userId, 'xin chào');
    const before = z.fake.sentTo(userId).length;
    const long = Array.from({ length: 90 }, (_, i) => `Dòng ${i + 1}: đơn vị đã hoàn thành chỉ tiêu chuyển đổi số năm 2024.`).join('\n');
    expect(long.length).toBeGreaterThan(4000);
    z.fake.failNext('/v3.0/oa/message/cs', { drop: true }, { times: 1 });
    // First part fails (network), nothing recorded as sent.
    const ch = z.bot.app.outbound.zalo!;
    expect(await ch.send(userId, { text: long }, { idempotencyKey: 'long-1' })).toMatchObject({ ok: false, kind: 'transient' });
    expect(await ch.send(userId, { text: long }, { idempotencyKey: 'long-1' })).toMatchObject({ ok: true });
    const parts = z.fake.sentTo(userId).slice(before);
    expect(parts.length).toBe(3);
    for (const p of parts) expect(p.text!.length).toBeLessThanOrEqual(2000);
    expect(parts.map((p) => p.text).join('\n')).toBe(long);
    // A third attempt with the same key sends nothing more.
    expect(await ch.send(userId, { text: long }, { idempotencyKey: 'long-1' })).toMatchObject({ ok: true });
    expect(z.fake.sentTo(userId).length).toBe(before + 3);
  });

  it('files: uploaded to Zalo and sent as a file attachment; images as media', async () => {
    const userId = '7200000000000000006';
    await z.say(userId, 'xin chào');
    const rel = 'exports/bao-cao.pdf';
    fs.mkdirSync(path.join(z.bot.dataDir, 'exports'), { recursive: true });
    fs.writeFileSync(path.join(z.bot.dataDir, rel), PDF);
    const ch = z.bot.app.outbound.zalo!;
    const out = await ch.send(userId, { text: 'Báo cáo tổng hợp', file: { path: rel, name: 'bao-cao.pdf', mime: 'application/pdf' } });
    expect(out).toMatchObject({ ok: true });
    const [text, file] = z.fake.sentTo(userId).slice(-2);
    expect(text!.text).toBe('Báo cáo tổng hợp');
    expect(file!.attachmentType).toBe('file');
    const upload = z.fake.uploads.at(-1)!;
    expect(upload).toMatchObject({ kind: 'file', filename: 'bao-cao.pdf', size: PDF.length });
    expect(upload.data).toEqual(PDF);
    // An expired upload id (-100) is uploaded again once.
    z.fake.failNext('/v3.0/oa/message/cs', { error: -100, message: 'attachment_id was expired' }, { times: 1 });
    expect(await ch.send(userId, { text: '', file: { path: rel, name: 'bao-cao.pdf', mime: 'application/pdf' } })).toMatchObject({ ok: true });
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a0d00000000049454e44ae426082', 'hex');
    fs.writeFileSync(path.join(z.bot.dataDir, 'exports/anh.png'), png);
    expect(await ch.send(userId, { text: '', file: { path: 'exports/anh.png', name: 'anh.png', mime: 'image/png' } })).toMatchObject({ ok: true });
    expect(z.fake.sentTo(userId).at(-1)!.attachmentType).toBe('media');
    expect(await ch.send(userId, { text: '', file: { path: 'exports/x.xlsx', name: 'x.xlsx', mime: 'application/vnd.ms-excel' } })).toMatchObject({ ok: false, kind: 'config' });
  });

  it('with a ZNS template configured, a new member is asked once to share their phone', async () => {
    const userId = '7200000000000000008';
    await z.say(userId, 'xin chào');
    await z.say(userId, '1');
    const joined = await z.say(userId, await z.bot.inviteCode());
    expect(z.text(joined)).toContain('Bạn đã tham gia với vai trò cán bộ phụ trách');
    // The card follows the replies (it is sent after them, by the same job).
    const card = await z.fake.waitFor(() => z.fake.sentTo(userId).find((m) => m.attachmentType === 'request_user_info'));
    expect(JSON.stringify(card.message)).toContain('Nhận nhắc hạn cả khi bạn ít nhắn tin');
    await z.say(userId, 'menu');
    expect(z.fake.sentTo(userId).filter((m) => m.attachmentType === 'request_user_info')).toHaveLength(1);
    await z.deliver(z.ev.userSubmitInfo({ userId, info: { name: 'An', phone: '+84 912 000 111' } }));
    expect(await z.bot.app.zalo!.phones.get(userId)).toBe('84912000111');
    // Unfollowing the OA withdraws it.
    await z.deliver(z.ev.unfollow({ userId }));
    expect(await z.bot.app.zalo!.phones.get(userId)).toBeNull();
  });

  it('unfollow: the user is marked unreachable; following again greets them', async () => {
    const userId = '7200000000000000007';
    await z.say(userId, 'xin chào');
    await z.deliver(z.ev.unfollow({ userId }));
    expect((await z.bot.app.store.identities.get('zalo', userId))?.unreachable).toBe(true);
    const sent = await z.send(userId, z.ev.follow({ userId }));
    expect(z.text(sent)).toContain('Xin chào!');
    expect((await z.bot.app.store.identities.get('zalo', userId))?.unreachable).toBe(false);
  });
});
