import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Campaign } from '../campaign/schema.js';
import type { Lang } from '../domain/entities.js';
import { dossierNumber, isInScope } from '../domain/index.js';
import { stripInvisible } from '../domain/text.js';
import { documentName, type FileStore } from '../files.js';
import type { Store } from '../store/index.js';
import { exportSheets, writeXlsx } from './export.js';
import { reviewScope } from './scope.js';

/** What went into a council pack. */
export interface CouncilZip {
  dossiers: number;
  files: number;
  /** Stored files a dossier names that are no longer on disk (left out of the pack). */
  missing: string[];
}

/** A folder name with only safe characters: Vietnamese letters folded to ASCII, no path separators, at most 80 characters. */
export function safeFolderName(text: string): string {
  const folded = stripInvisible(text)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đ]/g, 'd')
    .replace(/[Đ]/g, 'D')
    .replace(/[^A-Za-z0-9 ._-]/g, '-')
    .replace(/ {2,}/g, ' ')
    .replace(/-{2,}/g, '-')
    .slice(0, 80)
    .trim();
  // No leading dots (hidden folders, "..").
  return folded.replace(/^\.+/, '') || 'ho-so';
}

/** The folder of one dossier in the pack: "Ho-so-so-<N> - <nominee>". */
export const dossierFolder = (n: { id: string; nominee: { name: string } }) => safeFolderName(`Ho-so-so-${dossierNumber(n)} - ${n.nominee.name}`);

/**
 * The council pack of one scope (an office's, services/scope.ts, or everything) for one year:
 * the council workbook (exportSheets) at the root, and one folder per dossier holding its
 * stored files under the names the bot gives them when it sends them (documentName).
 */
export async function writeCouncilZip(
  store: Store,
  files: Pick<FileStore, 'absolute'>,
  campaign: Campaign,
  officeUnitId: string | null,
  year: number,
  lang: Lang,
  now: Date,
  out: string,
  xlsxName: string,
): Promise<CouncilZip> {
  const { default: JSZip } = await import('jszip'); // on first use: the worker never zips
  const zip = new JSZip();
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'council-'));
  try {
    const xlsx = path.join(tmp, 'council.xlsx');
    await writeXlsx(await exportSheets(store, campaign, officeUnitId, year, lang, now), xlsx);
    zip.file(xlsxName, await fsp.readFile(xlsx));
    const scope = await reviewScope(store, officeUnitId);
    const nominations = (await store.nominations.list(campaign.id, year))
      .filter((n) => isInScope(scope, n.unitId))
      .sort((a, b) => Number(dossierNumber(a)) - Number(dossierNumber(b)));
    const result: CouncilZip = { dossiers: 0, files: 0, missing: [] };
    for (const n of nominations) {
      const folder = zip.folder(dossierFolder(n))!;
      result.dossiers++;
      const used = new Set<string>();
      for (const [partId, f] of Object.entries(n.parts)) {
        const part = campaign.dossierParts.find((p) => p.id === partId);
        const base = documentName(part ? part.label[lang] : partId, f, `ho-so-${dossierNumber(n)}`);
        const ext = path.extname(base);
        let name = base;
        for (let i = 2; used.has(name); i++) name = `${base.slice(0, base.length - ext.length)}-${i}${ext}`;
        used.add(name);
        const abs = files.absolute(f);
        if (!fs.existsSync(abs)) {
          result.missing.push(f.path);
          continue;
        }
        folder.file(name, await fsp.readFile(abs));
        result.files++;
      }
    }
    await fsp.mkdir(path.dirname(out), { recursive: true });
    await new Promise<void>((resolve, reject) => {
      zip
        .generateNodeStream({ type: 'nodebuffer', streamFiles: true, compression: 'DEFLATE' })
        .on('error', reject)
        .pipe(fs.createWriteStream(out))
        .on('finish', resolve)
        .on('error', reject);
    });
    return result;
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}
