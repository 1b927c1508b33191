// Over ~300 lines on purpose: the per-message path (flood guard, lock, dedupe, idle restart,
// restore on error, authority) and routing between steps share the session. What a kind of
// step does lives in steps/, the order of steps in route.ts, file downloads in receive.ts.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Campaign } from '../campaign/schema.js';
import type { Channel, Identity, Lang } from '../domain/entities.js';
import { fold, stripInvisible } from '../domain/text.js';
import { hasJoined } from '../domain/roles.js';
import { t as translate, type MsgKey, type Params } from '../i18n.js';
import type { FileStore } from '../files.js';
import type { Store } from '../store/index.js';
import type { EngineHooks, FlowJobs } from './ports.js';
import type { Data, Flow, FlowContext } from './flow.js';
import { isGreeting, matchOption, parseCommand, parseStepPayload, type Command } from './input.js';
import { flowLinkPayload, parseDeepLink, parseMenuLink } from './links.js';
import { randomUUID } from 'node:crypto';
import { LockTimeoutError } from './lock.js';
import { receiveFile, type AttachmentFetcher } from './receive.js';
import { applicableStep, nextStep, stepById, summary, unanswered } from './route.js';
import { emptySession, findPaused, leaveFlow, SessionStore, type Entered, type Grant, type Session } from './session.js';
import { clampPage } from './pages.js';
import { kindOf, readAnswer, writeAnswer, type Step, type StepEnv } from './steps/index.js';
import { isStoreError } from '../store/errors.js';
import type { HandleResult, Inbound, Reply } from './types.js';
import { realClock } from '../clock.js';

export type { AttachmentFetcher } from './receive.js';

export interface EngineOptions {
  /** The store's Redis server: the engine's per-message scripts read and write its identity keys. */
  redis: Redis;
  store: Store;
  campaign: Campaign;
  flows: readonly Flow[];
  files: FileStore;
  fetchers?: Partial<Record<Channel, AttachmentFetcher>>;
  /** Key prefix shared with the store. */
  prefix: string;
  /** A conversation idle this long starts over, with a polite note. */
  idleMs: number;
  /** Flood guard: more messages than this in one minute get one notice, then silence for FLOOD_PAUSE_S. */
  messagesPerMinute?: number;
  now?: () => Date;
  log: Logger;
  /** Background jobs flows may start (broadcasts, alerts); see FlowContext.jobs. */
  jobs?: FlowJobs;
  /** How flows reach another user outside this conversation (src/services/notify.ts, wired by the app). */
  notify?: FlowContext['notify'];
  /** One-time dashboard login links (src/web/login.ts, wired by the app) for FlowContext.webLogin. */
  webLogin?: (identity: Identity) => Promise<{ url: string; minutes: number }>;
  /** Metrics and shutdown tracking (the app's); see EngineHooks. */
  hooks?: EngineHooks;
}

/** How long a flooding user is ignored after their notice. */
export const FLOOD_PAUSE_S = 300;

/** The per-user lock: held at most this long (a dead process frees it), waited for at most this long. */
const LOCK_TTL_MS = 30_000;
const LOCK_WAIT_MS = 20_000;

/** Longest text we read; anything longer is answered with a clear message. */
export const MAX_TEXT = 4000;

/** Errors that mean "Redis is unreachable": the message must be redelivered, not marked handled. */
function isInfrastructureError(err: unknown): boolean {
  const msg = err instanceof Error ? `${err.name} ${err.message}` : '';
  return /Connection is closed|ECONNREFUSED|ECONNRESET|MaxRetriesPerRequest|LockTimeout|lock .* busy|Stream isn't writeable/i.test(msg);
}

/**
 * The platform-free conversation engine: for each inbound message it drops duplicates,
 * serialises per user, loads the session, runs one flow step, saves, and returns replies.
 */
export class Engine {
  readonly sessions: SessionStore;
  private readonly flowsById: Map<string, Flow>;
  private readonly now: () => Date;

  constructor(private readonly opts: EngineOptions) {
    this.sessions = new SessionStore(opts.redis, opts.prefix);
    this.flowsById = new Map(opts.flows.map((f) => [f.id, f]));
    this.now = opts.now ?? realClock.now;
  }

  get campaign(): Campaign {
    return this.opts.campaign;
  }

  handle(inbound: Inbound): Promise<HandleResult> {
    const hooks = this.opts.hooks;
    if (!hooks) return this.handleMessage(inbound);
    hooks.onInbound?.(inbound);
    const started = Date.now(); // host clock: a duration
    const handling = this.handleMessage(inbound).then((r) => (hooks.onHandled?.(inbound, r, Date.now() - started), r)); // host clock: a duration
    hooks.track?.(handling);
    return handling;
  }

  private async handleMessage(inbound: Inbound): Promise<HandleResult> {
    const { channel, userId, messageId } = inbound;
    const limit = this.opts.messagesPerMinute;
    const ref = this.opts.store.identities.ref(channel, userId);
    // Flood count, per-user lock, dedupe mark, session and identity in one round trip;
    // the message is counted once, not again while waiting for the lock.
    const token = randomUUID();
    const deadline = Date.now() + LOCK_WAIT_MS; // host clock: how long to wait for the lock
    let flood = limit ? { limit, pauseS: FLOOD_PAUSE_S } : undefined;
    let delay = 5;
    let entered: Entered;
    for (;;) {
      entered = await this.sessions.enter({ channel, userId, messageId, token, ttlMs: LOCK_TTL_MS, identity: ref, ...(flood && { flood }) });
      if (entered.kind !== 'busy') break;
      flood = undefined;
      if (Date.now() > deadline) throw new LockTimeoutError(`lock ${this.sessions.lockKey(channel, userId)} busy`); // host clock: how long to wait for the lock
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 100);
    }
    if (entered.kind === 'paused') return { replies: [], lang: 'vi', duplicate: false };
    if (entered.kind === 'flooded') {
      // One polite notice, then silence for FLOOD_PAUSE_S, before any lock or session work.
      const lang = this.opts.store.identities.fromStored(entered.identity, null)?.lang ?? 'vi';
      this.opts.log.warn({ channel }, 'flood guard: user paused');
      return { replies: [{ text: translate(lang, 'error.flood', { minutes: FLOOD_PAUSE_S / 60 }) }], lang, duplicate: false };
    }
    let released = false;
    try {
      if (entered.seen) return { replies: [], lang: 'vi', duplicate: true };
      const now = this.now();
      // Its last inbound message is this one (recorded with the session save below).
      const known = this.opts.store.identities.fromStored(entered.identity, now.toISOString());
      const identity = await this.identityFor(inbound, known, now);
      let session = entered.session ?? emptySession(now);
      let before = entered.sessionJson;
      const ctx = this.context(identity, now);
      const replies: Reply[] = [];
      if (session.flow && now.getTime() - Date.parse(session.updatedAt) > this.opts.idleMs) {
        session = emptySession(now);
        before = null;
        replies.push({ text: ctx.t('session.expired') });
      }
      before ??= JSON.stringify(session);
      try {
        replies.push(...(await this.dispatch(ctx, session, inbound)));
        showChoices(replies, session);
      } catch (err) {
        if (isInfrastructureError(err)) throw err;
        session = { ...emptySession(now), ...(JSON.parse(before) as Session) };
        if (isStoreError(err, 'revoked')) {
          // Access ended while this step ran: the store refused its change (src/store/tx.ts).
          replies.push(...(await this.endFlow(ctx, session)));
        } else {
          // A bug in one step must not crash the process or lose the user's answers.
          this.opts.log.error({ err, channel, flow: session.flow, step: session.step }, 'flow step failed');
          replies.push({ text: ctx.t('error.internal') });
        }
      }
      session.updatedAt = now.toISOString();
      // Session, "handled" mark, last inbound time and unlock in one atomic script: a crash
      // before it means the redelivered message is handled again rather than lost.
      await this.sessions.exit({ channel, userId, session, messageId, token, identity: ref, inboundAt: now });
      released = true;
      return { replies, lang: ctx.lang, duplicate: false };
    } finally {
      if (!released) await this.sessions.release(channel, userId, token).catch(() => {});
    }
  }

  /** The identity of this chat account, created on first contact (ADMINS are applied at start: src/ops/admins.ts). */
  private async identityFor(inbound: Inbound, known: Identity | null, now: Date): Promise<Identity> {
    const { store } = this.opts;
    let identity = known;
    if (!identity) {
      identity = {
        channel: inbound.channel,
        userId: inbound.userId,
        personId: null,
        role: null,
        unitId: null,
        lang: 'vi',
        lastInboundAt: now.toISOString(),
        unreachable: false,
        createdAt: now.toISOString(),
      };
      await store.identities.upsert(identity, { id: `${inbound.channel}:${inbound.userId}`, role: null, channel: inbound.channel });
    } else if (identity.unreachable) {
      await store.identities.markUnreachable(inbound.channel, inbound.userId, false);
    }
    return identity;
  }

  private context(identity: Identity, now: Date): FlowContext {
    const ctx: FlowContext = {
      channel: identity.channel,
      userId: identity.userId,
      lang: identity.lang,
      now,
      identity,
      campaign: this.opts.campaign,
      store: this.opts.store,
      files: this.opts.files,
      t: (key: MsgKey, params?: Params) => translate(ctx.lang, key, params),
      // Every change this step makes is refused by the store unless this grant still holds.
      actor: { id: `${identity.channel}:${identity.userId}`, role: identity.role, channel: identity.channel, grant: { role: identity.role, unitId: identity.unitId } },
      jobs: this.opts.jobs,
      notify: this.opts.notify,
      ...(this.opts.webLogin && { webLogin: () => this.opts.webLogin!(ctx.identity) }),
    };
    return ctx;
  }

  private flow(session: Session): Flow | undefined {
    return session.flow ? this.flowsById.get(session.flow) : undefined;
  }

  private async dispatch(ctx: FlowContext, session: Session, inbound: Inbound): Promise<Reply[]> {
    // Offered by the previous message only.
    const links = session.links;
    session.links = [];
    if (inbound.event === 'unfollow') {
      await ctx.store.identities.markUnreachable(ctx.channel, ctx.userId, true);
      return [];
    }
    if (inbound.event === 'follow') {
      session.flow = null;
      return [{ text: ctx.t('welcome') }, ...(await this.menuOrOnboarding(ctx, session))];
    }
    // Authority is checked on every message, not only when the flow started.
    const current = this.flow(session);
    if (current && !this.mayContinue(ctx, current, session.grant)) return this.endFlow(ctx, session);
    // Answers stored by an older version of the flow are never used.
    if (current && !current.fits(session.data)) return this.restart(ctx, session, current);
    const raw = inbound.text?.trim();
    // One place for everything a user types: names, reasons, announcements others will read.
    const text = raw ? stripInvisible(raw).trim() || undefined : undefined;
    if (raw && !text && !inbound.payload && !inbound.attachments?.length) return [{ text: ctx.t('error.invisible_only') }, ...(await this.reprompt(ctx, session))];
    if (text && text.length > MAX_TEXT) return [{ text: ctx.t('error.too_long', { max: MAX_TEXT }) }, ...(await this.reprompt(ctx, session))];

    // A switch asked for by the previous message is answered now or dropped.
    const switching = this.switchAnswer(session, text, inbound.payload);
    if (switching) return this.switchFlow(ctx, session, switching);

    const command = parseCommand(text, inbound.payload);
    if (command) return this.command(ctx, session, command);
    // At a summary the numbers shown are its lines: a number alone means "sửa N".
    const asked = current && this.currentStep(ctx, current, session);
    const bare = text && !inbound.payload ? /^(\d{1,2})[.)]?$/.exec(text) : null;
    if (asked && bare && kindOf(asked).summarises) return this.edit(ctx, session, Number(bare[1]));
    const slash = text && /^\/([a-z_]+)(?:@\w+)?(?:\s+([\s\S]*))?$/i.exec(text);
    const byCommand = slash ? this.opts.flows.find((f) => f.command === `/${slash[1]!.toLowerCase()}`) : undefined;
    if (byCommand) {
      if (!hasJoined(ctx.identity) && byCommand.id !== 'onboarding') return this.startFlow(ctx, session, 'onboarding');
      ctx.args = slash![2]?.trim() || undefined;
      return this.startFlow(ctx, session, byCommand.id);
    }

    // The label of a button just shown by a message-only flow, typed at the menu under it, is that button.
    const typed = !current && !inbound.payload ? this.typedLink(ctx, links, text) : undefined;
    const link = parseDeepLink(inbound.payload ?? typed);
    const linked = link ? this.flowsById.get(link.flowId) : undefined;
    if (linked && linked.id !== 'onboarding') {
      if (!hasJoined(ctx.identity)) return this.startFlow(ctx, session, 'onboarding');
      const current = this.flow(session);
      // A button in a notice pressed in the middle of something else: ask before switching.
      if (current && session.step && linked.available(ctx)) {
        if (current.id === linked.id && session.args === link!.arg) return this.reprompt(ctx, session);
        session.switchTo = { flow: linked.id, args: link!.arg };
        return [this.askSwitch(ctx, current, linked)];
      }
      ctx.args = link!.arg;
      return this.startFlow(ctx, session, linked.id);
    }

    const flow = this.flow(session);
    // "Xin chào" at the menu or before joining is a greeting, answered as one.
    if (!flow && !inbound.payload && isGreeting(text)) return [{ text: ctx.t('welcome') }, ...(await this.menuOrOnboarding(ctx, session))];
    if (!flow) {
      if (!hasJoined(ctx.identity)) return this.startFlow(ctx, session, 'onboarding');
      const go = parseMenuLink(inbound.payload);
      const menu = this.menuFlows(ctx);
      const picked = go
        ? menu.find((f) => f.id === go)
        : (() => {
            const o = matchOption(menu.map((f) => ({ id: f.id, label: ctx.t(f.title) })), text, undefined);
            return o ? menu.find((f) => f.id === o.id) : undefined;
          })();
      if (picked) return this.startFlow(ctx, session, picked.id);
      if (go && this.flowsById.has(go)) return [{ text: ctx.t('error.not_allowed') }, this.menu(ctx)];
      const unknown = text || inbound.payload ? 'menu.unknown' : 'error.unsupported_message';
      return [{ text: ctx.t(unknown) }, this.menu(ctx)];
    }
    // A message that is only a greeting is never an answer, even at a free-text step: the question again.
    if (!inbound.payload && !inbound.attachments?.length && isGreeting(text)) {
      const hello = flow.id === 'onboarding' ? ctx.t('welcome') : ctx.t('flow.greeting', { current: ctx.t(flow.title) });
      return [{ text: hello }, ...(await this.reprompt(ctx, session))];
    }
    return this.answer(ctx, session, flow, inbound, text);
  }

  /** "Bạn đang … Chuyển sang …?" with Có / Không (the answer: switchAnswer). */
  private askSwitch(ctx: FlowContext, current: Flow, next: Flow): Reply {
    return {
      text: ctx.t('flow.switch_ask', { current: ctx.t(current.title), next: ctx.t(next.title) }),
      choices: [
        { payload: 'cmd|switch|ok', label: ctx.t('flow.switch_yes') },
        { payload: 'cmd|switch|no', label: ctx.t('flow.switch_no') },
      ],
    };
  }

  /** The answer to a pending switch: its buttons, or "có" / "không" typed; null for anything else (the switch is dropped). */
  private switchAnswer(session: Session, text: string | undefined, payload: string | undefined): { yes: boolean; to: Session['switchTo'] } | null {
    const to = session.switchTo;
    session.switchTo = null;
    if (payload === 'cmd|switch|ok' || payload === 'cmd|switch|no') return { yes: payload === 'cmd|switch|ok', to };
    if (!to || payload) return null;
    const f = text ? fold(text).replace(/[.!]$/, '') : '';
    if (['co', 'yes', 'dong y', 'chuyen'].includes(f)) return { yes: true, to };
    if (['khong', 'no', 'o lai'].includes(f)) return { yes: false, to };
    return null;
  }

  /** Switches (the current flow is paused, not lost) or stays; a switch button whose question has passed is refused. */
  private async switchFlow(ctx: FlowContext, session: Session, s: { yes: boolean; to: Session['switchTo'] }): Promise<Reply[]> {
    if (!s.to) return [{ text: ctx.t('error.stale_button') }, ...(await this.reprompt(ctx, session))];
    if (!s.yes) return [{ text: ctx.t('flow.switch_stayed') }, ...(await this.reprompt(ctx, session))];
    ctx.args = s.to.args ?? undefined;
    return this.startFlow(ctx, session, s.to.flow);
  }

  private async command(ctx: FlowContext, session: Session, command: Command): Promise<Reply[]> {
    switch (command.kind) {
      case 'start':
      case 'menu':
        leaveFlow(session, ctx.now, session.flow !== 'onboarding');
        return this.menuOrOnboarding(ctx, session);
      case 'cancel': {
        const had = session.flow !== null;
        leaveFlow(session, ctx.now, false);
        return [{ text: ctx.t(had ? 'flow.cancelled' : 'flow.nothing_to_cancel') }, ...(await this.menuOrOnboarding(ctx, session))];
      }
      case 'help':
        return [{ text: ctx.t('help.text') }, ...(await this.reprompt(ctx, session))];
      case 'lang': {
        if (!command.lang) {
          return [{ text: ctx.t('lang.choose'), choices: [{ payload: 'cmd|lang|vi', label: 'Tiếng Việt' }, { payload: 'cmd|lang|en', label: 'English' }] }];
        }
        await ctx.store.identities.setLang(ctx.channel, ctx.userId, command.lang, ctx.actor);
        ctx.lang = command.lang;
        ctx.identity = { ...ctx.identity, lang: command.lang };
        return [{ text: ctx.t('lang.changed') }, ...(await this.reprompt(ctx, session))];
      }
      case 'back':
        return this.back(ctx, session);
      case 'edit':
        return this.edit(ctx, session, command.n);
      case 'page':
        return this.turnPage(ctx, session, command);
    }
  }

  /** "Trang sau" / "Trang trước": the question being asked again, on another page of its choices. */
  private async turnPage(ctx: FlowContext, session: Session, command: Extract<Command, { kind: 'page' }>): Promise<Reply[]> {
    const replies = await this.reprompt(ctx, session);
    const asked = replies[lastWithChoices(replies)];
    if (!asked) return replies.length ? replies : this.menuOrOnboarding(ctx, session);
    const at = questionKey(session);
    const from = session.page?.at === at ? session.page.n : 0;
    session.page = { at, n: clampPage(asked.choices!.length, 'to' in command ? command.to : from + command.delta) };
    return replies;
  }

  private menuFlows(ctx: FlowContext): Flow[] {
    return this.opts.flows.filter((f) => f.id !== 'onboarding' && !f.hidden && f.available(ctx));
  }

  private menu(ctx: FlowContext): Reply {
    const flows = this.menuFlows(ctx);
    return { text: ctx.t('menu.title'), choices: flows.map((f) => ({ payload: flowLinkPayload(f.id), label: ctx.t(f.title) })) };
  }

  /** The payload of the one remembered link whose label `text` names; not a number (those are the menu's), nor a menu entry's name. */
  private typedLink(ctx: FlowContext, links: Session['links'], text: string | undefined): string | undefined {
    if (!links.length || !text || /^\d+[.)]?$/.test(text)) return undefined;
    if (matchOption(this.menuFlows(ctx).map((f) => ({ id: f.id, label: ctx.t(f.title) })), text, undefined)) return undefined;
    const o = matchOption(links.map((l, i) => ({ id: String(i), label: l.label })), text, undefined);
    return o ? links[Number(o.id)]!.payload : undefined;
  }

  private async menuOrOnboarding(ctx: FlowContext, session: Session): Promise<Reply[]> {
    if (!hasJoined(ctx.identity)) return this.startFlow(ctx, session, 'onboarding');
    return [this.menu(ctx)];
  }

  private async startFlow(ctx: FlowContext, session: Session, flowId: string): Promise<Reply[]> {
    const flow = this.flowsById.get(flowId);
    if (!flow || !flow.available(ctx)) return [{ text: ctx.t('error.not_allowed') }, this.menu(ctx)];
    leaveFlow(session, ctx.now, true);
    if (flow.render) {
      const shown = await flow.render(ctx);
      session.links = linksOf(shown);
      return [...shown, this.menu(ctx)];
    }
    // Started on a target, it resumes only a flow paused on that same target: `/hoso 3` never
    // continues the decision paused on dossier 2 (that one stays paused, offered by its name).
    const args = ctx.args ?? null;
    const found = findPaused(session, flow.id, args);
    const replies: Reply[] = [];
    if (found) {
      const paused = found.entry;
      delete session.paused[found.key];
      // Answers given under another role or unit, or of an older shape, are not resumed.
      if (!this.mayContinue(ctx, flow, paused.grant ?? null)) replies.push({ text: ctx.t('flow.access_changed') });
      else if (!flow.fits(paused.data)) replies.push({ text: ctx.t('session.restarted') });
      else {
        Object.assign(session, { flow: flow.id, step: paused.step, data: paused.data, history: paused.history, grant: this.grantOf(ctx), args: paused.args });
        const step = this.currentStep(ctx, flow, session);
        if (step) return [{ text: ctx.t('flow.resumed') }, await this.prompt(ctx, flow, step, session.data)];
      }
    }
    const begun = (await flow.begin?.(ctx)) ?? {};
    if (begun.refuse) return [...replies, { text: begun.refuse }, this.menu(ctx)];
    session.flow = flow.id;
    session.args = args;
    session.data = begun.data ?? {};
    session.grant = this.grantOf(ctx);
    if (begun.notice) replies.push({ text: begun.notice });
    const first = nextStep(ctx, flow, session.data, null);
    if (!first) return [...replies, ...(await this.finish(ctx, session, flow, 'confirm'))];
    session.step = first.id;
    return [...replies, await this.prompt(ctx, flow, first, session.data)];
  }

  private currentStep(ctx: FlowContext, flow: Flow, session: Session): Step | undefined {
    return stepById(ctx, flow, session.data, session.step);
  }

  private async reprompt(ctx: FlowContext, session: Session): Promise<Reply[]> {
    const flow = this.flow(session);
    const step = flow && this.currentStep(ctx, flow, session);
    if (!flow || !step) return session.flow || !hasJoined(ctx.identity) ? [] : [this.menu(ctx)];
    return [await this.prompt(ctx, flow, step, session.data)];
  }

  /** What a step's kind may use: the answers, the summary before it, and (while answering) file downloads. */
  private env(ctx: FlowContext, flow: Flow, step: Step, data: Data, at = ctx.now): StepEnv {
    return {
      ctx,
      data,
      current: readAnswer(data, step),
      summary: () => summary(ctx, flow, data, step.id).map((l) => l.line),
      receiveFile: async (attachment) => {
        const saved = await receiveFile(this.opts, ctx, attachment, at);
        return saved.ok ? saved : { ok: false, error: ctx.t(saved.error, { mb: this.opts.files.dailyMb() }) };
      },
    };
  }

  /** The question of a step, in the form its kind gives it (choices, hints, the numbered summary). */
  private async prompt(ctx: FlowContext, flow: Flow, step: Step, data: Data): Promise<Reply> {
    return kindOf(step).prompt(step, await step.prompt(ctx, data), this.env(ctx, flow, step, data));
  }

  private async back(ctx: FlowContext, session: Session): Promise<Reply[]> {
    const flow = this.flow(session);
    if (!flow) return [{ text: ctx.t('flow.nothing_to_go_back') }, ...(await this.menuOrOnboarding(ctx, session))];
    const previous = session.history.pop();
    if (!previous) return [{ text: ctx.t('flow.at_first_step') }, ...(await this.reprompt(ctx, session))];
    session.step = previous;
    session.returnTo = null;
    return this.reprompt(ctx, session);
  }

  private async edit(ctx: FlowContext, session: Session, n: number): Promise<Reply[]> {
    const flow = this.flow(session);
    const step = flow && this.currentStep(ctx, flow, session);
    if (!flow || !step || !kindOf(step).summarises) return [{ text: ctx.t('confirm.edit_only_at_summary') }, ...(await this.reprompt(ctx, session))];
    const target = summary(ctx, flow, session.data, step.id)[n - 1];
    if (!target) return [{ text: ctx.t('confirm.edit_bad_number', { n }) }, ...(await this.reprompt(ctx, session))];
    session.returnTo = step.id;
    session.step = target.stepId;
    return this.reprompt(ctx, session);
  }

  /** One answer to the current step: its kind judges it; the engine stores it and routes to the next step. */
  private async answer(ctx: FlowContext, session: Session, flow: Flow, inbound: Inbound, text: string | undefined): Promise<Reply[]> {
    const step = this.currentStep(ctx, flow, session);
    // The flow changed under a stored session (e.g. after an upgrade): start it again.
    if (!step) return this.restart(ctx, session, flow);
    const button = parseStepPayload(inbound.payload);
    if (inbound.payload && (!button || button.stepId !== step.id)) {
      return [{ text: ctx.t('error.stale_button') }, await this.prompt(ctx, flow, step, session.data)];
    }
    const retry = async (error: string) => [{ text: error }, await this.prompt(ctx, flow, step, session.data)];
    const kind = kindOf(step);
    const attachments = inbound.attachments ?? [];
    if (!kind.takesFiles && !text && !button) {
      const hasFile = attachments.some((a) => a.kind === 'file' || a.kind === 'image');
      const sticker = attachments.some((a) => a.kind === 'sticker');
      return retry(ctx.t(hasFile ? 'error.file_not_expected' : sticker ? 'error.sticker' : 'error.empty'));
    }
    const env = this.env(ctx, flow, step, session.data, inbound.at);
    const outcome = await kind.accept(step, { text, optionId: button?.optionId, attachments }, env);
    switch (outcome.kind) {
      case 'retry':
        return retry(outcome.error);
      case 'side':
        return [...outcome.replies, await this.prompt(ctx, flow, step, session.data)];
      case 'cancel':
        leaveFlow(session, ctx.now, false);
        return [{ text: ctx.t('flow.cancelled') }, this.menu(ctx)];
      case 'finish':
        return this.finish(ctx, session, flow, outcome.action);
      case 'again':
        writeAnswer(session.data, step, outcome.value);
        return [await this.prompt(ctx, flow, step, session.data)];
      case 'answer':
        writeAnswer(session.data, step, outcome.value);
    }
    const said = await kind.feedback?.(step, outcome.value, env);
    const feedback: Reply[] = said ? [{ text: said }] : [];

    await step.after?.(ctx, session.data);
    // A step answered again (after "sửa N") keeps its place: "back" walks the flow's order,
    // and a session edited many times does not grow.
    if (!session.history.includes(step.id)) session.history.push(step.id);
    const returning = session.returnTo && session.returnTo !== step.id ? session.returnTo : null;
    // After "sửa N", a step the new answer brings in (one with no answer yet) is asked before the summary again.
    const brought = returning ? unanswered(ctx, flow, session.data, step.id, returning) : undefined;
    const next = returning ? (brought ?? applicableStep(ctx, flow, session.data, returning)) : nextStep(ctx, flow, session.data, step.id);
    session.returnTo = brought ? returning : null;
    if (!next) return [...feedback, ...(await this.finish(ctx, session, flow, 'confirm'))];
    session.step = next.id;
    return [...feedback, await this.prompt(ctx, flow, next, session.data)];
  }

  /** The stored session no longer fits the flow (changed steps, answers of another shape): begin it again, politely. */
  private async restart(ctx: FlowContext, session: Session, flow: Flow): Promise<Reply[]> {
    // Begun again on the same target.
    ctx.args = session.args ?? undefined;
    leaveFlow(session, ctx.now, false);
    return [{ text: ctx.t('session.restarted') }, ...(await this.startFlow(ctx, session, flow.id))];
  }

  /** The role and unit a flow runs under: the identity's when it started. */
  private grantOf(ctx: FlowContext): Grant {
    return { role: ctx.identity.role, unitId: ctx.identity.unitId };
  }

  /** Whether the user may still run `flow` (its own rule) under the role and unit it started with. */
  private mayContinue(ctx: FlowContext, flow: Flow, grant: Grant | null): boolean {
    if (!flow.available(ctx)) return false;
    // Sessions saved before grants were recorded carry none: the flow's rule alone decides.
    return !grant || (grant.role === ctx.identity.role && grant.unitId === ctx.identity.unitId);
  }

  /** The user's access ended mid-flow: a clear message, the answers dropped, nothing saved. */
  private async endFlow(ctx: FlowContext, session: Session): Promise<Reply[]> {
    this.opts.log.info({ channel: ctx.channel, flow: session.flow }, 'flow ended: access changed');
    leaveFlow(session, ctx.now, false);
    return [{ text: ctx.t('flow.access_ended') }, ...(await this.menuOrOnboarding(ctx, session))];
  }

  private async finish(ctx: FlowContext, session: Session, flow: Flow, action: string): Promise<Reply[]> {
    // Checked again right before anything is saved, on the identity as stored now
    // (the one read when the message arrived may be a step old by this point).
    const current = await ctx.store.identities.get(ctx.channel, ctx.userId);
    if (current) this.adopt(ctx, current);
    if (!current || !this.mayContinue(ctx, flow, session.grant)) return this.endFlow(ctx, session);
    // Answers that fit while stepping but are not complete: a question added since this session
    // passed that point. Begin again; with nothing answered it is a bug in the flow (complete() throws).
    if (!flow.isComplete(session.data) && session.history.length > 0) return this.restart(ctx, session, flow);
    const replies = await flow.complete(ctx, session.data, action);
    leaveFlow(session, ctx.now, false);
    // Roles may have changed (onboarding): rebuild what the menu offers from the stored identity.
    const fresh = await ctx.store.identities.get(ctx.channel, ctx.userId);
    if (fresh) this.adopt(ctx, fresh);
    session.links = linksOf(replies);
    return [...replies, ...(await this.menuOrOnboarding(ctx, session))];
  }

  /** Runs the rest of the step as the identity now stored. */
  private adopt(ctx: FlowContext, identity: Identity): void {
    ctx.identity = identity;
    ctx.lang = identity.lang;
    ctx.actor.role = identity.role;
    ctx.actor.grant = { role: identity.role, unitId: identity.unitId };
  }
}

export type { Lang };

/** The targeted link buttons among a flow's last replies (`go|review_accept|n_12` …), remembered for the next message. */
function linksOf(replies: Reply[]): Session['links'] {
  return replies.flatMap((r) => r.choices ?? []).filter((c) => parseDeepLink(c.payload)).map(({ label, payload }) => ({ label, payload }));
}

function lastWithChoices(replies: Reply[]): number {
  for (let i = replies.length - 1; i >= 0; i--) if (replies[i]!.choices?.length) return i;
  return -1;
}

/** Which question is being asked (a flow's step, or the menu): the page shown belongs to it. */
const questionKey = (session: Session) => `${session.flow ?? ''}/${session.step ?? ''}`;

/**
 * One batch of replies as the user sees it: only the last one with choices (the question
 * asked now, or the menu) keeps its numbers, so a typed number never means a button of an
 * earlier message; that one shows the page of its list kept for this question.
 */
function showChoices(replies: Reply[], session: Session): void {
  const last = lastWithChoices(replies);
  replies.forEach((r, i) => {
    if (i < last && r.choices?.length) r.numbered = false;
  });
  if (session.page && session.page.at !== questionKey(session)) session.page = null;
  if (last >= 0 && session.page) replies[last]!.page = session.page.n;
}
