import express, { type RequestHandler, type Router } from 'express';
import fs from 'node:fs';
import { fromRoot } from '../../paths.js';
import { z } from 'zod';
import { FilesFullError } from '../../files.js';
import type { SimulatorChannel } from './channel.js';

export interface DemoUser {
  id: string;
  label: string;
}

const userId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/);
const sendBody = z.object({
  user: userId,
  text: z.string().max(10_000).optional(),
  payload: z.string().max(64).optional(),
  label: z.string().max(200).optional(),
  upload: z.object({ id: z.string().uuid(), name: z.string().min(1).max(255), size: z.number().int().min(0) }).optional(),
});

// Read from the source tree so the built JS in dist/ serves the same page.
const page = fs.readFileSync(fromRoot('src', 'channels', 'simulator', 'page.html'), 'utf8');

const clockBody = z.union([
  z.object({ shortcut: z.string().min(1).max(64) }).strict(),
  z.object({ date: z.string().min(1).max(20), time: z.string().max(5).optional() }).strict(),
  z.object({ at: z.string().min(1).max(40) }).strict(),
  z.object({ today: z.literal(true) }).strict(),
]);

/**
 * The demo clock as the simulator sees it (jobs/clock.ts implements it; the app passes
 * it only for the local demo store). `move` answers an error sentence or the new view.
 */
export interface SimClockPort {
  view(): Promise<unknown>;
  move(target: z.infer<typeof clockBody>): Promise<{ error: string } | { view: unknown; move: unknown; message: string }>;
  /** The sentence for a request that names no date. */
  badRequest: string;
}

export interface SimulatorRouteOptions {
  /** Runs before the page and every API call (basic auth when SIMULATOR_PASSWORD is set). */
  guard?: RequestHandler;
  /** Shown above the chat (the sandbox says what its messages can and cannot reach). */
  notice?: string;
  /** The demo clock: GET/POST /sim/api/clock exist only with it (404 otherwise). */
  clock?: SimClockPort;
}

const open: RequestHandler = (_req, _res, next) => next();

/** The web simulator: a page, and a small JSON API it talks to. */
export function simulatorRoutes(sim: SimulatorChannel, demoUsers: () => Promise<DemoUser[]>, opts: SimulatorRouteOptions = {}): Router {
  const guard = opts.guard ?? open;
  const r = express.Router();
  r.get('/', guard, (_req, res) => {
    res.type('html').send(page);
  });
  r.use('/sim/api', guard);
  r.get('/sim/api/info', (_req, res) => {
    res.json({ notice: opts.notice ?? null, clock: Boolean(opts.clock) });
  });
  const clock = opts.clock;
  if (clock) {
    r.get('/sim/api/clock', async (_req, res) => {
      res.json(await clock.view());
    });
    r.post('/sim/api/clock', express.json({ limit: '4kb' }), async (req, res) => {
      const body = clockBody.safeParse(req.body);
      if (!body.success) return void res.status(400).json({ error: 'clock', message: clock.badRequest });
      const moved = await clock.move(body.data);
      if ('error' in moved) return void res.status(400).json({ error: 'clock', message: moved.error });
      res.json(moved);
    });
  }
  r.get('/sim/api/users', async (_req, res) => {
    res.json(await demoUsers());
  });
  r.get('/sim/api/transcript', async (req, res) => {
    const user = userId.safeParse(req.query.user);
    if (!user.success) return void res.status(400).json({ error: 'user' });
    res.json(await sim.transcript(user.data));
  });
  r.post('/sim/api/send', express.json({ limit: '64kb' }), async (req, res) => {
    const body = sendBody.safeParse(req.body);
    if (!body.success) return void res.status(400).json({ error: body.error.issues[0]?.message });
    const { user, ...input } = body.data;
    res.json({ replies: await sim.receive(user, input) });
  });
  r.get('/sim/api/image/:name', (req, res) => {
    const file = sim.imageFile(req.params.name);
    if (!file || !fs.existsSync(file)) return void res.status(404).json({ error: 'image' });
    res.type('png').sendFile(file);
  });
  r.post('/sim/api/upload', express.raw({ type: '*/*', limit: '21mb' }), async (req, res) => {
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) return void res.status(400).json({ error: 'empty' });
    try {
      res.json({ id: await sim.upload(req.body), size: req.body.length });
    } catch (err) {
      if (!(err instanceof FilesFullError)) throw err;
      res.status(507).json({ error: 'storage full' });
    }
  });
  return r;
}
