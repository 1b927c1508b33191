import { pino, type Logger } from 'pino';

/** Paths that may carry personal data or secrets; pino replaces them with [redacted]. */
const redact = [
  'token', 'accessToken', 'refreshToken', 'access_token', 'refresh_token', 'secret',
  '*.token', '*.access_token', '*.refresh_token', '*.secret', 'headers.authorization',
  'text', '*.text', 'name', '*.name', 'phone', '*.phone',
];

export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, redact: { paths: redact, censor: '[redacted]' }, base: { app: 'thidua-bot' } });
}

export const log = createLogger();
