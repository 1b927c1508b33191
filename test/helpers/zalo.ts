import type { AddressInfo } from 'node:net';
import type { ProcessedEvent } from '../../src/channels/zalo/inbound.js';
import { normaliseEvent } from '../../src/channels/zalo/events.js';
import { postZaloEvent, zaloEvents, type PostZaloEventOptions, type ZaloEvent, type ZaloEventFactory } from '../fakes/zalo-events.js';
import { startFakeZalo, type FakeZalo, type FakeZaloOptions, type SentZaloMessage } from '../fakes/zalo-openapi.js';
import { startBot, type TestBot } from './bot.js';

export const ZALO_APP_ID = '3451287705938471234';
export const ZALO_APP_SECRET = 'zalo-app-secret-for-tests';
export const ZALO_OA_SECRET = 'zalo-oa-secret-key-for-tests';
export const ZALO_RT0 = 'zalo-bootstrap-refresh-token-0001';

export interface ZaloTestBot {
  bot: TestBot;
  fake: FakeZalo;
  ev: ZaloEventFactory;
  /** http://127.0.0.1:PORT/webhooks/zalo */
  webhook: string;
  post(event: ZaloEvent, opts?: PostZaloEventOptions): Promise<{ status: number; body: string; elapsedMs: number }>;
  /** Posts a correctly signed event (200 expected) and waits until the worker has processed it. */
  deliver(event: ZaloEvent): Promise<ProcessedEvent>;
  /** A user_send_text; returns the messages the fake received for that user meanwhile. */
  say(userId: string, text: string): Promise<SentZaloMessage[]>;
  /** Sends an event and returns the messages the fake received for that user meanwhile. */
  send(userId: string, event: ZaloEvent): Promise<SentZaloMessage[]>;
  /** Presses (sends back the payload of) the button whose title contains `label`. */
  press(userId: string, sent: SentZaloMessage[], label: string): Promise<SentZaloMessage[]>;
  text(sent: SentZaloMessage[]): string;
  restart(opts?: { worker?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export function buttonPayload(sent: SentZaloMessage[], label: string): string {
  for (const m of [...sent].reverse()) {
    const b = m.buttons?.find((x) => String(x.title).includes(label));
    if (b) return String(b.payload);
  }
  throw new Error(`no button "${label}" in ${JSON.stringify(sent.map((m) => m.buttons?.map((b) => b.title)))}`);
}

/** The full app (startBot) with ZALO_* pointing at a fake Zalo, listening on a free port. */
export async function startZaloBot(
  preset: string,
  opts: { now?: Date; fake?: Partial<FakeZaloOptions>; env?: Record<string, string>; prefix?: string; demoPeople?: boolean; app?: NonNullable<Parameters<typeof startBot>[1]>['app'] } = {},
): Promise<ZaloTestBot> {
  const fake = await startFakeZalo({
    appId: ZALO_APP_ID,
    appSecret: ZALO_APP_SECRET,
    oaSecretKey: ZALO_OA_SECRET,
    initialRefreshToken: ZALO_RT0,
    ...opts.fake,
  });
  const bot = await startBot(preset, {
    demoPeople: opts.demoPeople ?? true,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.prefix ? { prefix: opts.prefix } : {}),
    ...(opts.app ? { app: opts.app } : {}),
    env: {
      ZALO_APP_ID,
      ZALO_APP_SECRET,
      ZALO_OA_SECRET_KEY: ZALO_OA_SECRET,
      ZALO_REFRESH_TOKEN: ZALO_RT0,
      ZALO_API_BASE: fake.apiBase,
      ZALO_OAUTH_BASE: fake.oauthBase,
      ZALO_ZNS_BASE: fake.znsBase,
      // Attachments come from the fake's CDN on loopback: it must be listed (src/download.ts).
      ZALO_FILE_HOSTS: new URL(fake.filesBase).host,
      ...opts.env,
    },
  });
  // Events are stamped by the app's clock, as Zalo's would be by real time (the replay window compares the two).
  const ev = zaloEvents({ appId: ZALO_APP_ID, oaId: fake.oaId, now: () => bot.clock.now.getTime() });
  let webhook = '';
  const listen = async () => {
    const server = await bot.app.listen();
    webhook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/zalo`;
  };
  await listen();

  const z: ZaloTestBot = {
    bot,
    fake,
    ev,
    get webhook() {
      return webhook;
    },
    async post(event, o) {
      try {
        return await postZaloEvent(webhook, event, ZALO_OA_SECRET, o);
      } catch (err) {
        // fetch reused a keep-alive socket the server had just closed (idle > 5 s): the request
        // never arrived; send it again, as Zalo would.
        if ((err as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw err;
        return postZaloEvent(webhook, event, ZALO_OA_SECRET, o);
      }
    },
    async deliver(event) {
      const n = normaliseEvent(event);
      if (n.kind === 'ignore') throw new Error(`event would be ignored: ${n.reason}`);
      const inbound = bot.app.zalo!.inbound;
      const done = new Promise<ProcessedEvent>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`event ${n.key} not processed in 15 s`)), 15_000);
        const on = (p: ProcessedEvent) => {
          if (p.key !== n.key) return;
          clearTimeout(timer);
          inbound.events.off('processed', on);
          resolve(p);
        };
        inbound.events.on('processed', on);
      });
      const r = await z.post(event);
      if (r.status !== 200) throw new Error(`webhook answered ${r.status}: ${r.body}`);
      return done;
    },
    async send(userId, event) {
      const before = fake.sentTo(userId).length;
      await z.deliver(event);
      return fake.sentTo(userId).slice(before);
    },
    say: (userId, text) => z.send(userId, ev.userSendText({ userId, text })),
    press: (userId, sent, label) => z.say(userId, buttonPayload(sent, label)),
    text: (sent) => sent.map((m) => m.text ?? `[${m.attachmentType ?? m.endpoint}]`).join('\n'),
    async restart(o = {}) {
      await bot.restart();
      if (o.worker === false) await bot.app.zalo!.inbound.stop();
      await listen();
    },
    async close() {
      await bot.close();
      await fake.close();
    },
  };
  return z;
}
