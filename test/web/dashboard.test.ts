import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deciderOf, joinWithInvite, startBot, type TestBot } from '../helpers/bot.js';
import { addIdentity, addNomination, outboxDrained, unitByCode } from '../helpers/jobs.js';
import { loggedIn, serve, tokenIn, WebClient } from '../helpers/dashboard.js';
import { startWorkers, type RunningWorkers } from '../../jobs/index.js';
import type { Nomination } from '../../src/domain/entities.js';

/**
 * The dashboard attacked over real HTTP (Hải Dương: staff of Tứ Kỳ and of Gia Lộc, officers
 * of a commune under each): links, cookies, scope, CSRF, and a return from the page that
 * reaches the officer's chat with the chat's own words, audited with the channel `web`.
 */
describe('web dashboard: login links, sessions and scope', () => {
  let bot: TestBot;
  let base: string;
  let workers: RunningWorkers;
  let dossier: Nomination;
  let decider: string;

  beforeAll(async () => {
    bot = await startBot('hai-duong-2021-2025', { now: new Date('2025-11-20T03:00:00Z') });
    await joinWithInvite(bot, 'officer-a', 'officer', 'HD-TK-HDA');
    await joinWithInvite(bot, 'staff-tk', 'staff', 'HD-TK');
    await joinWithInvite(bot, 'staff-gl', 'staff', 'HD-GL');
    await addIdentity(bot.app, 'sim', 'admin-1', { role: 'admin', unitId: null });
    dossier = await addNomination(bot.app, bot.dataDir, 'HD-TK-HDA', { year: 2025, status: 'submitted', parts: ['to_trinh'] });
    decider = await deciderOf(bot, dossier.id);
    workers = await startWorkers(bot.app, { schedules: false });
    ({ base } = await serve(bot));
  }, 60_000);
  afterAll(async () => {
    await workers?.close();
    await bot?.close();
  });

  it('an officer gets no link: /web is refused in Vietnamese', async () => {
    const text = bot.text(await bot.say('officer-a', '/web'));
    expect(text).toContain('Bạn không có quyền thực hiện việc này.');
    expect(tokenIn(text)).toBeNull();
  });

  it('a link opens a session once: HttpOnly, SameSite=Strict cookie, no token left in the address; a reused link is refused', async () => {
    const reply = bot.text(await bot.say('staff-tk', '/web'));
    expect(reply).toContain('chỉ dùng được một lần, trong 10 phút');
    expect(reply).toContain('http://localhost:0/dang-nhap?t=');
    const token = tokenIn(reply)!;
    expect(Buffer.from(token, 'base64url').length).toBe(32);
    // Only its hash is stored.
    expect(await bot.app.redis.keys(`${bot.prefix}:web:login:*`)).toHaveLength(1);
    expect(await bot.app.redis.keys(`*${token}*`)).toEqual([]);

    const web = new WebClient(base);
    const page = await web.get(`/dang-nhap?t=${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const done = await web.post('/dang-nhap', { t: token });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/bang-dieu-khien');
    const cookie = done.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^td_web=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).not.toMatch(/; Secure/); // plain HTTP without a trusted proxy
    web.cookie = cookie.split(';')[0]!;
    expect((await web.get('/bang-dieu-khien')).status).toBe(200);

    const again = new WebClient(base);
    expect((await again.get(`/dang-nhap?t=${token}`)).status).toBe(410);
    const reused = await again.post('/dang-nhap', { t: token });
    expect(reused.status).toBe(410);
    expect(reused.text).toContain('Liên kết đăng nhập chỉ dùng được một lần');
    expect(reused.headers.get('set-cookie')).toBeNull();
    expect((await again.get('/bang-dieu-khien')).status).toBe(401);
    // A forged cookie opens nothing.
    again.cookie = `td_web=${'A'.repeat(43)}`;
    expect((await again.get('/bang-dieu-khien')).status).toBe(401);
  });

  it('an expired link is refused (the app clock 11 minutes later)', async () => {
    const token = tokenIn(bot.text(await bot.say('staff-tk', '/web')))!;
    const start = bot.clock.now;
    bot.clock.now = new Date(start.getTime() + 11 * 60_000);
    try {
      const web = new WebClient(base);
      expect((await web.get(`/dang-nhap?t=${token}`)).status).toBe(410);
      expect((await web.post('/dang-nhap', { t: token })).status).toBe(410);
      expect((await web.get('/bang-dieu-khien')).status).toBe(401);
    } finally {
      bot.clock.now = start;
    }
  });

  it("another office's unit and dossier are not visible (404) and not decidable", async () => {
    const gl = await loggedIn(bot, base, 'staff-gl');
    const page = await gl.get('/bang-dieu-khien?nam=2025');
    expect(page.text).toContain('UBND xã Gia Tân');
    expect(page.text).not.toContain('UBND xã Hưng Đạo');
    const hda = await unitByCode(bot.app, 'HD-TK-HDA');
    expect((await gl.get(`/bang-dieu-khien/don-vi/${hda.id}`)).status).toBe(404);
    expect((await gl.get(`/bang-dieu-khien/ho-so/${dossier.id}`)).status).toBe(404);
    expect((await gl.get(`/bang-dieu-khien/ho-so/${dossier.id}/tep/to_trinh`)).status).toBe(404);
    expect((await gl.get(`/bang-dieu-khien/ho-so/${dossier.id}/du-thao/proposal`)).status).toBe(404);
    const csrf = WebClient.csrf(page.text);
    const decided = await gl.post(`/bang-dieu-khien/ho-so/${dossier.id}/quyet-dinh`, { _csrf: csrf, decision: 'accept', step: 'receive' });
    expect(decided.status).toBe(404);
    expect((await bot.app.store.nominations.get(dossier.id))!.status).toBe('submitted');

    const tk = await loggedIn(bot, base, 'staff-tk');
    const mine = await tk.get('/bang-dieu-khien?nam=2025');
    expect(mine.text).toContain('UBND xã Hưng Đạo');
    expect(mine.text).not.toContain('UBND xã Gia Tân');
    expect((await tk.get(`/bang-dieu-khien/don-vi/${hda.id}?nam=2025`)).text).toContain(`Hồ sơ số ${dossier.id.slice(2)}`);
    const file = await tk.get(`/bang-dieu-khien/ho-so/${dossier.id}/tep/to_trinh`);
    expect(file.status).toBe(200);
    expect(file.text.startsWith('%PDF')).toBe(true);
  });

  it('a POST without the CSRF token (or with a wrong one) is refused and changes nothing', async () => {
    const web = await loggedIn(bot, base, decider);
    const path = `/bang-dieu-khien/ho-so/${dossier.id}/quyet-dinh`;
    expect((await web.post(path, { decision: 'accept', step: 'receive' })).status).toBe(403);
    expect((await web.post(path, { _csrf: 'x'.repeat(43), decision: 'accept', step: 'receive' })).status).toBe(403);
    expect((await web.post('/bang-dieu-khien/dang-xuat', {})).status).toBe(403);
    expect((await bot.app.store.nominations.get(dossier.id))!.status).toBe('submitted');
  });

  it('a return from the page follows the chat rules, reaches the officer in their chat, and is audited with channel web', async () => {
    const web = await loggedIn(bot, base, decider);
    const waiting = await web.get('/bang-dieu-khien/cho-duyet');
    expect(waiting.text).toContain(`/bang-dieu-khien/ho-so/${dossier.id}`);
    const page = await web.get(`/bang-dieu-khien/ho-so/${dossier.id}`);
    const step = /name="step" value="(\w+)"/.exec(page.text)![1]!;
    const path = `/bang-dieu-khien/ho-so/${dossier.id}/quyet-dinh`;
    const csrf = WebClient.csrf(page.text);
    expect((await web.post(path, { _csrf: csrf, decision: 'return', step, reason: '  ' })).text).toContain('Bạn cần ghi lý do trả lại hồ sơ.');
    const done = await web.post(path, { _csrf: csrf, decision: 'return', step, reason: 'Thiếu biên bản họp xét' });
    expect(done.status).toBe(200);
    expect(done.text).toMatch(/Đã trả lại hồ sơ/);
    expect((await bot.app.store.nominations.get(dossier.id))!.status).toBe('returned');
    // Decided once: the same form again is refused by the chat's own rule.
    expect((await web.post(path, { _csrf: csrf, decision: 'return', step, reason: 'lần hai' })).text).toContain('không chờ duyệt');

    await outboxDrained(bot.app);
    const chat = (await bot.app.simulator.transcript('officer-a')).map((e) => JSON.stringify(e)).join('\n');
    expect(chat).toContain('Thiếu biên bản họp xét');

    const audit = await bot.app.store.audit.forEntity(dossier.id);
    const returned = audit.find((e) => e.action === 'nomination.returned')!;
    expect(returned).toMatchObject({ actor: `sim:${decider}`, channel: 'web', role: 'staff' });
    const logins = (await bot.app.store.audit.list({ newestFirst: true, count: 500 })).filter((e) => e.action === 'web.login');
    expect(logins.length).toBeGreaterThanOrEqual(4);
    expect(logins.every((e) => e.channel === 'web')).toBe(true);
    const downloads = (await bot.app.store.audit.forEntity(dossier.id)).filter((e) => e.action.startsWith('web.download'));
    expect(downloads.map((e) => [e.actor, e.channel])).toEqual([['sim:staff-tk', 'web']]);
  });

  it("the council pack holds only the office's dossiers; downloads and log-out are audited with channel web", async () => {
    const gl = await loggedIn(bot, base, 'staff-gl');
    await addNomination(bot.app, bot.dataDir, 'HD-GL-GT', { year: 2025, status: 'submitted', nominee: 'Phạm Văn Dũng', parts: ['to_trinh'] });
    const res = await fetch(`${base}/bang-dieu-khien/tai-ve?nam=2025`, { headers: { cookie: gl.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe("attachment; filename=hai-duong-2021-2025-2025-HD-GL.zip");
    const zip = await JSZip.loadAsync(Buffer.from(await res.arrayBuffer()));
    const names = Object.keys(zip.files);
    expect(names).toContain('hai-duong-2021-2025-2025-HD-GL.xlsx');
    expect(names.some((n) => n.includes('Pham Van Dung'))).toBe(true);
    expect(names.some((n) => n.startsWith(`Ho-so-so-${dossier.id.slice(2)} `))).toBe(false);

    const page = await gl.get('/bang-dieu-khien');
    expect((await gl.post('/bang-dieu-khien/dang-xuat', { _csrf: WebClient.csrf(page.text) })).text).toContain('Bạn đã đăng xuất');
    expect((await gl.get('/bang-dieu-khien')).status).toBe(401);
    const mine = (await bot.app.store.audit.forEntity('sim:staff-gl')).map((e) => [e.action, e.channel]);
    expect(mine).toEqual(expect.arrayContaining([['web.login', 'web'], ['web.logout', 'web']]));
    const pack = (await bot.app.store.audit.forEntity(bot.app.campaign.id)).filter((e) => e.action === 'web.download_pack');
    expect(pack.map((e) => [e.actor, e.channel, e.after])).toEqual([['sim:staff-gl', 'web', { year: 2025, office: (await unitByCode(bot.app, 'HD-GL')).id }]]);
  });

  it('a staff member whose role is revoked loses the open session at once', async () => {
    const web = await loggedIn(bot, base, 'staff-gl');
    expect((await web.get('/bang-dieu-khien')).status).toBe(200);
    await bot.app.store.identities.upsert({ ...(await bot.app.store.identities.get('sim', 'staff-gl'))!, role: 'officer', unitId: (await unitByCode(bot.app, 'HD-GL-GT')).id }, { id: 'test', role: 'admin', channel: 'cli' });
    expect((await web.get('/bang-dieu-khien')).status).toBe(401);
  });

  it('an admin sees the whole campaign, the schedule and the announcements page', async () => {
    const web = await loggedIn(bot, base, 'admin-1');
    const page = await web.get('/bang-dieu-khien?nam=2025');
    expect(page.text).toContain('UBND xã Hưng Đạo');
    expect(page.text).toContain('UBND xã Gia Tân');
    expect(page.text).toContain('Quản trị viên');
    const sched = await web.get('/bang-dieu-khien/lich');
    expect(sched.status).toBe(200);
    expect(sched.text).toContain('Thông báo đã gửi và kết quả');
    const en = await web.get('/bang-dieu-khien/ngon-ngu?lang=en&back=%2Fbang-dieu-khien');
    expect(en.status).toBe(303);
    web.cookie += `; ${en.headers.get('set-cookie')!.split(';')[0]}`;
    expect((await web.get('/bang-dieu-khien?nam=2025')).text).toContain('Campaign progress 2025');
    // No open redirect through the language switch.
    expect((await web.get('/bang-dieu-khien/ngon-ngu?lang=vi&back=https%3A%2F%2Fevil.example')).headers.get('location')).toBe('/bang-dieu-khien');
    // From a decision's result page, back to the dossier (its POST address has no page).
    expect((await web.get(`/bang-dieu-khien/ngon-ngu?lang=vi&back=${encodeURIComponent(`/bang-dieu-khien/ho-so/${dossier.id}/quyet-dinh`)}`)).headers.get('location')).toBe(`/bang-dieu-khien/ho-so/${dossier.id}`);
  });
});

describe('web dashboard behind a trusted HTTPS proxy', () => {
  let bot: TestBot;
  let base: string;

  beforeAll(async () => {
    bot = await startBot('hai-duong-2021-2025', { now: new Date('2025-11-20T03:00:00Z'), env: { TRUST_PROXY: 'loopback', PUBLIC_URL: 'https://thidua.example.gov.vn/' } });
    await joinWithInvite(bot, 'staff-tk', 'staff', 'HD-TK');
    ({ base } = await serve(bot));
  }, 60_000);
  afterAll(() => bot?.close());

  it('the link uses PUBLIC_URL; the cookie is Secure and __Host- when the proxy says HTTPS', async () => {
    const reply = bot.text(await bot.say('staff-tk', '/web'));
    expect(reply).toContain('https://thidua.example.gov.vn/dang-nhap?t=');
    const web = new WebClient(base, { 'x-forwarded-proto': 'https' });
    const done = await web.login(tokenIn(reply)!);
    expect(done.status).toBe(303);
    const cookie = done.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^__Host-td_web=/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect((await web.get('/bang-dieu-khien')).status).toBe(200);
  });
});
