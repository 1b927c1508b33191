import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject, describe, expect, it } from 'vitest';
import { PROCESS_TEST_TIMEOUT, runSync } from '../helpers/process.js';

describe('npm run chat (terminal simulator)', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  it('plays a registration from piped input', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-chat-'));
    const out = runSync('src/cli/chat.ts', [], {
      input: '1\nmenu\n1\n1,2\nbo qua\nxac nhan\n/quit\n',
      env: { ...process.env, REDIS_URL: inject('redisUrl'), DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    });
    expect(out.stderr).toBe('');
    expect(out.stdout).toContain('Chọn người dùng');
    expect(out.stdout).toContain('Kiểm tra lại đăng ký thi đua năm 2024');
    expect(out.stdout).toContain('Đã ghi nhận đăng ký thi đua năm 2024');
    expect(out.status).toBe(0);
  });
});

describe('npm run chat: the demo clock', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  it('/ngay lists the campaign dates; /ngay <day> moves the clock and shows the reminder that arrives; a bad day is answered', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-chat-'));
    const out = runSync('src/cli/chat.ts', [], {
      // The officer; the dates; a bad day; 28/11/2024, when the registration (due 30/11/2024) is in its D-7 reminder.
      input: '1\n/ngay\n/ngay 31/02/2024\n/ngay 28/11/2024\n/quit\n',
      env: { ...process.env, REDIS_URL: inject('redisUrl'), DATA_DIR: dataDir, STORE_PREFIX: `chat${path.basename(dataDir).slice(-6)}`, LOG_LEVEL: 'silent' },
    });
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/Ngày giả lập: \d\d\/\d\d\/\d{4} \(hôm nay\)/);
    expect(out.stdout).toMatch(/\[\d+\] D-7 hạn hồ sơ năm 2024 \(28\/11\/2024\)/);
    expect(out.stdout).toContain('Ngày chưa đúng');
    expect(out.stdout).toContain('Ngày giả lập: 28/11/2024\nĐã chuyển sang 08:00 28/11/2024.');
    expect(out.stdout).toMatch(/🤖 ⏰ Nhắc hạn: .*đăng ký.*hết ngày 30\/11\/2024 \(còn 2 ngày\)/);
    expect(out.status).toBe(0);
  });
});
