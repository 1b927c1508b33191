import fs from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Campaign } from '../../campaign/schema.js';
import type { Identity, Lang } from '../../domain/entities.js';
import type { Reply } from '../../engine/types.js';
import { t } from '../../i18n.js';
import type { Store } from '../../store/index.js';
import type { OutboundChannel, SendOutcome, TemplateKind } from '../types.js';
import { ZaloHttpError, type ZaloApi } from './api.js';
import { outcomeOf, UPLOAD_EXPIRED_CODE, WINDOW_REASON, type ZaloAnswer } from './codes.js';
import type { ZaloPhones } from './phones.js';
import { csMessage, renderReply, type ZaloPart } from './render.js';
import { ZaloDownError, ZaloTransientError } from './tokens.js';
import { zaloWindow } from './window.js';
import { realClock } from '../../clock.js';

/** Upload limits and accepted types (docs/zalo.md §4). */
const IMAGE_UPLOAD_MAX = 1024 * 1024;
const FILE_UPLOAD_MAX = 5 * 1024 * 1024;
const FILE_TYPES: Record<string, string> = { pdf: 'application/pdf', doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', csv: 'text/csv' };
const IMAGE_TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' };

/** How long a sent mark protects an idempotency key against a second send. */
const SENT_TTL_S = 7 * 24 * 3600;

export interface ZaloChannelOptions {
  api: ZaloApi;
  redis: Redis;
  prefix: string;
  store: Store;
  campaign: Campaign;
  dataDir: string;
  phones: ZaloPhones;
  log: Logger;
  now?: () => Date;
}

/**
 * The outbound side of the Zalo OA channel. `send` applies the messaging-window policy:
 *  1. within 7 days of the user's last inbound message: consultation message(s) through
 *     /v3.0/oa/message/cs (free within 48 h, billed after: `via` says which);
 *  2. otherwise, or when Zalo answers -230/-232: the reply's `template` parameters through
 *     the campaign's UID template (/v3.0/oa/message/template), then ZNS by phone if the user
 *     shared a phone with consent;
 *  3. otherwise `unreachable` with reason 'zalo_window' and the identity marked unreachable
 *     (the engine clears that when the user writes again), so reports and staff see it.
 * With an idempotency key, every part already delivered is skipped on a retry. `firstTry`
 * says nothing under that key was ever tried (a reply just computed): the check is skipped,
 * the marks are still written.
 */
export class ZaloChannel implements OutboundChannel {
  readonly channel = 'zalo' as const;
  private readonly now: () => Date;

  constructor(private readonly opts: ZaloChannelOptions) {
    this.now = opts.now ?? realClock.now;
  }

  async send(userId: string, reply: Reply, opts: { idempotencyKey?: string; firstTry?: boolean } = {}): Promise<SendOutcome> {
    let outcome: SendOutcome;
    try {
      outcome = await this.deliver(userId, reply, opts.idempotencyKey, !opts.firstTry);
    } catch (err) {
      outcome = this.fromError(err);
    }
    if (!outcome.ok) await this.after(userId, outcome);
    return outcome;
  }

  private fromError(err: unknown): SendOutcome {
    if (err instanceof ZaloDownError) return { ok: false, kind: 'config', reason: `zalo_down: ${err.down.reason}` };
    if (err instanceof ZaloTransientError) return { ok: false, kind: 'transient', reason: err.message };
    if (err instanceof ZaloHttpError) {
      if (err.kind === 'rate_limited') return { ok: false, kind: 'rate_limited', retryAfterMs: err.retryAfterMs, reason: err.message };
      return { ok: false, kind: err.kind, reason: err.message };
    }
    const e = err as NodeJS.ErrnoException;
    if (e?.code === 'ENOENT') return { ok: false, kind: 'config', reason: 'zalo_file_missing' };
    this.opts.log.error({ err: (err as Error)?.message }, 'zalo: send failed');
    return { ok: false, kind: 'transient', reason: (err as Error)?.message ?? 'error' };
  }

  /**
   * OutboundChannel.reachable: inside the consultation window, or a template of this kind
   * is configured for the campaign (UID templates; the send path tries them the same way).
   */
  reachable(identity: Identity, now: Date, template?: TemplateKind): boolean {
    if (identity.unreachable) return false;
    if (zaloWindow(identity.lastInboundAt, now) !== 'closed') return true;
    return !!template && !!this.opts.campaign.zaloTemplates[template];
  }

  private outcomeOf(answer: ZaloAnswer): SendOutcome {
    return outcomeOf(answer, this.now());
  }

  private async after(userId: string, outcome: Exclude<SendOutcome, { ok: true }>) {
    if (outcome.kind === 'unreachable') await this.opts.store.identities.markUnreachable('zalo', userId, true).catch(() => null);
  }

  private async deliver(userId: string, reply: Reply, key: string | undefined, check: boolean): Promise<SendOutcome> {
    const identity = await this.opts.store.identities.get('zalo', userId);
    const lang: Lang = identity?.lang ?? 'vi';
    const window = zaloWindow(identity?.lastInboundAt, this.now());
    if (window !== 'closed') {
      const outcome = await this.consultation(userId, reply, lang, key, check, window === 'paid' ? 'cs_paid' : 'cs');
      // Our clock says "inside the window" but Zalo disagrees: try the template channels.
      if (outcome.ok || outcome.kind !== 'unreachable' || outcome.reason !== WINDOW_REASON) return outcome;
    }
    return this.template(userId, reply, key, check);
  }

  /**
   * Asks the user to share name and phone with the OA (a `request_user_info` card; the answer
   * comes back as a `user_submit_info` event). Only consultation: inside the 7-day window.
   */
  async requestUserInfo(userId: string, lang: Lang): Promise<SendOutcome> {
    try {
      return await this.once(`info.${userId}`, async () =>
        this.outcomeOf(
          await this.cs(userId, {
            attachment: {
              type: 'template',
              payload: {
                template_type: 'request_user_info',
                elements: [{ title: t(lang, 'zalo.request_info_title'), subtitle: t(lang, 'zalo.request_info_subtitle') }],
              },
            },
          }),
        ),
      );
    } catch (err) {
      return this.fromError(err);
    }
  }

  // --- sent marks (idempotency) ---------------------------------------------------------

  private sentKey(key: string) {
    return `${this.opts.prefix}:zalo:sent:${key}`;
  }

  private async once(key: string | undefined, fn: () => Promise<SendOutcome>, check = true): Promise<SendOutcome> {
    if (key && check) {
      const done = await this.opts.redis.get(this.sentKey(key));
      if (done !== null) return { ok: true, ...(done ? { platformMessageId: done } : {}) };
    }
    const outcome = await fn();
    if (key && outcome.ok) await this.opts.redis.set(this.sentKey(key), outcome.platformMessageId ?? '', 'EX', SENT_TTL_S);
    return outcome;
  }

  // --- consultation messages --------------------------------------------------------------

  private async consultation(userId: string, reply: Reply, lang: Lang, key: string | undefined, check: boolean, via: 'cs' | 'cs_paid'): Promise<SendOutcome> {
    const parts = renderReply(reply, lang);
    let last: SendOutcome = { ok: true, via };
    for (const [i, part] of parts.entries()) {
      const outcome = await this.once(key && `${key}#${i}`, () => this.sendPart(userId, part), check);
      if (!outcome.ok) return outcome;
      last = { ...outcome, via };
    }
    return last;
  }

  private async sendPart(userId: string, part: ZaloPart): Promise<SendOutcome> {
    if (part.kind === 'text') return this.outcomeOf(await this.cs(userId, csMessage(part)));
    const file = part.file;
    const bytes = await fs.readFile(path.join(this.opts.dataDir, file.path));
    for (let attempt = 0; attempt < 2; attempt++) {
      const uploaded = await this.upload(bytes, file.name, file.mime);
      if (!uploaded.ok) return uploaded.outcome;
      const answer = await this.cs(userId, uploaded.message);
      // The upload id expired between upload and send (-100): upload again, once.
      if (answer.error === UPLOAD_EXPIRED_CODE && attempt === 0) continue;
      return this.outcomeOf(answer);
    }
    return { ok: false, kind: 'transient', reason: 'zalo: upload expired twice' };
  }

  private cs(userId: string, message: Record<string, unknown>): Promise<ZaloAnswer> {
    return this.opts.api.call({ method: 'POST', path: '/v3.0/oa/message/cs', json: { recipient: { user_id: userId }, message } });
  }

  /** Uploads a file (PDF/DOC/DOCX/CSV ≤ 5 MB) or an image (JPG/PNG ≤ 1 MB); returns the message that carries it. */
  private async upload(
    bytes: Buffer,
    name: string,
    mime: string,
  ): Promise<{ ok: true; message: Record<string, unknown> } | { ok: false; outcome: SendOutcome }> {
    const ext = (name.split('.').pop() ?? '').toLowerCase();
    const image = ext in IMAGE_TYPES || mime === 'image/jpeg' || mime === 'image/png';
    const types = image ? IMAGE_TYPES : FILE_TYPES;
    const max = image ? IMAGE_UPLOAD_MAX : FILE_UPLOAD_MAX;
    if (!(ext in types)) return { ok: false, outcome: { ok: false, kind: 'config', reason: `zalo_file_type: .${ext.slice(0, 10)} cannot be sent on Zalo` } };
    if (bytes.length > max) return { ok: false, outcome: { ok: false, kind: 'config', reason: `zalo_file_too_big: ${bytes.length} bytes > ${max}` } };
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type: types[ext] }), name);
    const answer = await this.opts.api.call({ method: 'POST', path: image ? '/v2.0/oa/upload/image' : '/v2.0/oa/upload/file', form });
    if (answer.error !== 0) return { ok: false, outcome: this.outcomeOf(answer) };
    const id = image ? answer.data?.attachment_id : answer.data?.token;
    if (typeof id !== 'string' || !id) return { ok: false, outcome: { ok: false, kind: 'config', reason: 'zalo upload answered without an id' } };
    return {
      ok: true,
      message: image
        ? { attachment: { type: 'template', payload: { template_type: 'media', elements: [{ media_type: 'image', attachment_id: id }] } } }
        : { attachment: { type: 'file', payload: { token: id } } },
    };
  }

  // --- outside the window: templates -----------------------------------------------------

  private async template(userId: string, reply: Reply, key: string | undefined, check: boolean): Promise<SendOutcome> {
    const tpl = reply.template;
    const ids = this.opts.campaign.zaloTemplates;
    if (!tpl) return { ok: false, kind: 'unreachable', reason: WINDOW_REASON };
    const byUid = ids[tpl.kind];
    let refusal: SendOutcome | null = null;
    if (byUid) {
      const outcome = await this.once(key && `${key}#t`, async () =>
        this.outcomeOf(await this.opts.api.call({ method: 'POST', path: '/v3.0/oa/message/template', json: { user_id: userId, template_id: byUid, template_data: tpl.params } })),
        check,
      );
      if (outcome.ok) return { ...outcome, via: 'template' };
      if (outcome.kind === 'rate_limited') return outcome;
      refusal = outcome;
    }
    const phone = ids.zns ? await this.opts.phones.get(userId) : null;
    if (ids.zns && phone) {
      const outcome = await this.once(key && `${key}#z`, async () =>
        this.outcomeOf(
          await this.opts.api.call({
            server: 'business',
            method: 'POST',
            path: '/message/template',
            json: { phone, template_id: ids.zns, template_data: tpl.params, tracking_id: (key ?? `${Date.now()}`).slice(0, 64) }, // host clock: a unique tracking id
          }),
        ),
        check,
      );
      if (outcome.ok) return { ...outcome, via: 'zns' };
      return outcome;
    }
    // A configuration problem with the template is worth reporting as such.
    if (refusal && refusal.ok === false && refusal.kind === 'config') return refusal;
    return { ok: false, kind: 'unreachable', reason: WINDOW_REASON };
  }
}
