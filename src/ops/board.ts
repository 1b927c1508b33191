import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type Router } from 'express';
import type { Logger } from 'pino';

export const BOARD_PATH = '/admin/queues';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Constant-time check of HTTP basic credentials (hashing first hides the lengths too).
 * `user` null: any user name, only the password counts (the simulator has no user variable).
 */
export function basicAuthMatches(header: string | undefined, user: string | null, password: string): boolean {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
  const i = decoded.indexOf(':');
  const givenUser = i >= 0 ? decoded.slice(0, i) : '';
  const givenPassword = i >= 0 ? decoded.slice(i + 1) : '';
  // Both compared every time, so a wrong user takes as long as a wrong password.
  const userOk = timingSafeEqual(digest(givenUser), digest(user ?? givenUser));
  const passwordOk = timingSafeEqual(digest(givenPassword), digest(password));
  return m !== null && i >= 0 && userOk && passwordOk;
}

/** Express middleware: 401 with a basic-auth challenge unless the credentials match. */
export function requireBasicAuth(auth: { user: string | null; password: string; realm: string }, log: Logger): express.RequestHandler {
  return (req, res, next) => {
    if (basicAuthMatches(req.get('authorization'), auth.user, auth.password)) return next();
    log.warn({ ip: req.ip, realm: auth.realm }, 'basic auth: wrong or missing credentials');
    res.set('WWW-Authenticate', `Basic realm="${auth.realm}", charset="UTF-8"`).status(401).json({ error: 'unauthorized' });
  };
}

/** Bull Board at /admin/queues behind HTTP basic auth; `queues` is read on each request. */
export function bullBoard(queues: () => Queue[], auth: { user: string; password: string }, log: Logger): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(BOARD_PATH);
  const board = createBullBoard({
    queues: [],
    // @bull-board/express carries its own patch release of @bull-board/api: same shapes, separate declarations.
    serverAdapter: adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'thidua-bot' } },
  });
  const known = new Set<string>();
  const r = express.Router();
  r.use(BOARD_PATH, requireBasicAuth({ ...auth, realm: 'thidua-bot queues' }, log), (_req, _res, next) => {
    // Outbox queues are created on first use: add the ones that appeared since.
    for (const q of queues()) {
      if (known.has(q.name)) continue;
      known.add(q.name);
      board.addQueue(new BullMQAdapter(q));
    }
    next();
  });
  r.use(BOARD_PATH, adapter.getRouter() as Router);
  return r;
}
