import { createHash, timingSafeEqual } from 'node:crypto';
import type express from 'express';
import type { Logger } from 'pino';

/** HTTP basic auth for the simulator and Bull Board (apart from board.ts: the worker loads no Bull Board). */

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
