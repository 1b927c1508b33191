import type express from 'express';
import type { Logger } from 'pino';
import type { Campaign } from '../campaign/schema.js';
import { CHANNELS, type Identity, type Lang } from '../domain/entities.js';
import { isReviewer, reviewOffice, type Scope } from '../domain/roles.js';
import type { FlowContext } from '../engine/flow.js';
import type { FileStore } from '../files.js';
import { t, type MsgKey, type Params } from '../i18n.js';
import { reviewScope } from '../services/scope.js';
import type { Store } from '../store/index.js';
import type { Jobs } from '../../jobs/index.js';
import { waitingFor } from '../../flows/lib/review.js';
import { html, page, type Frame, type Html } from './html.js';
import type { Session, WebLogins } from './login.js';

/** What the dashboard needs from the app. */
export interface DashboardDeps {
  store: Store;
  campaign: Campaign;
  files: FileStore;
  jobs: Jobs;
  prefix: string;
  now: () => Date;
  log: Logger;
  logins: WebLogins;
  notify?: FlowContext['notify'];
}

/** The person looking at the page, re-read from the store on every request (a revoked grant ends the session's power at once). */
export interface Viewer {
  identity: Identity;
  session: Session;
  sessionId: string;
  lang: Lang;
  /** The office whose figures are theirs: null for admins (the whole campaign). */
  office: string | null;
  scope: Scope;
  /** A flow context acting as this person, with audit channel `web` (reused review rules). */
  ctx: FlowContext;
  t(key: MsgKey, params?: Params): string;
  /** Renders a full page for this viewer. */
  page(title: string, body: Html): string;
}

/** The session cookie: `__Host-` bound to HTTPS and this host when the request is secure. */
export const cookieName = (req: express.Request) => (req.secure ? '__Host-td_web' : 'td_web');
export const LANG_COOKIE = 'td_web_lang';

/** One cookie from the request's Cookie header. */
export function cookie(req: express.Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export const langOf = (req: express.Request, fallback: Lang): Lang => {
  const c = cookie(req, LANG_COOKIE);
  return c === 'vi' || c === 'en' ? c : fallback;
};

/** The viewer of this request, or null (no session, ended, or no longer staff or admin). */
export async function viewerOf(deps: DashboardDeps, req: express.Request): Promise<Viewer | null> {
  const sessionId = cookie(req, cookieName(req));
  const session = await deps.logins.session(sessionId);
  if (!session || !sessionId || !CHANNELS.includes(session.channel)) return null;
  const identity = await deps.store.identities.get(session.channel, session.userId);
  if (!identity || !isReviewer(identity)) return null;
  const lang = langOf(req, identity.lang);
  const office = reviewOffice(identity);
  const scope = await reviewScope(deps.store, office);
  const tr = (key: MsgKey, params?: Params) => t(lang, key, params);
  const ctx: FlowContext = {
    channel: identity.channel,
    userId: identity.userId,
    lang,
    now: deps.now(),
    identity,
    campaign: deps.campaign,
    store: deps.store,
    files: deps.files,
    t: tr,
    jobs: deps.jobs,
    notify: deps.notify,
    // The person's own account, so the store re-checks their grant; the channel says the change came from the dashboard.
    actor: { id: `${identity.channel}:${identity.userId}`, role: identity.role, channel: 'web', grant: { role: identity.role, unitId: identity.unitId } },
  };
  const officeUnit = office ? await deps.store.units.get(office) : null;
  const who = tr(identity.role === 'admin' ? 'web.who_admin' : 'web.who_staff', { office: officeUnit?.name ?? '' });
  const frame = (waiting: number): Frame => ({ lang, who, csrf: session.csrf, here: req.originalUrl, waiting });
  let waitingCount: number | null = null;
  const v: Viewer = {
    identity,
    session,
    sessionId,
    lang,
    office,
    scope,
    ctx,
    t: tr,
    page: (title, body) => page(frame(waitingCount ?? 0), title, body),
  };
  // The header's count of dossiers waiting for this person.
  waitingCount = (await waitingFor(ctx)).length;
  return v;
}

/** 404 page for anything outside the viewer's scope (never "forbidden": it does not say the thing exists). */
export function notFound(v: Viewer, res: express.Response): void {
  res.status(404).type('html').send(v.page(v.t('web.not_found_title'), html`<h1>${v.t('web.not_found_title')}</h1><p>${v.t('web.not_found')}</p>`));
}
