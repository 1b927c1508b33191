/** Shared plumbing for the fake platform servers: listen on loopback, close hard, wait for state. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express, NextFunction, Request, Response } from 'express';

export interface Listening {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  base: string;
  server: Server;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (a free port unless one is given). */
export async function listen(app: Express, port = 0, keepAliveMs = 1_000): Promise<Listening> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
    s.on('error', reject);
  });
  // Clients (grammY, axios) keep connections alive; close() must not wait for them. Benchmarks
  // ask for longer, as the platforms keep them: undici drops a connection whose server says
  // it keeps it only a second, so each call would pay for a new one.
  server.keepAliveTimeout = keepAliveMs;
  const { port: actual } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${actual}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** express middleware: the whole request body as a Buffer in `req.body` (empty Buffer if none). */
export function rawBody(limitBytes = 60 * 1024 * 1024) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limitBytes && !failed) {
        failed = true;
        res.status(413).json({ error: 'request entity too large' });
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (failed) return;
      (req as Request & { body: Buffer }).body = Buffer.concat(chunks);
      next();
    });
    req.on('error', (err) => {
      if (!failed) next(err);
    });
  };
}

/**
 * A notifier that lets tests wait until some state is reached, without polling loops
 * that outlive the test: `waitFor(() => value | undefined, ms)`.
 */
export class Waiters {
  private readonly listeners = new Set<() => void>();

  notify(): void {
    for (const l of [...this.listeners]) l();
  }

  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        const v = probe();
        if (v !== undefined && v !== null && v !== false) {
          cleanup();
          resolve(v);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`waitFor timed out after ${timeoutMs} ms: ${what}`));
      }, timeoutMs);
      const listener = (): void => {
        check();
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      this.listeners.add(listener);
      check();
    });
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
