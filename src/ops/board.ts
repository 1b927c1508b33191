import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { requireBasicAuth } from './basic-auth.js';

export const BOARD_PATH = '/admin/queues';

export { basicAuthMatches, requireBasicAuth } from './basic-auth.js';

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
