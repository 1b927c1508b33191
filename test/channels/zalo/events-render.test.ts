import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../../src/channels/zalo/codes.js';
import { zaloEnabled } from '../../../src/channels/zalo/index.js';
import { parseConfig } from '../../../src/config/index.js';
import { isOurPayload, normaliseEvent } from '../../../src/channels/zalo/events.js';
import { jobIdOf } from '../../../src/channels/zalo/inbound.js';
import { ZaloPhones } from '../../../src/channels/zalo/phones.js';
import { csMessage, renderReply, splitText } from '../../../src/channels/zalo/render.js';
import { scanJson } from '../../../src/channels/json-shape.js';
import { parseEventJson, verifyZaloSignature } from '../../../src/channels/zalo/webhook.js';
import { BIG_USER_ID, signZaloEvent, zaloEvents } from '../../fakes/zalo-events.js';

const APP_ID = '1234567890123456789';
const SECRET = 'oa-secret-key-for-tests';
const ev = zaloEvents({ appId: APP_ID });

describe('zalo webhook signature', () => {
  const event = ev.userSendText({ text: 'Xin chào' });
  const raw = JSON.stringify(event);

  it('accepts mac=sha256(app_id + raw body + timestamp + OA secret key), from the raw bytes', () => {
    const header = signZaloEvent(raw, APP_ID, event.timestamp, SECRET);
    const independent = 'mac=' + createHash('sha256').update(`${APP_ID}${raw}${event.timestamp}${SECRET}`).digest('hex');
    expect(header).toBe(independent);
    const r = verifyZaloSignature(Buffer.from(raw), header, SECRET);
    expect(r.ok).toBe(true);
    // The same event serialised differently: only the bytes that were signed count.
    const spaced = JSON.stringify(event, null, 2);
    expect(verifyZaloSignature(Buffer.from(spaced), signZaloEvent(spaced, APP_ID, event.timestamp, SECRET), SECRET).ok).toBe(true);
    expect(verifyZaloSignature(Buffer.from(spaced), header, SECRET)).toEqual({ ok: false, reason: 'mismatch' });
    // Upper-case hex is the same MAC.
    expect(verifyZaloSignature(Buffer.from(raw), header.toUpperCase().replace('MAC=', 'mac='), SECRET).ok).toBe(true);
  });

  it('rejects a missing, malformed, forged or other-secret signature', () => {
    const good = signZaloEvent(raw, APP_ID, event.timestamp, SECRET);
    expect(verifyZaloSignature(Buffer.from(raw), undefined, SECRET)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyZaloSignature(Buffer.from(raw), '', SECRET)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyZaloSignature(Buffer.from(raw), 'mac=xyz', SECRET)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyZaloSignature(Buffer.from(raw), 'mac=' + 'a'.repeat(64), SECRET)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyZaloSignature(Buffer.from(raw), signZaloEvent(raw, APP_ID, event.timestamp, 'app-secret'), SECRET).ok).toBe(false);
    expect(verifyZaloSignature(Buffer.from(raw), good, SECRET + 'x').ok).toBe(false);
    expect(verifyZaloSignature(Buffer.from(raw.replace('Xin chào', 'Xin chao')), good, SECRET).ok).toBe(false);
    expect(verifyZaloSignature(Buffer.from('not json'), good, SECRET)).toEqual({ ok: false, reason: 'not_event' });
    expect(verifyZaloSignature(Buffer.from('{"x":1}'), good, SECRET)).toEqual({ ok: false, reason: 'not_event' });
  });

  it('reads app_id and timestamp from the raw bytes at the top level only, as the parser would', () => {
    const fields = (raw: string) => {
      const shape = scanJson(Buffer.from(raw), 16, ['app_id', 'timestamp']);
      return shape.ok ? shape.fields : shape.reason;
    };
    expect(fields('{"app_id":"1","timestamp":"2"}')).toEqual({ app_id: '1', timestamp: '2' });
    expect(fields(' {\n "timestamp" :\t1732071600000 , "app_id": 3451287705938471234 }\n')).toEqual({ app_id: '3451287705938471234', timestamp: '1732071600000' });
    // Nested keys, keys inside strings and escaped look-alikes are not the envelope's.
    expect(fields('{"message":{"timestamp":"9","text":"\\"app_id\\":\\"x\\""},"app_id":"1","timestamp":"2"}')).toEqual({ app_id: '1', timestamp: '2' });
    expect(fields('{"a":["timestamp","app_id"],"x":{"app_id":"9"}}')).toEqual({});
    expect(fields('[{"app_id":"1"}]')).toBe('not_object');
    expect(fields('{"app_id":"1"} {}')).toBe('not_object');
    expect(fields('{"app_id":"1')).toBe('unterminated');
    expect(fields(`{"x":${'['.repeat(16)}${']'.repeat(16)}}`)).toBe('too_deep');
    // Whatever the scan reads, the parsed event must carry the same values, or it is refused.
    const dup = '{"app_id":"1","timestamp":"2","timestamp":"3"}';
    expect(verifyZaloSignature(Buffer.from(dup), signZaloEvent(dup, '1', '2', SECRET), SECRET)).toEqual({ ok: false, reason: 'not_event' });
  });

  it('keeps ids above 2^53 as exact strings even if sent as bare numbers', () => {
    const v = parseEventJson(`{"sender":{"id":${BIG_USER_ID}},"n":12,"f":-0.12345678901234567891,"s":"a ${BIG_USER_ID}, b","arr":[${BIG_USER_ID}]}`) as Record<string, any>;
    expect(v.sender.id).toBe(BIG_USER_ID);
    expect(v.arr[0]).toBe(BIG_USER_ID);
    expect(v.n).toBe(12);
    expect(v.s).toBe(`a ${BIG_USER_ID}, b`);
    expect(typeof v.f).toBe('number');
    // Through the webhook's path too: a signed event with a bare big sender id.
    const raw = `{"app_id":"${APP_ID}","timestamp":"1","sender":{"id":${BIG_USER_ID}}}`;
    const checked = verifyZaloSignature(Buffer.from(raw), signZaloEvent(raw, APP_ID, '1', SECRET), SECRET);
    expect(checked.ok && (checked.event.sender as { id: unknown }).id).toBe(BIG_USER_ID);
  });
});

describe('zalo event normalisation', () => {
  it('text, with ids kept as strings; our button payloads become payloads', () => {
    const n = normaliseEvent(ev.userSendText({ text: '  chào bạn ' }));
    expect(n).toMatchObject({ kind: 'message', inbound: { channel: 'zalo', userId: BIG_USER_ID, text: '  chào bạn ' } });
    for (const p of ['s|who|code', 'go|register', 'cmd|lang|en', 'cmd|menu', 's|areas|__done']) {
      const b = normaliseEvent(ev.userSendText({ text: p }));
      expect(b.kind === 'message' && b.inbound.payload).toBe(p);
      expect(b.kind === 'message' && b.inbound.text).toBeUndefined();
    }
    expect(isOurPayload('s|x')).toBe(false);
    expect(isOurPayload('go|a b')).toBe(false);
    const typed = normaliseEvent(ev.userSendText({ text: 'go|register please' }));
    expect(typed.kind === 'message' && typed.inbound.text).toBe('go|register please');
  });

  it('files, images, links, stickers, locations, audio, gif', () => {
    const f = normaliseEvent(ev.userSendFile({ url: 'https://f.zdn.vn/a.pdf', name: 'Tờ trình.pdf', size: 1234 }));
    expect(f).toMatchObject({ kind: 'message', inbound: { attachments: [{ kind: 'file', name: 'Tờ trình.pdf', size: 1234, mime: 'application/pdf', ref: 'https://f.zdn.vn/a.pdf' }] } });
    const i = normaliseEvent(ev.userSendImage({ url: 'https://photo.zdn.vn/x.jpg', text: 'ảnh chụp' }));
    expect(i).toMatchObject({ inbound: { text: 'ảnh chụp', attachments: [{ kind: 'image', ref: 'https://photo.zdn.vn/x.jpg' }] } });
    const l = normaliseEvent(ev.userSendLink({ url: 'https://example.vn/tin' }));
    expect(l).toMatchObject({ inbound: { text: 'https://example.vn/tin', attachments: [{ kind: 'link' }] } });
    const s = normaliseEvent(ev.userSendSticker({}));
    expect(s).toMatchObject({ inbound: { attachments: [{ kind: 'sticker' }] } });
    expect(s.kind === 'message' && s.inbound.text).toBeUndefined();
    expect(normaliseEvent(ev.userSendLocation({ latitude: 21.0, longitude: 105.8 }))).toMatchObject({ inbound: { attachments: [{ kind: 'location' }] } });
    expect(normaliseEvent(ev.userSendAudio({ url: 'https://a.zdn.vn/v.aac' }))).toMatchObject({ inbound: { attachments: [{ kind: 'audio' }] } });
    expect(normaliseEvent(ev.userSendGif({ url: 'https://a.zdn.vn/g.gif' }))).toMatchObject({ inbound: { attachments: [{ kind: 'image', mime: 'image/gif' }] } });
  });

  it('follow/unfollow become engine events; dedupe keys are stable', () => {
    const f = ev.follow({ userId: BIG_USER_ID });
    const n = normaliseEvent(f);
    expect(n).toMatchObject({ kind: 'message', inbound: { userId: BIG_USER_ID, event: 'follow' } });
    expect(normaliseEvent(f)).toEqual(n);
    expect(normaliseEvent(ev.unfollow({}))).toMatchObject({ inbound: { event: 'unfollow' } });
    const t = ev.userSendText({ text: 'a', msgId: 'abc' });
    expect(normaliseEvent(t)).toMatchObject({ key: 'msg.abc', inbound: { messageId: 'abc' } });
    expect(jobIdOf('follow.123.456')).toBe('z-follow.123.456');
    expect(jobIdOf('a:b')).not.toContain(':');
  });

  it('echoes, receipts, anonymous chat and unknown events are ignored; submit_info carries the phone', () => {
    expect(normaliseEvent(ev.oaSendText({ text: 'x' })).kind).toBe('ignore');
    expect(normaliseEvent(ev.delivery({ msgIds: ['a'] })).kind).toBe('ignore');
    expect(normaliseEvent(ev.delivery({ msgIds: ['a'], seen: true })).kind).toBe('ignore');
    expect(normaliseEvent({ ...ev.userSendText({ text: 'x' }), event_name: 'anonymous_send_text' }).kind).toBe('ignore');
    expect(normaliseEvent({ ...ev.userSendText({ text: 'x' }), event_name: 'add_user_to_tag' }).kind).toBe('ignore');
    expect(normaliseEvent(null).kind).toBe('ignore');
    expect(normaliseEvent({ event_name: 'user_send_text', sender: { id: '1' } }).kind).toBe('ignore');
    expect(normaliseEvent(ev.userSubmitInfo({ info: { name: 'An', phone: '0912345678' } }))).toMatchObject({
      kind: 'submit_info',
      userId: BIG_USER_ID,
      info: { phone: '0912345678' },
    });
    expect(ZaloPhones.normalise('0912 345 678')).toBe('84912345678');
    expect(ZaloPhones.normalise('+84912345678')).toBe('84912345678');
    expect(ZaloPhones.normalise('84 3 1234 5678')).toBe('84312345678');
    expect(ZaloPhones.normalise('024 3825 1234')).toBeNull();
    expect(ZaloPhones.normalise('abc')).toBeNull();
  });
});

describe('zalo rendering', () => {
  it('splits long text at ≤ 2000 characters on natural breaks, losing nothing', () => {
    const para = 'Chỉ tiêu chuyển đổi số cấp xã. '.repeat(40).trim();
    const text = [para, para, para, para].join('\n\n');
    const parts = splitText(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(2000);
    expect(parts.join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));
    const noSpaces = '😀'.repeat(1500);
    const hard = splitText(noSpaces);
    for (const p of hard) {
      expect(p.length).toBeLessThanOrEqual(2000);
      expect(p).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
    }
    expect(hard.join('')).toBe(noSpaces);
  });

  it('choices: always numbered text; ≤ 5 → hidden-query buttons with our payloads', () => {
    const parts = renderReply({ text: 'Chọn', choices: [{ payload: 's|who|code', label: 'Có mã mời' }, { payload: 's|who|individual', label: 'Cá nhân' }] }, 'vi');
    expect(parts).toHaveLength(1);
    const p = parts[0]!;
    expect(p.kind === 'text' && p.text).toBe('Chọn\n\n1. Có mã mời\n2. Cá nhân');
    expect(p.kind === 'text' && p.buttons).toEqual([
      { title: '1. Có mã mời', type: 'oa.query.hide', payload: 's|who|code' },
      { title: '2. Cá nhân', type: 'oa.query.hide', payload: 's|who|individual' },
    ]);
    expect(csMessage(p as Extract<typeof p, { kind: 'text' }>)).toEqual({ text: 'Chọn\n\n1. Có mã mời\n2. Cá nhân', attachment: { type: 'template', payload: { buttons: (p as any).buttons } } });
  });

  it('6–10 choices: 5 buttons on the message, the rest on one more; > 10: paged, every number in the text', () => {
    const choices = (n: number) => Array.from({ length: n }, (_, i) => ({ payload: `go|f${i}`, label: `Mục ${i + 1}` }));
    const seven = renderReply({ text: 'Menu', choices: choices(7) }, 'vi');
    expect(seven).toHaveLength(2);
    expect(seven[0]!.kind === 'text' && seven[0]!.buttons?.length).toBe(5);
    expect(seven[0]!.kind === 'text' && seven[0]!.text).toContain('7. Mục 7');
    expect(seven[1]).toMatchObject({ kind: 'text', text: 'Lựa chọn khác:' });
    expect(seven[1]!.kind === 'text' && seven[1]!.buttons?.map((b) => b.title)).toEqual(['6. Mục 6', '7. Mục 7']);
    expect(renderReply({ text: 'Menu', choices: choices(7) }, 'en')[1]).toMatchObject({ text: 'More choices:' });
    const many = renderReply({ text: 'Đơn vị', choices: choices(12) }, 'vi');
    expect(many).toHaveLength(1);
    // Issue #13 item 3: a page of 3 and "Trang sau" (the engine keeps the page: reply.page).
    expect(many[0]!.kind === 'text' && many[0]!.buttons?.map((b) => b.title)).toEqual(['1. Mục 1', '2. Mục 2', '3. Mục 3', 'Trang sau']);
    expect(many[0]!.kind === 'text' && many[0]!.text).toContain('12. Mục 12');
    const long = renderReply({ text: 'x', choices: [{ payload: 'go|a', label: 'Đ'.repeat(300) }] }, 'vi');
    expect(long[0]!.kind === 'text' && [...long[0]!.buttons![0]!.title].length).toBe(100);
  });

  it('buttons ride on the last piece of a long text; a file comes after the text', () => {
    const parts = renderReply({ text: 'a '.repeat(1500), choices: [{ payload: 'cmd|menu', label: 'Menu' }], file: { path: 'x.pdf', name: 'x.pdf', mime: 'application/pdf' } }, 'vi');
    expect(parts.map((p) => p.kind)).toEqual(['text', 'text', 'file']);
    expect(parts[0]!.kind === 'text' && parts[0]!.buttons).toBeUndefined();
    expect(parts[1]!.kind === 'text' && parts[1]!.buttons?.length).toBe(1);
  });
});

describe('zalo answer codes', () => {
  it('maps error codes in HTTP 200 bodies to outcomes', () => {
    expect(outcomeOf({ error: 0, message: 'Success', data: { message_id: 'm1' } })).toEqual({ ok: true, platformMessageId: 'm1' });
    expect(outcomeOf({ error: -32, message: 'Your application reached limit call api' })).toMatchObject({ ok: false, kind: 'rate_limited', retryAfterMs: 30_000 });
    expect(outcomeOf({ error: -230, message: 'User has not interacted with the OA in the past 7 days' })).toEqual({ ok: false, kind: 'unreachable', reason: 'zalo_window' });
    expect(outcomeOf({ error: -232, message: '' })).toMatchObject({ kind: 'unreachable', reason: 'zalo_window' });
    expect(outcomeOf({ error: -213, message: 'User has not followed OA' })).toMatchObject({ kind: 'unreachable', reason: 'zalo_not_follower' });
    expect(outcomeOf({ error: -234, message: '' }, new Date('2024-12-05T23:10:00+07:00'))).toMatchObject({ kind: 'deferred', reason: 'zalo_night', retryAt: new Date('2024-12-06T06:05:00+07:00') });
    expect(outcomeOf({ error: -211, message: 'Out of quota' })).toMatchObject({ kind: 'config', reason: 'zalo -211: Out of quota' });
    expect(outcomeOf({ error: -201, message: 'text cannot exceed 2000 characters' })).toMatchObject({ kind: 'config' });
    expect(outcomeOf({ error: -220, message: 'expired' })).toMatchObject({ kind: 'config' });
    expect(outcomeOf({ error: -99999, message: 'new' })).toMatchObject({ kind: 'config' });
  });
});

describe('zalo configuration', () => {
  it('is off without credentials; with any, it needs app id, app secret and OA secret key together', () => {
    expect(zaloEnabled(parseConfig({}))).toBe(false);
    expect(parseConfig({}).ZALO_ZNS_BASE).toBe('https://business.openapi.zalo.me');
    expect(() => parseConfig({ ZALO_REFRESH_TOKEN: 'x' })).toThrow(/ZALO_APP_ID must be set/);
    expect(() => parseConfig({ ZALO_APP_ID: '1', ZALO_APP_SECRET: 's' })).toThrow(/ZALO_OA_SECRET_KEY must be set/);
    const c = parseConfig({ ZALO_APP_ID: '1', ZALO_APP_SECRET: 's', ZALO_OA_SECRET_KEY: 'k' });
    expect(zaloEnabled(c)).toBe(true);
    expect(() => parseConfig({ ZALO_APP_ID: '1', ZALO_APP_SECRET: 's', ZALO_OA_SECRET_KEY: 'k', ZALO_ZNS_BASE: 'nope' })).toThrow(/ZALO_ZNS_BASE/);
  });
});
