import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { cli, PROCESS_TEST_TIMEOUT, start } from '../helpers/process.js';
import { ANSWERS } from '../fixtures/new-campaign.js';

/**
 * Issue 14 item 4, "done when": campaign:new → campaign:check → npm start with the new
 * file (CAMPAIGN as a path) works end to end: the simulator answers and a user registers.
 */
describe('a new campaign from campaign:new, end to end', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  it('campaign:new --answers → campaign:check exit 0 → the app started with CAMPAIGN=<file> → a hamlet officer registers', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'new-campaign-'));
    const env = { ...process.env, REDIS_URL: inject('redisUrl'), STORE_PREFIX: `nc${randomUUID().slice(0, 6)}`, DATA_DIR: path.join(dir, 'data'), PORT: '0', LOG_LEVEL: 'info' };
    fs.writeFileSync(path.join(dir, 'answers.json'), JSON.stringify(ANSWERS));
    const file = path.join(dir, 'an-binh-2026.json');
    const made = cli(['campaign:new', '--answers', path.join(dir, 'answers.json'), '--out', file], { env });
    expect(made.status, made.stdout + made.stderr).toBe(0);
    const checked = cli(['campaign:check', file], { env });
    expect(checked.status, checked.stdout).toBe(0);

    // The commune and its hamlets: a two-level tree, no district.
    fs.writeFileSync(
      path.join(dir, 'units.csv'),
      'name,level,parent,code\nUBND xã An Bình,commune,,AB\nXóm Đồng Tâm,hamlet,AB,AB-X01\nXóm Bản Quyền,hamlet,AB,AB-X02\n',
    );
    // The units go into the new campaign's store: the import records the campaign the store holds.
    const imported = cli(['units:import', path.join(dir, 'units.csv')], { env: { ...env, CAMPAIGN: file } });
    expect(imported.status, imported.stderr).toBe(0);

    const app = start('src/main.ts', [], { env: { ...env, CAMPAIGN: file } });
    try {
      const base = (await app.waitFor(/listening on (http:\/\/localhost:\d+\/)/))[1]!;
      const send = async (body: object) => {
        const r = await fetch(new URL('sim/api/send', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'can-bo-don-vi', ...body }) });
        expect(r.status).toBe(200);
        return ((await r.json()) as { replies: { text: string }[] }).replies.map((x) => x.text).join('\n');
      };
      expect(await send({ payload: 'go|register' })).toContain('Chọn các nội dung thi đua');
      expect(await send({ text: '1, 2' })).toContain('Cam kết');
      expect(await send({ text: 'Số hóa hồ sơ của xóm' })).toContain('Kiểm tra lại đăng ký thi đua năm 2026');
      expect(await send({ text: 'xác nhận' })).toContain('Đã ghi nhận đăng ký thi đua năm 2026');
      // The hamlet's standard, which the plan does not set, is stated as the standing office's guidance.
      expect(await send({ payload: 'go|report' })).toContain('Hộ gia đình dùng dịch vụ công trực tuyến (chuẩn: từ 60% trở lên; theo hướng dẫn của cơ quan thường trực)');
    } finally {
      app.child.kill('SIGTERM');
      await app.exited;
    }
  });
});
