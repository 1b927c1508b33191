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
