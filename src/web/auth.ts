import express from 'express';
import { isReviewer } from '../domain/roles.js';
import { BASE, bare, html, tr } from './html.js';
import { LOGIN_MINUTES, SESSION_HOURS, sameToken } from './login.js';
import { cookieName, langOf, LANG_COOKIE, viewerOf, type DashboardDeps, type Viewer } from './viewer.js';

export const LOGIN_PATH = '/dang-nhap';

/** The link `/web` sends: the login page with the token. */
export const loginUrl = (publicUrl: string, token: string) => `${publicUrl}${LOGIN_PATH}?t=${encodeURIComponent(token)}`;

/**
 * Logging in and out. Opening the link shows a page whose form (sent at once by the page's
 * script, or by its button) uses the token up: link previews and scanners that only fetch
 * the URL never spend it. The session cookie is set on that POST, and the browser is sent to
 * the dashboard without the token in its address.
 */
export function authRoutes(deps: DashboardDeps): express.Router {
  const r = express.Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });

  const refused = (req: express.Request, res: express.Response) => {
    const lang = langOf(req, 'vi');
    res.status(410).type('html').send(bare(lang, tr(lang, 'web.link_invalid_title'), html`<h1>${tr(lang, 'web.link_invalid_title')}</h1><p>${tr(lang, 'web.link_invalid', { minutes: LOGIN_MINUTES })}</p>`));
  };

  r.get(LOGIN_PATH, async (req, res) => {
    const token = typeof req.query.t === 'string' ? req.query.t : '';
    if (!(await deps.logins.usable(token))) return refused(req, res);
    const lang = langOf(req, 'vi');
    res.type('html').send(
      bare(
        lang,
        tr(lang, 'web.login_title'),
        html`<h1>${tr(lang, 'web.login_title')}</h1><form method="post" action="${LOGIN_PATH}" data-auto-submit><input type="hidden" name="t" value="${token}"><p>${tr(lang, 'web.login_text')}</p><button type="submit">${tr(lang, 'web.login_button')}</button></form>`,
      ),
    );
  });

  r.post(LOGIN_PATH, form, async (req, res) => {
    const token = typeof req.body?.t === 'string' ? req.body.t : '';
    const person = await deps.logins.consume(token);
    const identity = person ? await deps.store.identities.get(person.channel, person.userId) : null;
    if (!identity || !isReviewer(identity)) return refused(req, res);
    const { id } = await deps.logins.open(identity);
    const actor = { id: `${identity.channel}:${identity.userId}`, role: identity.role, channel: 'web', grant: { role: identity.role, unitId: identity.unitId } };
    await deps.store.audit.record(actor, 'web.login', 'identity', `${identity.channel}:${identity.userId}`);
    res.cookie(cookieName(req), id, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: SESSION_HOURS * 3600_000 });
    res.redirect(303, BASE);
  });

  r.get(`${BASE}/ngon-ngu`, (req, res) => {
    const lang = req.query.lang === 'en' ? 'en' : 'vi';
    // Only back to a dashboard page (never elsewhere), and to a decision's dossier rather than its POST-only address.
    const back = typeof req.query.back === 'string' && req.query.back.startsWith(BASE) ? req.query.back.replace(/\/quyet-dinh(\?.*)?$/, '') : BASE;
    res.cookie(LANG_COOKIE, lang, { sameSite: 'strict', secure: req.secure, path: '/', maxAge: 365 * 86_400_000 });
    res.redirect(303, back);
  });

  r.post(`${BASE}/dang-xuat`, form, withViewer(deps, async (v, req, res) => {
    await deps.logins.close(v.sessionId);
    await deps.store.audit.record(v.ctx.actor, 'web.logout', 'identity', `${v.identity.channel}:${v.identity.userId}`);
    res.clearCookie(cookieName(req), { path: '/' });
    res.type('html').send(bare(v.lang, v.t('web.logged_out_title'), html`<h1>${v.t('web.logged_out_title')}</h1><p>${v.t('web.logged_out')}</p>`));
  }));

  return r;
}

type Handler = (v: Viewer, req: express.Request, res: express.Response) => Promise<void>;

/**
 * Runs `handler` for a logged-in staff member or admin; others get the "open a new link"
 * page. A POST must carry the session's CSRF token (`_csrf`) besides the SameSite cookie.
 */
export function withViewer(deps: DashboardDeps, handler: Handler): express.RequestHandler {
  return async (req, res, next) => {
    try {
      const v = await viewerOf(deps, req);
      if (!v) {
        const lang = langOf(req, 'vi');
        res.status(401).type('html').send(bare(lang, tr(lang, 'web.login_needed_title'), html`<h1>${tr(lang, 'web.login_needed_title')}</h1><p>${tr(lang, 'web.login_needed')}</p>`));
        return;
      }
      if (req.method === 'POST' && !sameToken(req.body?._csrf, v.session.csrf)) {
        res.status(403).type('html').send(v.page(v.t('web.csrf_title'), html`<h1>${v.t('web.csrf_title')}</h1><p>${v.t('web.csrf')}</p>`));
        return;
      }
      await handler(v, req, res);
    } catch (err) {
      next(err);
    }
  };
}

