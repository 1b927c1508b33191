import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.js';

describe('configuration contract', () => {
  it('runs with no environment at all (simulator, embedded Redis)', () => {
    const c = parseConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.TELEGRAM_MODE).toBe('webhook');
    expect(c.TELEGRAM_API_ROOT).toBe('https://api.telegram.org');
    expect(c.ZALO_API_BASE).toBe('https://openapi.zalo.me');
    expect(c.ZALO_OAUTH_BASE).toBe('https://oauth.zaloapp.com');
    expect(c.ADMINS).toEqual([]);
    expect(c.dataDir.endsWith('data')).toBe(true);
  });

  it('names the variable and what is expected when a value is invalid', () => {
    expect(() => parseConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => parseConfig({ PORT: 'abc' })).toThrow(/^Invalid configuration: PORT must be/);
    expect(() => parseConfig({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => parseConfig({ TELEGRAM_MODE: 'push' })).toThrow(/TELEGRAM_MODE/);
    expect(() => parseConfig({ ADMINS: 'telegram:1,bob' })).toThrow(/ADMINS must be a comma-separated list/);
  });

  it('file limits: download hosts, quotas and retention have defaults and refuse nonsense', () => {
    const c = parseConfig({});
    expect([c.ZALO_FILE_HOSTS, c.UPLOAD_MB_PER_DAY, c.FILES_MAX_MB, c.FILE_RETENTION_DAYS, c.EXPORT_RETENTION_DAYS]).toEqual([undefined, 100, 10_240, 30, 7]);
    expect(parseConfig({ ZALO_FILE_HOSTS: 'f.zdn.vn, 127.0.0.1:8080' }).ZALO_FILE_HOSTS).toBe('f.zdn.vn, 127.0.0.1:8080');
    expect(() => parseConfig({ ZALO_FILE_HOSTS: 'http://f.zdn.vn/' })).toThrow(/ZALO_FILE_HOSTS must be a comma-separated list of host or host:port/);
    expect(() => parseConfig({ FILE_RETENTION_DAYS: '0' })).toThrow(/FILE_RETENTION_DAYS/);
    expect(() => parseConfig({ UPLOAD_MB_PER_DAY: '-1' })).toThrow(/UPLOAD_MB_PER_DAY/);
  });

  it('requires the webhook secret when Telegram runs in webhook mode', () => {
    expect(() => parseConfig({ TELEGRAM_BOT_TOKEN: '123:abc' })).toThrow(/TELEGRAM_WEBHOOK_SECRET must be required/);
    expect(parseConfig({ TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_MODE: 'polling' }).TELEGRAM_MODE).toBe('polling');
  });

  it('the simulator is on by default only without a platform token; next to one it needs SIMULATOR_PASSWORD', () => {
    expect(parseConfig({}).SIMULATOR).toBe('on');
    expect(parseConfig({ TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_MODE: 'polling' }).SIMULATOR).toBe('off');
    expect(parseConfig({ ZALO_APP_ID: '1', ZALO_APP_SECRET: 's', ZALO_OA_SECRET_KEY: 'k' }).SIMULATOR).toBe('off');
    const tg = { TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_MODE: 'polling', SIMULATOR: 'on' };
    expect(() => parseConfig(tg)).toThrow(/^Invalid configuration: SIMULATOR_PASSWORD must be set/);
    expect(() => parseConfig({ ...tg, SIMULATOR_PASSWORD: 'eleven-char' })).toThrow(/SIMULATOR_PASSWORD must be at least 12 characters/);
    expect(parseConfig({ ...tg, SIMULATOR_PASSWORD: 'twelve-chars' }).SIMULATOR).toBe('on');
    expect(parseConfig({ SIMULATOR: 'off' }).SIMULATOR).toBe('off');
  });

  it('PUBLIC_URL (the dashboard links) is an http(s) URL, kept without a trailing slash; unset by default', () => {
    expect(parseConfig({}).PUBLIC_URL).toBeUndefined();
    expect(parseConfig({ PUBLIC_URL: 'https://thidua.example.gov.vn/' }).PUBLIC_URL).toBe('https://thidua.example.gov.vn');
    expect(parseConfig({ PUBLIC_URL: 'https://example.gov.vn/thidua' }).PUBLIC_URL).toBe('https://example.gov.vn/thidua');
    expect(() => parseConfig({ PUBLIC_URL: 'thidua.example.gov.vn' })).toThrow(/PUBLIC_URL must be an http:\/\/ or https:\/\/ URL/);
    expect(() => parseConfig({ PUBLIC_URL: 'https://x.vn/?a=1' })).toThrow(/PUBLIC_URL/);
  });

  it('parses admins and treats empty strings as unset', () => {
    const c = parseConfig({ ADMINS: 'telegram:123, zalo:456', REDIS_URL: '' });
    expect(c.ADMINS).toEqual(['telegram:123', 'zalo:456']);
    expect(c.REDIS_URL).toBeUndefined();
  });
});
