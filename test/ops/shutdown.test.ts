import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROCESS_TEST_TIMEOUT, start } from '../helpers/process.js';

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('graceful shutdown of npm start (src/main.ts) as a real process', () => {
  it('SIGTERM while a request is in flight: that request completes with its replies, new ones are refused, exit code 0', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-shutdown-'));
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', DATA_DIR: dataDir, PORT: '0' };
    delete env.REDIS_URL;
    const app = start('src/main.ts', [], { env });
    const out = () => app.output().stdout + app.output().stderr;
    const port = Number((await app.waitFor(/listening on http:\/\/localhost:(\d+)\//))[1]);
    expect(port, out()).toBeGreaterThan(0);
    const redisPort = Number(/"url":"redis:\/\/127\.0\.0\.1:(\d+)"/.exec(out())?.[1]);

    // A simulator message whose body arrives slowly: the request is in flight when SIGTERM comes.
    const body = Buffer.from(JSON.stringify({ user: 'can-bo-don-vi', text: 'menu' }));
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/sim/api/send', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.write(body.subarray(0, 10));
      setTimeout(() => req.end(body.subarray(10)), 1_500);
    });
    await sleep(300);
    app.child.kill('SIGTERM');
    await app.waitFor(/"signal":"SIGTERM"/);
    expect(app.child.exitCode).toBeNull();
    // Nothing new is taken: the listener is closed (or the request is answered 503).
    const fresh = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 'refused');
    expect([503, 'refused']).toContain(fresh);

    const r = await response;
    expect(r.status).toBe(200);
    expect((JSON.parse(r.body) as { replies: unknown[] }).replies.length).toBeGreaterThan(0);
    expect(await app.exited).toBe(0);
    expect(out()).toContain('"msg":"stopped"');
    expect(await portOpen(redisPort)).toBe(false);
  }, PROCESS_TEST_TIMEOUT);
});
