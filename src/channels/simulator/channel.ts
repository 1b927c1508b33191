import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Engine } from '../../engine/engine.js';
import { CHARTS_DIR, FilesFullError, UPLOADS_DIR, type FileStore } from '../../files.js';
import { choicesNumbered } from '../../engine/pages.js';
import type { Inbound, InboundAttachment, Reply } from '../../engine/types.js';
import type { OutboundChannel, SendOutcome } from '../types.js';
import { realClock } from '../../clock.js';

export interface TranscriptEntry {
  from: 'user' | 'bot';
  at: string;
  text: string;
  choices?: { payload: string; label: string }[];
  /** The choices are shown numbered (src/engine/pages.ts). */
  numbered?: boolean;
  file?: string;
  /** A picture shown in the chat (a chart): its URL under /sim/api/image/. */
  image?: string;
  expectsFile?: boolean;
}

const TRANSCRIPT_MAX = 300;
const SENT_TTL_S = 35 * 86_400;

/** Appends a transcript entry unless this idempotency key was delivered before. */
const SEND_ONCE_LUA = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[3]) then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
  return 1
end
return 0
`;

/** The name a picture the page may show is served under: a chart written to DATA_DIR/charts. */
const IMAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.png$/;
const imageOf = (file: Reply['file']): string | undefined => {
  if (!file?.inline || file.mime !== 'image/png') return undefined;
  const name = path.basename(file.path);
  return path.normalize(file.path) === path.join(CHARTS_DIR, name) && IMAGE_NAME.test(name) ? `/sim/api/image/${name}` : undefined;
};

const botEntry = (reply: Reply, at: Date): TranscriptEntry => {
  const image = imageOf(reply.file);
  return {
    from: 'bot',
    at: at.toISOString(),
    text: reply.text,
    choices: reply.choices,
    ...(reply.choices?.length && { numbered: choicesNumbered(reply) }),
    expectsFile: reply.expectsFile,
    file: reply.file?.name,
    ...(image && { image }),
  };
};

/**
 * The local chat simulator: a channel like Telegram or Zalo, but the "platform" is our
 * own web page or terminal. Transcripts live in Redis so reminders sent by jobs show up too.
 */
export class SimulatorChannel implements OutboundChannel {
  readonly channel = 'sim' as const;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly dataDir: string,
    private readonly engine: Engine,
    /** Uploads count towards its global cap (FILES_MAX_MB). */
    private readonly files?: FileStore,
    /** The simulator is the demo's platform: its messages carry the campaign clock's time (the demo clock). */
    private readonly now: () => Date = realClock.now,
  ) {}

  private logKey(userId: string) {
    return `${this.prefix}:sim:log:${userId}`;
  }

  private uploadPath(id: string) {
    return path.join(this.dataDir, UPLOADS_DIR, id);
  }

  /** Reads an uploaded file back for the engine (attachment.ref is the upload id). */
  readonly fetch = async (a: InboundAttachment): Promise<Buffer> => {
    if (!a.ref || !/^[0-9a-f-]{36}$/.test(a.ref)) throw new Error('bad upload id');
    return fs.readFile(this.uploadPath(a.ref));
  };

  /** The file behind a transcript's `image` URL (a chart under DATA_DIR/charts); null for any other name. */
  imageFile(name: string): string | null {
    return IMAGE_NAME.test(name) ? path.join(path.resolve(this.dataDir), CHARTS_DIR, name) : null;
  }

  /** Stores an upload for a later message; FilesFullError past the global cap (FILES_MAX_MB). */
  async upload(bytes: Buffer): Promise<string> {
    if (this.files && !(await this.files.hasRoom(bytes.length))) throw new FilesFullError();
    const id = randomUUID();
    await fs.mkdir(path.dirname(this.uploadPath(id)), { recursive: true });
    await fs.writeFile(this.uploadPath(id), bytes);
    this.files?.wrote(bytes.length);
    return id;
  }

  /** Delivers one user message to the engine and records both sides of the exchange. */
  async receive(
    userId: string,
    input: { text?: string; payload?: string; label?: string; upload?: { id: string; name: string; size: number } },
    messageId: string = randomUUID(),
  ): Promise<Reply[]> {
    const attachments: InboundAttachment[] | undefined = input.upload
      ? [{ kind: 'file', name: input.upload.name, size: input.upload.size, ref: input.upload.id }]
      : undefined;
    const inbound: Inbound = { channel: 'sim', userId, messageId, text: input.text, payload: input.payload, attachments, at: this.now() };
    const result = await this.engine.handle(inbound);
    if (result.duplicate) return [];
    await this.record(userId, { from: 'user', at: inbound.at.toISOString(), text: input.label ?? input.text ?? '', file: input.upload?.name });
    for (const r of result.replies) await this.deliver(userId, r);
    return result.replies;
  }

  /**
   * The outbox's path: messages the jobs send (reminders, broadcasts) land in the transcript.
   * With an idempotency key this "platform" drops a repeat itself: the key and the
   * transcript entry are written by one script, so a worker that dies between the send
   * and recording it never makes a message appear twice here (Telegram and Zalo offer
   * no such key; there the outbox can only narrow the window).
   */
  async send(userId: string, reply: Reply, opts: { idempotencyKey?: string } = {}): Promise<SendOutcome> {
    if (!opts.idempotencyKey) {
      await this.deliver(userId, reply);
      return { ok: true };
    }
    const sentKey = `${this.prefix}:sim:sent:${opts.idempotencyKey}`;
    await this.redis.eval(SEND_ONCE_LUA, 2, sentKey, this.logKey(userId), JSON.stringify(botEntry(reply, this.now())), TRANSCRIPT_MAX, SENT_TTL_S);
    return { ok: true };
  }

  /** Outbound path for replies and for messages the jobs send (reminders, broadcasts). */
  async deliver(userId: string, reply: Reply): Promise<void> {
    await this.record(userId, botEntry(reply, this.now()));
  }

  private async record(userId: string, entry: TranscriptEntry) {
    await this.redis.multi().rpush(this.logKey(userId), JSON.stringify(entry)).ltrim(this.logKey(userId), -TRANSCRIPT_MAX, -1).exec();
  }

  async transcript(userId: string, from = 0): Promise<TranscriptEntry[]> {
    const raw = await this.redis.lrange(this.logKey(userId), from, -1);
    return raw.map((r) => JSON.parse(r) as TranscriptEntry);
  }
}
