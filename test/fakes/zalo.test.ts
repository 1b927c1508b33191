import { createHash, randomBytes } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeZalo, ZALO_LIMITS, type FakeZalo } from './zalo-openapi.js';
import { BIG_USER_ID, postZaloEvent, signZaloEvent, zaloEvents } from './zalo-events.js';
import { listen } from './server.js';

const APP_ID = '3608465248940903967';
const APP_SECRET = 'app-secret-KQ9x';
const OA_SECRET = 'oa-secret-Zt7w';
const RT0 = 'initial-refresh-token';

let zalo: FakeZalo;
let http: AxiosInstance;

beforeAll(async () => {
  zalo = await startFakeZalo({ appId: APP_ID, appSecret: APP_SECRET, oaSecretKey: OA_SECRET, initialRefreshToken: RT0 });
  http = axios.create({ validateStatus: () => true });
});
afterAll(async () => {
  await zalo.close();
});

/** What our bot must do: form-urlencoded, `secret_key` header, app_id + grant_type + refresh_token. */
async function refresh(refreshToken: string, secret = APP_SECRET) {
  return http.post(
    `${zalo.oauthBase}/v4/oa/access_token`,
    new URLSearchParams({ app_id: APP_ID, grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
    { headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: secret } },
  );
}

async function sendText(accessToken: string, userId: string, text: string) {
  return http.post(
    `${zalo.apiBase}/v3.0/oa/message/cs`,
    { recipient: { user_id: userId }, message: { text } },
    { headers: { access_token: accessToken } },
  );
}

describe('fake Zalo OAuth v4', () => {
  it('rotates single-use refresh tokens; expires_in is a string; a spent token fails with HTTP 200', async () => {
    expect(zalo.currentAccessToken).toBeUndefined();
    const first = await refresh(RT0);
    expect(first.status).toBe(200);
    expect(first.data).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String), expires_in: '90000' });
    expect(first.data.refresh_token).not.toBe(RT0);
    expect(zalo.refreshCount).toBe(1);
    expect(zalo.spentRefreshTokens).toEqual([RT0]);
    expect(zalo.currentRefreshToken).toBe(first.data.refresh_token);

    const again = await refresh(RT0);
    expect(again.status).toBe(200);
    expect(again.data.access_token).toBeUndefined();
    expect(again.data).toMatchObject({ error: -14014, error_name: 'Invalid refresh token' });
    expect(zalo.refreshCount).toBe(1);
    expect(zalo.refreshes.filter((r) => r.presented === RT0).map((r) => r.ok)).toEqual([true, false]);

    const second = await refresh(first.data.refresh_token);
    expect(second.data.access_token).toEqual(expect.any(String));
    expect(zalo.spentRefreshTokens).toEqual([RT0, first.data.refresh_token]);

    const call = zalo.callsTo('/v4/oa/access_token')[0]!;
    expect(call.headers.secret_key).toBe(APP_SECRET);
    expect(call.body).toEqual({ app_id: APP_ID, grant_type: 'refresh_token', refresh_token: RT0 });
  });

  it('a wrong secret_key gets an error body without tokens and spends nothing', async () => {
    const before = zalo.currentRefreshToken;
    const r = await refresh(before, 'wrong-secret');
    expect(r.status).toBe(200);
    expect(r.data.access_token).toBeUndefined();
    expect(typeof r.data.error).toBe('number');
    expect(r.data.error).toBeLessThan(0);
    expect(typeof r.data.error_name).toBe('string');
    expect(zalo.currentRefreshToken).toBe(before);
    expect((await refresh(before)).data.access_token).toEqual(expect.any(String));
  });

  it('two concurrent refreshes with one token: exactly one wins (a slow OAuth server via setDelay)', async () => {
    zalo.setDelay('/v4/oa/access_token', 100);
    try {
      const rt = zalo.currentRefreshToken;
      const before = zalo.refreshCount;
      const [a, b] = await Promise.all([refresh(rt), refresh(rt)]);
      const winners = [a, b].filter((r) => typeof r.data.access_token === 'string');
      expect(winners).toHaveLength(1);
      expect([a, b].map((r) => r.data.error).filter((e) => e !== undefined)).toEqual([-14014]);
      expect(zalo.refreshCount).toBe(before + 1);
      expect(zalo.spentRefreshTokens.filter((t) => t === rt)).toHaveLength(1);
    } finally {
      zalo.setDelay('/v4/oa/access_token', 0);
    }
  });

  it('authorization_code grant checks the PKCE verifier', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const code = zalo.issueAuthorizationCode({ codeChallenge: challenge });
    const form = (v: string) =>
      new URLSearchParams({ app_id: APP_ID, grant_type: 'authorization_code', code, code_verifier: v }).toString();
    const opts = { headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: APP_SECRET } };
    const bad = await http.post(`${zalo.oauthBase}/v4/oa/access_token`, form('not-the-verifier'), opts);
    expect(bad.data.access_token).toBeUndefined();
    const good = await http.post(`${zalo.oauthBase}/v4/oa/access_token`, form(verifier), opts);
    expect(good.data).toMatchObject({ access_token: expect.any(String), expires_in: '90000' });
  });
});

describe('fake Zalo OpenAPI', () => {
  let token: string;
  beforeAll(async () => {
    token = (await refresh(zalo.currentRefreshToken)).data.access_token;
  });

  it('sends a text message: HTTP 200, error 0, data.message_id; recorded per user', async () => {
    const r = await sendText(token, BIG_USER_ID, 'Xin chào đồng chí');
    expect(r.status).toBe(200);
    expect(r.data).toEqual({ error: 0, message: 'Success', data: { message_id: expect.any(String), user_id: BIG_USER_ID } });
    const sent = zalo.sentTo(BIG_USER_ID).at(-1)!;
    expect(sent).toMatchObject({ endpoint: 'cs', text: 'Xin chào đồng chí', message_id: r.data.data.message_id, billable: false });
    expect(zalo.callsTo('/v3.0/oa/message/cs').at(-1)!.headers.access_token).toBe(token);
  });

  it('an expired access token answers -220 (or -216) inside HTTP 200; a refresh fixes it', async () => {
    zalo.expireAccessTokens();
    const r = await sendText(token, BIG_USER_ID, 'hi');
    expect(r.status).toBe(200);
    expect(r.data).toEqual({ error: -220, message: 'access_token is expired or removed' });
    const fresh = (await refresh(zalo.currentRefreshToken)).data.access_token as string;
    expect((await sendText(fresh, BIG_USER_ID, 'hi')).data.error).toBe(0);
    zalo.expireAccessTokens(-216);
    expect((await sendText(fresh, BIG_USER_ID, 'hi')).data).toEqual({ error: -216, message: 'Access token is invalid' });
    expect((await sendText('garbage', BIG_USER_ID, 'hi')).data.error).toBe(-216);
    token = (await refresh(zalo.currentRefreshToken)).data.access_token;
  });

  it('access tokens expire after accessTokenTtlSec by the injected clock', async () => {
    let t = Date.UTC(2026, 0, 1);
    const z = await startFakeZalo({
      appId: APP_ID, appSecret: APP_SECRET, oaSecretKey: OA_SECRET, initialRefreshToken: 'rt', accessTokenTtlSec: 60, now: () => t,
    });
    try {
      const g = await http.post(
        `${z.oauthBase}/v4/oa/access_token`,
        new URLSearchParams({ app_id: APP_ID, grant_type: 'refresh_token', refresh_token: 'rt' }).toString(),
        { headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: APP_SECRET } },
      );
      expect(g.data.expires_in).toBe('60');
      const send = () =>
        http.post(`${z.apiBase}/v3.0/oa/message/cs`, { recipient: { user_id: '1' }, message: { text: 'x' } }, { headers: { access_token: g.data.access_token } });
      expect((await send()).data.error).toBe(0);
      t += 61_000;
      expect((await send()).data.error).toBe(-220);
    } finally {
      await z.close();
    }
  });

  it('message window: > 7 days without interaction → -230; 48 h–7 d is billable; never → -230', async () => {
    const now = Date.now();
    zalo.setLastInteraction('1001', now - 8 * 24 * 3600_000);
    zalo.setLastInteraction('1002', now - 3 * 24 * 3600_000);
    zalo.setLastInteraction('1003', now - 3600_000);
    zalo.setLastInteraction('1004', null);
    expect((await sendText(token, '1001', 'x')).data).toEqual({ error: -230, message: 'User has not interacted with the OA in the past 7 days' });
    expect((await sendText(token, '1002', 'x')).data.error).toBe(0);
    expect((await sendText(token, '1003', 'x')).data.error).toBe(0);
    expect((await sendText(token, '1004', 'x')).data.error).toBe(-230);
    expect(zalo.sentTo('1002')[0]!.billable).toBe(true);
    expect(zalo.sentTo('1003')[0]!.billable).toBe(false);
    expect(zalo.sentTo('1001')).toEqual([]);
  });

  it('validates text length and buttons; records buttons', async () => {
    expect((await sendText(token, '2001', 'a'.repeat(ZALO_LIMITS.textMax))).data.error).toBe(0);
    const long = await sendText(token, '2001', 'a'.repeat(ZALO_LIMITS.textMax + 1));
    expect(long.data).toEqual({ error: -201, message: 'text cannot exceed 2000 characters' });
    const button = (i: number) => ({ title: `Lựa chọn ${i}`, type: 'oa.query.hide', payload: `#c${i}` });
    const withButtons = (n: number) =>
      http.post(
        `${zalo.apiBase}/v3.0/oa/message/cs`,
        {
          recipient: { user_id: '2001' },
          message: { text: 'Chọn một', attachment: { type: 'template', payload: { buttons: Array.from({ length: n }, (_, i) => button(i)) } } },
        },
        { headers: { access_token: token } },
      );
    expect((await withButtons(5)).data.error).toBe(0);
    expect(zalo.sentTo('2001').at(-1)!.buttons).toHaveLength(5);
    expect((await withButtons(6)).data.error).toBe(-201);
  });

  it('uploads a file (multipart `file`) and sends it by token; unknown tokens fail', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('%PDF-1.7 ...')], { type: 'application/pdf' }), 'bao-cao.pdf');
    const up = await http.post(`${zalo.apiBase}/v2.0/oa/upload/file`, form, { headers: { access_token: token } });
    expect(up.data).toEqual({ error: 0, message: 'Success', data: { token: expect.any(String) } });
    const send = (fileToken: string) =>
      http.post(
        `${zalo.apiBase}/v3.0/oa/message/cs`,
        { recipient: { user_id: '3001' }, message: { attachment: { type: 'file', payload: { token: fileToken } } } },
        { headers: { access_token: token } },
      );
    expect((await send(up.data.data.token)).data.error).toBe(0);
    expect(zalo.sentTo('3001')[0]!.attachmentType).toBe('file');
    expect((await send('unknown')).data.error).toBe(-201);
    expect(zalo.uploads.at(-1)).toMatchObject({ kind: 'file', filename: 'bao-cao.pdf', size: 12 });

    const img = new FormData();
    img.append('file', new Blob([Buffer.from([0xff, 0xd8, 0xff])], { type: 'image/jpeg' }), 'anh.jpg');
    const upImg = await http.post(`${zalo.apiBase}/v2.0/oa/upload/image`, img, { headers: { access_token: token } });
    expect(upImg.data.data.attachment_id).toEqual(expect.any(String));
    const media = await http.post(
      `${zalo.apiBase}/v3.0/oa/message/cs`,
      {
        recipient: { user_id: '3001' },
        message: {
          text: 'Ảnh',
          attachment: { type: 'template', payload: { template_type: 'media', elements: [{ media_type: 'image', attachment_id: upImg.data.data.attachment_id }] } },
        },
      },
      { headers: { access_token: token } },
    );
    expect(media.data.error).toBe(0);
  });

  it('failNext injects Zalo errors (e.g. -32 rate limit) for a path and optionally one user', async () => {
    zalo.failNext('/v3.0/oa/message/cs', { error: -32, message: 'Your application reached limit call api' }, { userId: '4001' });
    expect((await sendText(token, '4002', 'x')).data.error).toBe(0);
    expect((await sendText(token, '4001', 'x')).data).toEqual({ error: -32, message: 'Your application reached limit call api' });
    expect((await sendText(token, '4001', 'x')).data.error).toBe(0);
  });

  it('user detail takes a JSON `data` query parameter', async () => {
    zalo.setUser({ user_id: BIG_USER_ID, display_name: 'Trần Thị Bình' });
    const r = await http.get(`${zalo.apiBase}/v3.0/oa/user/detail`, {
      params: { data: JSON.stringify({ user_id: BIG_USER_ID }) },
      headers: { access_token: token },
    });
    expect(r.data.error).toBe(0);
    expect(r.data.data).toMatchObject({ user_id: BIG_USER_ID, display_name: 'Trần Thị Bình', user_is_follower: true });
    expect(typeof r.data.data.user_id_by_app).toBe('string');
  });

  it('records template messages by user id and ZNS by phone', async () => {
    zalo.addTemplate('tpl-nhac-han', ['name', 'deadline']);
    const uid = await http.post(
      `${zalo.apiBase}/v3.0/oa/message/template`,
      { user_id: '5001', template_id: 'tpl-nhac-han', template_data: { name: 'An', deadline: '31/12/2026' } },
      { headers: { access_token: token } },
    );
    expect(uid.data).toMatchObject({ error: 0, data: { message_id: expect.any(String), user_id: '5001' } });
    const missing = await http.post(
      `${zalo.apiBase}/v3.0/oa/message/template`,
      { user_id: '5001', template_id: 'tpl-nhac-han', template_data: { name: 'An' } },
      { headers: { access_token: token } },
    );
    expect(missing.data.error).toBe(-201);
    const zns = await http.post(
      `${zalo.znsBase}/message/template`,
      { phone: '84912345678', template_id: 'tpl-nhac-han', template_data: { name: 'An', deadline: '31/12' }, tracking_id: 'rem-1' },
      { headers: { access_token: token } },
    );
    expect(zns.data).toMatchObject({ error: 0, data: { msg_id: expect.any(String) } });
    expect(zalo.zns.at(-1)).toMatchObject({ phone: '84912345678', tracking_id: 'rem-1' });
    const badPhone = await http.post(
      `${zalo.znsBase}/message/template`,
      { phone: '0912345678', template_id: 'tpl-nhac-han', template_data: { name: 'An', deadline: '1' } },
      { headers: { access_token: token } },
    );
    expect(badPhone.data.error).toBe(-108);
  });

  it('serves attachment URLs for webhook events', async () => {
    const url = zalo.addAttachment('minh-chung.pdf', Buffer.from('PDF!'), 'application/pdf');
    const r = await fetch(url);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await r.arrayBuffer()).toString()).toBe('PDF!');
    zalo.removeAttachment('minh-chung.pdf');
    expect((await fetch(url)).status).toBe(404);
  });
});

describe('Zalo webhook events', () => {
  const ev = zaloEvents({ appId: APP_ID });

  it('signZaloEvent = "mac=" + sha256(appId + rawBody + timestamp + OA secret key)', () => {
    const event = ev.userSendText({ text: 'xin chào' });
    const raw = JSON.stringify(event);
    const expected = createHash('sha256').update(`${APP_ID}${raw}${event.timestamp}${OA_SECRET}`).digest('hex');
    expect(signZaloEvent(raw, APP_ID, event.timestamp, OA_SECRET)).toBe(`mac=${expected}`);
    // Known vector (computed independently with `printf %s … | sha256sum`).
    expect(signZaloEvent('{"a":1}', '1', '2', 's')).toBe('mac=06a74a6bd4e609f4f0169538d2c92e36b90bdf3899ad826b010ad6b745e31f80');
  });

  it('builders use string ids/timestamps and the real envelopes', () => {
    const text = ev.userSendText({ text: 'hi' });
    expect(text).toMatchObject({ app_id: APP_ID, event_name: 'user_send_text', sender: { id: BIG_USER_ID }, recipient: { id: ev.oaId } });
    expect(typeof text.timestamp).toBe('string');
    expect(typeof text.message.msg_id).toBe('string');
    expect(typeof text.user_id_by_app).toBe('string');
    const file = ev.userSendFile({ url: 'http://x/files/a.pdf', name: 'a.pdf', size: 2048 });
    expect(file.message.attachments![0]).toEqual({
      type: 'file',
      payload: { url: 'http://x/files/a.pdf', size: '2048', name: 'a.pdf', checksum: expect.any(String), type: 'pdf' },
    });
    const loc = ev.userSendLocation({ latitude: 21.0278, longitude: 105.8342 });
    expect(loc.message.attachments![0]!.payload).toEqual({ coordinates: { latitude: '21.0278', longitude: '105.8342' } });
    const follow = ev.follow({ userId: '42' });
    expect(Object.keys(follow).sort()).toEqual(['app_id', 'event_name', 'follower', 'oa_id', 'source', 'timestamp', 'user_id_by_app']);
    expect(follow.follower).toEqual({ id: '42' });
    const echo = ev.oaSendText({ userId: '42', text: 'reply' });
    expect(echo.sender.id).toBe(ev.oaId);
    expect(echo.recipient.id).toBe('42');
    const t1 = Number(ev.userSendImage({ url: 'u' }).timestamp);
    const t2 = Number(ev.userSendSticker({}).timestamp);
    expect(t2).toBeGreaterThan(t1);
    expect(ev.userSubmitInfo({ info: { name: 'An', phone: '84912345678' } }).info.phone).toBe('84912345678');
    expect(ev.unfollow().event_name).toBe('unfollow');
    expect(ev.userSendLink({ url: 'https://a.vn' }).message.text).toBe('https://a.vn');
  });

  it('postZaloEvent delivers raw JSON with X-ZEvent-Signature that a raw-body verifier accepts', async () => {
    const received: Array<{ ok: boolean; body: unknown }> = [];
    const app = express();
    app.post('/webhooks/zalo', express.raw({ type: '*/*' }), (req, res) => {
      const raw = (req.body as Buffer).toString('utf8');
      const body = JSON.parse(raw) as { app_id: string; timestamp: string };
      const expected = createHash('sha256').update(body.app_id + raw + body.timestamp + OA_SECRET).digest('hex');
      const got = String(req.headers['x-zevent-signature'] ?? '').replace(/^mac=/, '');
      const ok = got === expected;
      received.push({ ok, body });
      res.status(ok ? 200 : 401).end();
    });
    const srv = await listen(app);
    try {
      const url = `${srv.base}/webhooks/zalo`;
      const event = ev.userSendText({ text: 'Tôi muốn đăng ký' });
      expect((await postZaloEvent(url, event, OA_SECRET)).status).toBe(200);
      // A spaced serialisation still verifies: the signature covers the raw bytes.
      const pretty = JSON.stringify(event, null, 2);
      expect((await postZaloEvent(url, event, OA_SECRET, { rawBody: pretty })).status).toBe(200);
      expect((await postZaloEvent(url, event, 'wrong-secret')).status).toBe(401);
      expect((await postZaloEvent(url, event, OA_SECRET, { signature: false })).status).toBe(401);
      expect((await postZaloEvent(url, ev.follow(), OA_SECRET)).status).toBe(200);
      expect(received.map((r) => r.ok)).toEqual([true, true, false, false, true]);
    } finally {
      await srv.close();
    }
  });
});
