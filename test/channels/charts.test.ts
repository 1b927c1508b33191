import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { TranscriptEntry } from '../../src/channels/simulator/channel.js';
import { startBot } from '../helpers/bot.js';
import { addIdentity, stopAfterEach, unitByCode } from '../helpers/jobs.js';
import { decodePng } from '../helpers/png.js';
import { joinOnTelegram, startTelegramBot, textOf } from '../helpers/telegram.js';
import { startZaloBot } from '../helpers/zalo.js';

/** /thongke's chart as each platform shows it: a photo on Telegram, an uploaded image on Zalo, an <img> in the simulator. */
describe('the /thongke chart on every channel', () => {
  const track = stopAfterEach();

  it('Telegram: the text, then the chart as a photo (multipart sendPhoto with its caption); Telegram answers with its sizes', async () => {
    const STAFF = 6001;
    const t = track(await startTelegramBot());
    await joinOnTelegram(t, STAFF, 'staff', (await unitByCode(t.bot.app, 'TN-DH')).id);
    const m = await t.send(t.tg.command({ userId: STAFF, command: 'thongke' }), STAFF);
    expect(textOf(m[0]!)).toMatch(/Thống kê năm 2024 — \d+ đơn vị/);
    const photo = m.find((x) => 'photo' in x && x.photo)!;
    expect(textOf(photo)).toContain('Biểu đồ thống kê năm 2024');
    const calls = t.fake.callsOf('sendPhoto');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.files).toEqual([expect.objectContaining({ filename: 'bieu-do-thong-ke-2024.png' })]);
    expect(t.fake.callsOf('sendDocument')).toEqual([]);
    // The fake decoded the upload as Telegram does: its largest size is the PNG's own.
    const sizes = (photo as { photo: { file_id: string; width: number; height: number }[] }).photo;
    const stored = t.fake.getStoredFile(sizes.at(-1)!.file_id)!;
    const png = decodePng(stored.data);
    expect(sizes.at(-1)).toMatchObject({ width: png.width, height: png.height });
    expect(sizes.length).toBeGreaterThan(1);
    expect(stored.data.length).toBeLessThan(1024 * 1024);
  });

  it('Zalo: the caption, then the PNG uploaded through /v2.0/oa/upload/image and sent as an image attachment', async () => {
    const z = track(await startZaloBot('binh-thanh-2024', { now: new Date('2024-11-20T03:00:00Z') }));
    const user = '8461230000000001';
    await addIdentity(z.bot.app, 'zalo', user, { role: 'staff', unitCode: 'TN-DH' });
    const sent = await z.say(user, '/thongke');
    expect(z.text(sent)).toMatch(/Thống kê năm 2024 — \d+ đơn vị/);
    expect(z.text(sent)).toContain('Biểu đồ thống kê năm 2024');
    const upload = z.fake.uploads.at(-1)!;
    expect(upload).toMatchObject({ kind: 'image', filename: 'bieu-do-thong-ke-2024.png' });
    expect(upload.size).toBeLessThan(1024 * 1024);
    decodePng(upload.data);
    const image = sent.find((m) => m.attachmentType === 'media')!;
    expect(image.message).toEqual({ attachment: { type: 'template', payload: { template_type: 'media', elements: [{ media_type: 'image', attachment_id: upload.id }] } } });
    // Right after its caption.
    expect(sent[sent.indexOf(image) - 1]!.text).toContain('Biểu đồ thống kê năm 2024');
  });

  it('simulator: the transcript shows the chart as an image the page can load; no other path is served', async () => {
    const bot = track(await startBot('binh-thanh-2024', { now: new Date('2024-11-20T03:00:00Z') }));
    const base = `http://127.0.0.1:${((await bot.app.listen()).address() as AddressInfo).port}`;
    const r = await fetch(`${base}/sim/api/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'can-bo-theo-doi', text: '/thongke' }) });
    expect(r.status).toBe(200);
    const log = (await (await fetch(`${base}/sim/api/transcript?user=can-bo-theo-doi`)).json()) as TranscriptEntry[];
    const entry = log.find((e) => e.image)!;
    expect(entry.text).toContain('Biểu đồ thống kê năm 2024');
    expect(entry.image).toMatch(/^\/sim\/api\/image\/binh-thanh-2024-[0-9a-f]{24}-bieu-do-thong-ke-2024\.png$/);
    const img = await fetch(base + entry.image);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    decodePng(Buffer.from(await img.arrayBuffer()));
    for (const bad of ['..%2F..%2Fpackage.json', '..%2Fredis%2Fdump.rdb', 'x.svg', '%2Fetc%2Fpasswd'])
      expect((await fetch(`${base}/sim/api/image/${bad}`)).status, bad).toBe(404);
    // The page draws it as an <img>.
    const page = await (await fetch(`${base}/`)).text();
    expect(page).toContain("img.src = e.image");
  });
});
