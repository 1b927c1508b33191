import type { Channel, Lang } from '../domain/entities.js';

/** A file or other non-text item the user sent, as the channel saw it (serialisable). */
export interface InboundAttachment {
  kind: 'file' | 'image' | 'sticker' | 'audio' | 'video' | 'location' | 'link' | 'other';
  name?: string;
  mime?: string;
  size?: number;
  /** Where the channel can fetch the bytes from (a URL, a Telegram file_id, a simulator upload id). */
  ref?: string;
}

/** One message from one user on one platform, normalised. */
export interface Inbound {
  channel: Channel;
  userId: string;
  /** The platform's id for this delivery (Telegram update_id, Zalo msg_id, simulator id). */
  messageId: string;
  text?: string;
  /** Payload of a pressed button. */
  payload?: string;
  attachments?: InboundAttachment[];
  /** Platform events that are not messages. */
  event?: 'follow' | 'unfollow';
  at: Date;
}

export interface Choice {
  /** Button payload: at most 64 bytes (Telegram's callback_data limit). */
  payload: string;
  label: string;
}

/** One message to the user; channels render it in their best form. */
export interface Reply {
  text: string;
  choices?: Choice[];
  /**
   * Whether the choices are shown with numbers, so that typing a number picks one
   * (`choicesNumbered`). Left out: numbered when there are two or more. The engine turns
   * numbers off where they would mean something else: the summary's lines at a confirm step
   * ("sửa N"), and every reply but the last one with choices in a batch (the prompt asked
   * now, or the menu), so a typed number always means a choice of the question being asked.
   */
  numbered?: boolean;
  /** Which page of a long list of choices to show, on channels that page them (Zalo: src/engine/pages.ts). */
  page?: number;
  /** The bot is waiting for a file (channels may show an upload hint). */
  expectsFile?: boolean;
  /**
   * A file to send (path relative to DATA_DIR). `inline`: a picture to look at (a chart,
   * image/png or image/jpeg), sent as a photo / image message rather than a document.
   */
  file?: { path: string; name: string; mime: string; inline?: boolean };
  /**
   * For messages sent outside a conversation (reminders, announcements): the same message
   * as the parameters of a pre-approved template, for platforms that allow only templates
   * once the user has been silent too long (Zalo: campaign.zaloTemplates, docs/zalo.md).
   * Without it such a message is reported unreachable there instead of being sent.
   */
  template?: { kind: 'reminder' | 'announcement'; params: Record<string, string> };
}

export interface HandleResult {
  replies: Reply[];
  lang: Lang;
  /** true when the message had already been handled and was dropped. */
  duplicate: boolean;
}
