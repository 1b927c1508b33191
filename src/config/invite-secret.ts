import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './index.js';

export const INVITE_SECRET_FILE = 'invite-secret';

/**
 * The HMAC key for invite codes: INVITE_SECRET, or else 32 random bytes (hex) generated
 * once into DATA_DIR/invite-secret (mode 0600). The file appears complete or not at all
 * (written aside, then hard-linked into place), so two processes starting together on one
 * machine end up with the same secret. Processes on different machines must set INVITE_SECRET:
 * the store refuses to start with a secret other than the one Redis has seen (invites.checkSecret).
 */
export function loadInviteSecret(config: Pick<Config, 'INVITE_SECRET' | 'dataDir'>): string {
  if (config.INVITE_SECRET) return config.INVITE_SECRET;
  const file = path.join(config.dataDir, INVITE_SECRET_FILE);
  const existing = readSecret(file);
  if (existing) return existing;
  fs.mkdirSync(config.dataDir, { recursive: true });
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(aside, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(aside, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another process won: use its secret
  } finally {
    fs.rmSync(aside, { force: true });
  }
  const created = readSecret(file);
  if (!created) throw new Error(`${file} could not be read back; remove it or set INVITE_SECRET`);
  return created;
}

function readSecret(file: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const secret = text.trim();
  if (!/^[0-9a-f]{64}$/.test(secret)) throw new Error(`${file} is not a generated invite secret (64 hex characters); remove it or set INVITE_SECRET`);
  return secret;
}
