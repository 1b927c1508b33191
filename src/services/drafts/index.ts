import fs from 'node:fs/promises';
import path from 'node:path';
import type { Campaign } from '../../campaign/schema.js';
import type { FileStore } from '../../files.js';
import type { Store } from '../../store/index.js';
import { draftFacts, type DraftDossier } from './facts.js';
import { renderDraft, type DraftKind, type MinutesVotes } from './documents.js';

export { DRAFT_KINDS, renderDraft, templateOf, basisLines, regimeLabel, type DraftKind, type MinutesVotes } from './documents.js';
export { draftFacts, placeName, type DraftDossier, type DraftFacts } from './facts.js';

/**
 * The dossier parts the bot can draft, by the part ids every preset uses (campaigns/*.json):
 * the Tờ trình, the Báo cáo thành tích (with its tóm tắt trích ngang) and the council's Biên bản.
 * The roster (Danh sách trích ngang) is not a part of its own: it goes with the Tờ trình.
 */
export const DRAFTABLE_PARTS: Readonly<Record<string, DraftKind>> = {
  to_trinh: 'proposal',
  bao_cao_thanh_tich: 'report',
  bien_ban: 'minutes',
};

export const draftKindOfPart = (partId: string): DraftKind | undefined =>
  Object.prototype.hasOwnProperty.call(DRAFTABLE_PARTS, partId) ? DRAFTABLE_PARTS[partId] : undefined;

const FILE_WORDS: Record<DraftKind, string> = {
  proposal: 'du-thao-to-trinh',
  report: 'du-thao-bao-cao-thanh-tich',
  roster: 'du-thao-danh-sach-trich-ngang',
  minutes: 'du-thao-bien-ban-hop-hoi-dong',
};

export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/**
 * Writes one draft under DATA_DIR/exports (removed with the exports after EXPORT_RETENTION_DAYS)
 * and returns it as a reply's file: "du-thao-to-trinh-ho-so-12.docx".
 */
export async function writeDraft(
  deps: { store: Store; files: FileStore; campaign: Campaign },
  kind: DraftKind,
  dossier: DraftDossier,
  now: Date,
  votes: MinutesVotes | null = null,
): Promise<{ path: string; name: string; mime: string }> {
  const facts = await draftFacts(deps.store, deps.campaign, dossier, now);
  const bytes = await renderDraft(kind, facts, votes);
  const number = dossier.id ? `ho-so-${dossier.id.replace(/^n_/, '')}` : 'ho-so-moi';
  const name = `${FILE_WORDS[kind]}-${number}.docx`;
  const stamp = now.toISOString().replace(/[-:.]/g, '').slice(0, 18);
  const rel = path.join('exports', `${deps.campaign.id}-${stamp}-${Math.random().toString(36).slice(2, 8)}-${name}`);
  const abs = deps.files.absolute({ path: rel });
  await fs.mkdir(path.dirname(abs), { recursive: true });
  await fs.writeFile(abs, bytes);
  return { path: rel, name, mime: DOCX_MIME };
}
