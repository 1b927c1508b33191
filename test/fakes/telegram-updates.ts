/**
 * Builders for Telegram `Update` objects in the shapes the Bot API sends
 * (https://core.telegram.org/bots/api#update). Each factory hands out increasing
 * `update_id`s and per-chat increasing `message_id`s, like Telegram.
 *
 *   const tg = telegramUpdates({ botInfo: fake.botInfo, files: fake });
 *   await bot.handleUpdate(tg.text({ userId: 42, text: 'xin chào' }));
 */
import { randomBytes } from 'node:crypto';
import type { Chat, Message, MessageEntity, PhotoSize, Update, User, UserFromGetMe } from 'grammy/types';

export interface UserSpec {
  userId?: number;
  firstName?: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
}

export interface GroupSpec {
  /** Supergroup ids look like -100XXXXXXXXXX. */
  chatId?: number;
  title?: string;
}

export interface UpdateFactoryOptions {
  /** First update_id (default: a random 9-digit number, as real ids are). */
  startUpdateId?: number;
  /** Unix seconds for `date` (default: now). */
  now?: () => number;
  /** The bot (for callback-query messages, my_chat_member and /cmd@bot). */
  botInfo?: Pick<UserFromGetMe, 'id' | 'first_name' | 'username'>;
  /** If given, document/photo builders with `data` register the bytes so getFile works. */
  files?: { addFile(fileId: string, data: Buffer, opts?: { mimeType?: string; fileName?: string }): unknown };
}

const DEFAULT_USER_ID = 100200300;
const fileId = (prefix: string) => prefix + randomBytes(30).toString('base64url');
const uniqueId = () => 'AQAD' + randomBytes(8).toString('base64url');

export function telegramUpdates(opts: UpdateFactoryOptions = {}) {
  let updateId = opts.startUpdateId ?? 100_000_000 + Math.floor(Math.random() * 800_000_000);
  const messageIds = new Map<number, number>();
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const bot = opts.botInfo ?? { id: 123456789, first_name: 'Thi đua (fake)', username: 'thidua_fake_bot' };
  const botUser: User = { id: bot.id, is_bot: true, first_name: bot.first_name, username: bot.username };

  const nextUpdateId = () => ++updateId;
  const nextMessageId = (chatId: number) => {
    const id = (messageIds.get(chatId) ?? 0) + 1;
    messageIds.set(chatId, id);
    return id;
  };

  const user = (u: UserSpec = {}): User => ({
    id: u.userId ?? DEFAULT_USER_ID,
    is_bot: false,
    first_name: u.firstName ?? 'Nguyễn',
    ...(u.lastName !== undefined ? { last_name: u.lastName } : { last_name: 'Văn An' }),
    ...(u.username !== undefined ? { username: u.username } : {}),
    language_code: u.languageCode ?? 'vi',
  });

  const privateChat = (u: User): Chat.PrivateChat => ({
    id: u.id,
    type: 'private',
    first_name: u.first_name,
    ...(u.last_name ? { last_name: u.last_name } : {}),
    ...(u.username ? { username: u.username } : {}),
  });

  const groupChat = (g: GroupSpec = {}): Chat.SupergroupChat => ({
    id: g.chatId ?? -1001234567890,
    type: 'supergroup',
    title: g.title ?? 'Ban Thi đua xã',
  });

  const baseMessage = (from: User, chat: Chat): Message =>
    ({ message_id: nextMessageId(chat.id), from, chat, date: now() }) as Message;

  /** Entities for a leading /command (Telegram marks it as bot_command). */
  const commandEntities = (text: string): MessageEntity[] => {
    const m = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
    return m ? [{ type: 'bot_command', offset: 0, length: m[0].length }] : [];
  };

  return {
    nextUpdateId,
    user,

    /** A text message in a private chat. */
    text(spec: UserSpec & { text: string; replyToMessage?: Message }): Update {
      const from = user(spec);
      const message = {
        ...baseMessage(from, privateChat(from)),
        text: spec.text,
        ...(spec.replyToMessage ? { reply_to_message: spec.replyToMessage } : {}),
      } as Message;
      const entities = commandEntities(spec.text);
      if (entities.length > 0) (message as Message.TextMessage).entities = entities;
      return { update_id: nextUpdateId(), message } as Update;
    },

    /** `/start`, `/help arg`… with the bot_command entity; `mention: true` adds @botname. */
    command(spec: UserSpec & { command: string; args?: string; mention?: boolean; group?: GroupSpec }): Update {
      const from = user(spec);
      const cmd = `/${spec.command.replace(/^\//, '')}${spec.mention ? `@${bot.username}` : ''}`;
      const text = spec.args ? `${cmd} ${spec.args}` : cmd;
      const chat = spec.group ? groupChat(spec.group) : privateChat(from);
      const message = {
        ...baseMessage(from, chat),
        text,
        entities: [{ type: 'bot_command', offset: 0, length: cmd.length }],
      } as Message;
      return { update_id: nextUpdateId(), message } as Update;
    },

    /**
     * A press on an inline-keyboard button. `message` is the bot's message that carried
     * the keyboard (default: a made-up one in the user's private chat).
     */
    callbackQuery(spec: UserSpec & { data: string; message?: Message; queryId?: string }): Update {
      const from = user(spec);
      const message =
        spec.message ??
        ({
          message_id: nextMessageId(from.id),
          from: botUser,
          chat: privateChat(from),
          date: now(),
          text: 'Chọn một mục',
          reply_markup: { inline_keyboard: [[{ text: 'OK', callback_data: spec.data }]] },
        } as Message);
      return {
        update_id: nextUpdateId(),
        callback_query: {
          id: spec.queryId ?? String(BigInt(from.id) * 1000000n + BigInt(Math.floor(Math.random() * 1e6))),
          from,
          message,
          chat_instance: String(-Math.floor(Math.random() * 9e18)),
          data: spec.data,
        },
      } as Update;
    },

    /** A document (file) message; `data` registers the bytes with `files` (the fake) so getFile works. */
    document(
      spec: UserSpec & {
        fileName?: string;
        mimeType?: string;
        fileSize?: number;
        fileId?: string;
        data?: Buffer;
        caption?: string;
        group?: GroupSpec;
      },
    ): Update {
      const from = user(spec);
      const id = spec.fileId ?? fileId('BQACAgUAAxkBAAI');
      const fileName = spec.fileName ?? 'ho-so-thi-dua.pdf';
      const mimeType = spec.mimeType ?? 'application/pdf';
      if (spec.data && opts.files) opts.files.addFile(id, spec.data, { mimeType, fileName });
      const message = {
        ...baseMessage(from, spec.group ? groupChat(spec.group) : privateChat(from)),
        document: {
          file_name: fileName,
          mime_type: mimeType,
          file_id: id,
          file_unique_id: uniqueId(),
          file_size: spec.fileSize ?? spec.data?.length ?? 12345,
        },
        ...(spec.caption !== undefined ? { caption: spec.caption } : {}),
      } as Message;
      return { update_id: nextUpdateId(), message } as Update;
    },

    /** A photo with caption: `photo` is an array of sizes, the largest last. */
    photo(spec: UserSpec & { caption?: string; data?: Buffer; fileId?: string }): Update {
      const from = user(spec);
      const big = spec.fileId ?? fileId('AgACAgUAAxkBAAI');
      if (spec.data && opts.files) opts.files.addFile(big, spec.data, { mimeType: 'image/jpeg', fileName: 'photo.jpg' });
      const sizes: PhotoSize[] = [
        { file_id: fileId('AgACAgUAAxkBAAI'), file_unique_id: uniqueId(), file_size: 1290, width: 90, height: 67 },
        { file_id: fileId('AgACAgUAAxkBAAI'), file_unique_id: uniqueId(), file_size: 16180, width: 320, height: 240 },
        { file_id: big, file_unique_id: uniqueId(), file_size: spec.data?.length ?? 84312, width: 1280, height: 960 },
      ];
      const message = {
        ...baseMessage(from, privateChat(from)),
        photo: sizes,
        ...(spec.caption !== undefined ? { caption: spec.caption } : {}),
      } as Message;
      return { update_id: nextUpdateId(), message } as Update;
    },

    sticker(spec: UserSpec & { emoji?: string } = {}): Update {
      const from = user(spec);
      const message = {
        ...baseMessage(from, privateChat(from)),
        sticker: {
          width: 512,
          height: 512,
          emoji: spec.emoji ?? '👍',
          set_name: 'HotCherry',
          is_animated: true,
          is_video: false,
          type: 'regular',
          thumbnail: { file_id: fileId('AAMCAgADGQEAAI'), file_unique_id: uniqueId(), file_size: 4460, width: 128, height: 128 },
          file_id: fileId('CAACAgIAAxkBAAI'),
          file_unique_id: uniqueId(),
          file_size: 28137,
        },
      } as Message;
      return { update_id: nextUpdateId(), message } as Update;
    },

    /** The user edited an earlier text message (same message_id, edit_date set). */
    editedMessage(spec: UserSpec & { messageId: number; text: string; date?: number }): Update {
      const from = user(spec);
      return {
        update_id: nextUpdateId(),
        edited_message: {
          message_id: spec.messageId,
          from,
          chat: privateChat(from),
          date: spec.date ?? now() - 60,
          edit_date: now(),
          text: spec.text,
        },
      } as Update;
    },

    /** The user blocked the bot (new status "kicked") or unblocked it (new status "member"). */
    myChatMember(spec: UserSpec & { blocked: boolean }): Update {
      const from = user(spec);
      const botMember = (status: 'member' | 'kicked') =>
        status === 'kicked' ? { user: botUser, status, until_date: 0 } : { user: botUser, status };
      return {
        update_id: nextUpdateId(),
        my_chat_member: {
          chat: privateChat(from),
          from,
          date: now(),
          old_chat_member: botMember(spec.blocked ? 'member' : 'kicked'),
          new_chat_member: botMember(spec.blocked ? 'kicked' : 'member'),
        },
      } as Update;
    },

    /** A text message in a supergroup. */
    groupText(spec: UserSpec & GroupSpec & { text: string }): Update {
      const from = user(spec);
      const message = { ...baseMessage(from, groupChat(spec)), text: spec.text } as Message;
      const entities = commandEntities(spec.text);
      if (entities.length > 0) (message as Message.TextMessage).entities = entities;
      return { update_id: nextUpdateId(), message } as Update;
    },

    /** A post in a channel where the bot is an admin (no `from`; `sender_chat` = the channel). */
    channelPost(spec: { chatId?: number; title?: string; text: string }): Update {
      const chat: Chat.ChannelChat = { id: spec.chatId ?? -1009876543210, type: 'channel', title: spec.title ?? 'Kênh Thi đua' };
      return {
        update_id: nextUpdateId(),
        channel_post: {
          message_id: nextMessageId(chat.id),
          sender_chat: chat,
          chat,
          date: now(),
          text: spec.text,
        },
      } as Update;
    },
  };
}

export type TelegramUpdateFactory = ReturnType<typeof telegramUpdates>;
