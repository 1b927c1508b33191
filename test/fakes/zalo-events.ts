/**
 * Builders for Zalo OA webhook events with the real envelopes, the event signature, and a
 * poster that delivers them like Zalo does (raw JSON body + `X-ZEvent-Signature`).
 *
 * Envelope of user events (all ids and the timestamp are STRINGS — ids exceed 2^53):
 *   {app_id, user_id_by_app, event_name, timestamp, sender:{id}, recipient:{id},
 *    message:{msg_id, text?, attachments?:[{type, payload}]}}
 * For user → OA events sender = user, recipient = OA; for oa_* echoes they are swapped.
 * follow/unfollow use {oa_id, follower:{id}, user_id_by_app, event_name, source, app_id, timestamp}.
 *
 * Signature (chatwoot app/controllers/webhooks/zalo_oa_controller.rb and
 * app/jobs/webhooks/zalo_events_job.rb; Zalo's Java SDK MacUtils.buildMac is plain sha256Hex):
 *   X-ZEvent-Signature: mac=<hex sha256(app_id + rawBody + timestamp + OA secret key)>
 */
import { createHash, randomBytes } from 'node:crypto';

export type ZaloEventName =
  | 'user_send_text'
  | 'user_send_image'
  | 'user_send_file'
  | 'user_send_link'
  | 'user_send_sticker'
  | 'user_send_gif'
  | 'user_send_audio'
  | 'user_send_video'
  | 'user_send_location'
  | 'user_submit_info'
  | 'user_received_message'
  | 'user_seen_message'
  | 'follow'
  | 'unfollow'
  | 'oa_send_text'
  | 'oa_send_image'
  | 'oa_send_file';

export interface ZaloAttachment {
  type: 'image' | 'gif' | 'sticker' | 'file' | 'link' | 'location' | 'audio' | 'video';
  payload: Record<string, unknown>;
}

export interface ZaloMessageEvent {
  app_id: string;
  user_id_by_app: string;
  event_name: ZaloEventName;
  timestamp: string;
  sender: { id: string; admin_id?: string };
  recipient: { id: string };
  message: { msg_id: string; text?: string; attachments?: ZaloAttachment[]; quote_msg_id?: string };
}

export interface ZaloFollowEvent {
  oa_id: string;
  follower: { id: string };
  user_id_by_app: string;
  event_name: 'follow' | 'unfollow';
  source: string;
  app_id: string;
  timestamp: string;
}

export interface ZaloSubmitInfoEvent {
  app_id: string;
  user_id_by_app: string;
  event_name: 'user_submit_info';
  timestamp: string;
  sender: { id: string };
  recipient: { id: string };
  info: { name?: string; phone?: string; address?: string; city?: string; district?: string; ward?: string };
}

export interface ZaloDeliveryEvent {
  app_id: string;
  user_id_by_app: string;
  event_name: 'user_received_message' | 'user_seen_message';
  timestamp: string;
  sender: { id: string };
  recipient: { id: string };
  message: { msg_ids: string[] };
}

export type ZaloEvent = ZaloMessageEvent | ZaloFollowEvent | ZaloSubmitInfoEvent | ZaloDeliveryEvent;

export interface ZaloEventFactoryOptions {
  appId: string;
  /** The OA's id (recipient of user events). */
  oaId?: string;
  /** Clock in ms (default Date.now). Each event gets a strictly increasing timestamp. */
  now?: () => number;
}

/** A Zalo-looking user id above 2^53 (parsing it as a number corrupts it). */
export const BIG_USER_ID = '2468458835296197922';

export function zaloEvents(opts: ZaloEventFactoryOptions) {
  const oaId = opts.oaId ?? '388613280878808645';
  const clock = opts.now ?? Date.now;
  let last = 0;
  const timestamp = () => {
    last = Math.max(clock(), last + 1);
    return String(last);
  };
  const msgId = () => randomBytes(10).toString('hex');
  const byApp = (userId: string) =>
    BigInt('0x' + createHash('sha256').update(`${opts.appId}:${userId}`).digest('hex').slice(0, 15)).toString();

  const userEvent = (
    event_name: ZaloEventName,
    spec: { userId?: string; msgId?: string; text?: string; quoteMsgId?: string },
    attachments?: ZaloAttachment[],
  ): ZaloMessageEvent => {
    const userId = spec.userId ?? BIG_USER_ID;
    return {
      app_id: opts.appId,
      user_id_by_app: byApp(userId),
      event_name,
      timestamp: timestamp(),
      sender: { id: userId },
      recipient: { id: oaId },
      message: {
        msg_id: spec.msgId ?? msgId(),
        ...(spec.text !== undefined ? { text: spec.text } : {}),
        ...(attachments ? { attachments } : {}),
        ...(spec.quoteMsgId !== undefined ? { quote_msg_id: spec.quoteMsgId } : {}),
      },
    };
  };

  type Base = { userId?: string; msgId?: string };

  return {
    oaId,
    userIdByApp: byApp,

    /** Also what an `oa.query.show` / `oa.query.hide` button press produces (text = payload). */
    userSendText: (spec: Base & { text: string; quoteMsgId?: string }) => userEvent('user_send_text', spec),

    userSendImage: (spec: Base & { url: string; thumbnail?: string; text?: string }) =>
      userEvent('user_send_image', spec, [{ type: 'image', payload: { thumbnail: spec.thumbnail ?? spec.url, url: spec.url } }]),

    userSendGif: (spec: Base & { url: string }) =>
      userEvent('user_send_gif', spec, [{ type: 'gif', payload: { thumbnail: spec.url, url: spec.url } }]),

    /** File payload {url, name, size, type, checksum}; size arrives as a string. */
    userSendFile: (spec: Base & { url: string; name: string; size: number | string; type?: string; text?: string }) =>
      userEvent('user_send_file', spec, [
        {
          type: 'file',
          payload: {
            url: spec.url,
            size: String(spec.size),
            name: spec.name,
            checksum: createHash('md5').update(spec.url).digest('hex'),
            type: spec.type ?? (spec.name.split('.').pop() ?? '').toLowerCase(),
          },
        },
      ]),

    userSendLink: (spec: Base & { url: string; description?: string; thumbnail?: string }) =>
      userEvent('user_send_link', { ...spec, text: spec.url }, [
        {
          type: 'link',
          payload: {
            description: spec.description ?? '',
            url: spec.url,
            thumbnail: spec.thumbnail ?? '',
          },
        },
      ]),

    userSendSticker: (spec: Base & { url?: string; stickerId?: string }) =>
      userEvent('user_send_sticker', spec, [
        {
          type: 'sticker',
          payload: { id: spec.stickerId ?? 'bfe458bf64fa8da4d4eb', url: spec.url ?? 'https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid=1&size=130' },
        },
      ]),

    userSendAudio: (spec: Base & { url: string }) => userEvent('user_send_audio', spec, [{ type: 'audio', payload: { url: spec.url } }]),

    userSendVideo: (spec: Base & { url: string; thumbnail?: string; description?: string }) =>
      userEvent('user_send_video', spec, [
        { type: 'video', payload: { url: spec.url, thumbnail: spec.thumbnail ?? '', description: spec.description ?? '' } },
      ]),

    /** Coordinates arrive as strings. */
    userSendLocation: (spec: Base & { latitude: number | string; longitude: number | string; text?: string }) =>
      userEvent('user_send_location', spec, [
        { type: 'location', payload: { coordinates: { latitude: String(spec.latitude), longitude: String(spec.longitude) } } },
      ]),

    follow: (spec: { userId?: string; source?: string } = {}): ZaloFollowEvent => {
      const userId = spec.userId ?? BIG_USER_ID;
      return {
        oa_id: oaId,
        follower: { id: userId },
        user_id_by_app: byApp(userId),
        event_name: 'follow',
        source: spec.source ?? 'oa_profile',
        app_id: opts.appId,
        timestamp: timestamp(),
      };
    },

    unfollow: (spec: { userId?: string; source?: string } = {}): ZaloFollowEvent => {
      const userId = spec.userId ?? BIG_USER_ID;
      return {
        oa_id: oaId,
        follower: { id: userId },
        user_id_by_app: byApp(userId),
        event_name: 'unfollow',
        source: spec.source ?? 'oa_profile',
        app_id: opts.appId,
        timestamp: timestamp(),
      };
    },

    /** The answer to a request_user_info template. */
    userSubmitInfo: (spec: { userId?: string; info: ZaloSubmitInfoEvent['info'] }): ZaloSubmitInfoEvent => {
      const userId = spec.userId ?? BIG_USER_ID;
      return {
        app_id: opts.appId,
        user_id_by_app: byApp(userId),
        event_name: 'user_submit_info',
        timestamp: timestamp(),
        sender: { id: userId },
        recipient: { id: oaId },
        info: spec.info,
      };
    },

    /** Echo of a message the OA sent: sender = OA, recipient = user. Bots must ignore it. */
    oaSendText: (spec: { userId?: string; text: string; msgId?: string; adminId?: string }): ZaloMessageEvent => {
      const userId = spec.userId ?? BIG_USER_ID;
      return {
        app_id: opts.appId,
        user_id_by_app: byApp(userId),
        event_name: 'oa_send_text',
        timestamp: timestamp(),
        sender: { id: oaId, ...(spec.adminId ? { admin_id: spec.adminId } : {}) },
        recipient: { id: userId },
        message: { msg_id: spec.msgId ?? msgId(), text: spec.text },
      };
    },

    /** Delivery/read receipts for OA messages: sender = OA, recipient = user. */
    delivery: (spec: { userId?: string; msgIds: string[]; seen?: boolean }): ZaloDeliveryEvent => {
      const userId = spec.userId ?? BIG_USER_ID;
      return {
        app_id: opts.appId,
        user_id_by_app: byApp(userId),
        event_name: spec.seen ? 'user_seen_message' : 'user_received_message',
        timestamp: timestamp(),
        sender: { id: oaId },
        recipient: { id: userId },
        message: { msg_ids: spec.msgIds },
      };
    },
  };
}

export type ZaloEventFactory = ReturnType<typeof zaloEvents>;

/**
 * The `X-ZEvent-Signature` header value for a raw body:
 * `mac=` + hex(sha256(appId + rawBody + timestamp + oaSecretKey)). Plain SHA-256, not HMAC.
 */
export function signZaloEvent(rawBody: string, appId: string, timestamp: string, oaSecretKey: string): string {
  return 'mac=' + createHash('sha256').update(appId + rawBody + timestamp + oaSecretKey, 'utf8').digest('hex');
}

export interface PostZaloEventOptions {
  /** Header value to send instead of the correct one; `false` sends no signature header. */
  signature?: string | false;
  /**
   * The exact body bytes to send (default JSON.stringify(event)). Use a spaced/re-ordered
   * serialisation to prove the receiver verifies the RAW body, not a re-serialisation.
   */
  rawBody?: string;
  /** Extra headers (e.g. `{'X-ZEvent-Server': 'ZNS'}`, `{num_retry: '1'}`). */
  headers?: Record<string, string>;
  /** Abort after this many ms (Zalo gives up after 2 s). Default 10 s. */
  timeoutMs?: number;
}

/** Sends the event to a webhook URL the way Zalo does and returns the answer. */
export async function postZaloEvent(
  url: string,
  event: ZaloEvent,
  oaSecretKey: string,
  opts: PostZaloEventOptions = {},
): Promise<{ status: number; body: string; elapsedMs: number }> {
  const raw = opts.rawBody ?? JSON.stringify(event);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (opts.signature !== false) {
    headers['x-zevent-signature'] = opts.signature ?? signZaloEvent(raw, event.app_id, event.timestamp, oaSecretKey);
  }
  const started = Date.now();
  const r = await fetch(url, { method: 'POST', headers, body: raw, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
  return { status: r.status, body: await r.text(), elapsedMs: Date.now() - started };
}
