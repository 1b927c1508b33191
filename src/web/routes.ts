import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import { fromRoot } from '../paths.js';
import { FONT_FILES } from '../services/charts/font.js';
import { authRoutes, LOGIN_PATH, withViewer } from './auth.js';
import { councilPack, decideFromPage, dossierPage, draftFile, partFile, waitingPage } from './dossiers.js';
import { ASSETS, BASE } from './html.js';
import { progressPage, unitPage } from './progress.js';
import { schedulePage } from './schedule.js';
import type { DashboardDeps } from './viewer.js';

export type { DashboardDeps } from './viewer.js';
export { loginUrl } from './auth.js';

const asset = (name: string) => fs.readFileSync(fromRoot('src', 'web', 'assets', name), 'utf8');
const ASSET_FILES: Record<string, { type: string; body: string | Buffer }> = {
  'dashboard.css': { type: 'text/css', body: asset('dashboard.css') },
  'dashboard.js': { type: 'text/javascript', body: asset('dashboard.js') },
  // The charts' own font, so the inline chart SVG looks in the browser as the picture sent in chat.
  ...Object.fromEntries(FONT_FILES.map((f) => [path.basename(f), { type: 'font/ttf', body: fs.readFileSync(f) }])),
};

/**
 * Nothing from elsewhere: scripts, styles and images only from this app (the chart's SVG is
 * inline markup, whose style attributes need 'unsafe-inline' for styles only), no framing,
 * forms only to here, and no Referer carrying a login token anywhere.
 */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The web dashboard (docs/dashboard.md): login by one-time link, then the pages, under /bang-dieu-khien. */
export function dashboardRoutes(deps: DashboardDeps): express.Router {
  const r = express.Router();
  r.use([LOGIN_PATH, BASE], (_req, res, next) => {
    res.set({ 'content-security-policy': CSP, 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'cache-control': 'no-store' });
    next();
  });
  r.get(`${ASSETS}/:name`, (req, res) => {
    const a = ASSET_FILES[req.params.name];
    if (!a) return void res.status(404).end();
    res.set('cache-control', 'public, max-age=3600').type(a.type).send(a.body);
  });
  r.use(authRoutes(deps));
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const page = (h: Parameters<typeof withViewer>[1]) => withViewer(deps, h);
  r.get(BASE, page((v, req, res) => progressPage(deps, v, req, res)));
  r.get(`${BASE}/don-vi/:id`, page((v, req, res) => unitPage(deps, v, req, res)));
  r.get(`${BASE}/cho-duyet`, page((v, req, res) => waitingPage(deps, v, req, res)));
  r.get(`${BASE}/ho-so/:id`, page((v, req, res) => dossierPage(deps, v, req, res)));
  r.get(`${BASE}/ho-so/:id/tep/:part`, page((v, req, res) => partFile(deps, v, req, res)));
  r.get(`${BASE}/ho-so/:id/du-thao/:kind`, page((v, req, res) => draftFile(deps, v, req, res)));
  r.post(`${BASE}/ho-so/:id/quyet-dinh`, form, page((v, req, res) => decideFromPage(deps, v, req, res)));
  r.get(`${BASE}/lich`, page((v, req, res) => schedulePage(deps, v, req, res)));
  r.get(`${BASE}/tai-ve`, page((v, req, res) => councilPack(deps, v, req, res)));
  return r;
}
