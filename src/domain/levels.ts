/**
 * Unit levels. A level is a short id (`province`, `commune`, `hamlet` …); which levels a
 * campaign has and which may sit under which come from its file (`hierarchy`), with the
 * tree of the 2021–2025 plans as the default. Everything asks here, never a table of its own.
 */

/** A level id: short lower-case, e.g. `commune`, `special_zone`. */
export type UnitLevel = string;
export const LEVEL_ID = /^[a-z][a-z0-9_]{0,31}$/;

/**
 * Levels the bot knows without a label in the campaign file (their names are `level.<id>`
 * in the locales and the CSV import knows their Vietnamese names).
 */
export const KNOWN_LEVELS = [
  'province', // tỉnh, thành phố trực thuộc trung ương
  'department', // sở, ban, ngành, đoàn thể tỉnh
  'district', // huyện (until 30/6/2025; the 2021–2025 plans)
  'district_agency', // phòng, ban, ngành, đoàn thể huyện
  'commune', // xã (and, in the old plans, phường, thị trấn)
  'ward', // phường
  'special_zone', // đặc khu
  'commune_agency', // cơ quan, đơn vị, ban chỉ đạo cấp xã
  'hamlet', // xóm, ấp, thôn, tổ dân phố
  'tech_team', // tổ công nghệ số cộng đồng
  'enterprise', // doanh nghiệp
  'organization', // tổ chức hợp pháp khác
  'cluster', // Cụm thi đua
  'bloc', // Khối thi đua
] as const;
export type KnownLevel = (typeof KNOWN_LEVELS)[number];
export const isKnownLevel = (id: string): id is KnownLevel => (KNOWN_LEVELS as readonly string[]).includes(id);

/** Administrative levels (cấp hành chính): where a campaign's offices usually sit. */
export const ADMINISTRATIVE_LEVELS: readonly KnownLevel[] = ['province', 'district', 'commune', 'ward', 'special_zone'];

/** Kinds of individual (cá nhân) participant. */
export const INDIVIDUAL_KINDS = [
  'civil_servant', // cán bộ, công chức, viên chức, người lao động
  'household', // hộ gia đình
  'citizen', // nhân dân
  'entrepreneur', // doanh nhân
  'scientist', // trí thức, nhà khoa học
  'overseas', // người Việt Nam ở nước ngoài
] as const;
export type IndividualKind = (typeof INDIVIDUAL_KINDS)[number];

export interface LevelLabel {
  readonly vi: string;
  readonly en: string;
}

/** A campaign's unit levels and which level may be the parent of which (the campaign file's `hierarchy`). */
export interface Hierarchy {
  readonly levels: readonly { readonly id: UnitLevel; readonly label?: LevelLabel | undefined }[];
  /** For each level, the levels its parent may have; a level not listed here is only a root. */
  readonly parents: Readonly<Record<UnitLevel, readonly UnitLevel[]>>;
}

/** The tree of the 2021–2025 plans (province → district → commune → hamlet …): a campaign without `hierarchy`. */
export const DEFAULT_HIERARCHY: Hierarchy = {
  levels: ['province', 'department', 'district', 'district_agency', 'commune', 'commune_agency', 'hamlet', 'tech_team', 'enterprise', 'organization'].map(
    (id) => ({ id }),
  ),
  parents: {
    province: [],
    department: ['province'],
    district: ['province'],
    district_agency: ['district'],
    // Under a province directly since 1/7/2025 (two-level local government, docs/legal-context.md):
    // the old plans' communes after the 2025 mergers (units:merge).
    commune: ['district', 'province'],
    commune_agency: ['commune'],
    hamlet: ['commune'],
    tech_team: ['commune', 'hamlet', 'district'],
    enterprise: ['province', 'district', 'commune'],
    organization: ['province', 'district', 'commune'],
  },
};

/**
 * Today's tree (two-level local government since 1/7/2025, docs/legal-context.md): the
 * province, its departments, clusters and blocs; communes, wards and special zones directly
 * under it; their agencies, hamlets and digital-technology teams below. What campaign:new
 * offers and writes for a new campaign.
 */
const LOCAL = ['commune', 'ward', 'special_zone'];
export const TODAY_HIERARCHY: Hierarchy = {
  levels: ['province', 'department', 'cluster', 'bloc', 'commune', 'ward', 'special_zone', 'commune_agency', 'hamlet', 'tech_team', 'enterprise', 'organization'].map((id) => ({ id })),
  parents: {
    province: [],
    department: ['province'],
    cluster: ['province'],
    bloc: ['province'],
    commune: ['province'],
    ward: ['province'],
    special_zone: ['province'],
    commune_agency: LOCAL,
    hamlet: LOCAL,
    tech_team: [...LOCAL, 'hamlet'],
    enterprise: ['province', ...LOCAL],
    organization: ['province', 'cluster', 'bloc', ...LOCAL],
  },
};

/** A hierarchy, or anything that may carry one (a campaign). */
export type HierarchySource = Hierarchy | { readonly hierarchy?: Hierarchy | undefined };

/** The hierarchy in effect: the campaign's own, else DEFAULT_HIERARCHY. */
export function hierarchyOf(from: HierarchySource): Hierarchy {
  if ('levels' in from) return from;
  return from.hierarchy ?? DEFAULT_HIERARCHY;
}

/** The level ids of a campaign (or hierarchy), in the order the file gives them. */
export function levelsOf(from: HierarchySource): UnitLevel[] {
  return hierarchyOf(from).levels.map((l) => l.id);
}

/** Is `level` one of the campaign's levels? */
export function isLevelOf(from: HierarchySource, level: string): boolean {
  return hierarchyOf(from).levels.some((l) => l.id === level);
}

/** The levels a unit of `level` may have as its parent in this campaign (none: only a root). */
export function allowedParents(from: HierarchySource, level: UnitLevel): readonly UnitLevel[] {
  const h = hierarchyOf(from);
  return Object.prototype.hasOwnProperty.call(h.parents, level) ? h.parents[level]! : [];
}

/**
 * May a unit of `child` level sit under a unit of `parent` level in this campaign? The one
 * answer to that question. Both must be levels of the campaign. A root (parent null) is
 * allowed at any of its levels: a campaign's tree starts at the issuer's level.
 */
export function mayBeParent(from: HierarchySource, child: UnitLevel, parent: UnitLevel | null): boolean {
  if (!isLevelOf(from, child)) return false;
  if (parent === null) return true;
  return isLevelOf(from, parent) && allowedParents(from, child).includes(parent);
}

/** The campaign's own label of a level, if its file gives one (else the locales' `level.<id>`). */
export function levelLabelOf(from: HierarchySource, level: UnitLevel): LevelLabel | undefined {
  return hierarchyOf(from).levels.find((l) => l.id === level)?.label;
}

/** What officeLevels reads from a campaign. */
export interface OfficeSource {
  readonly hierarchy?: Hierarchy | undefined;
  readonly standingOffice: { readonly level: UnitLevel };
  readonly appraisalOffice: { readonly level: UnitLevel };
  readonly offices?: readonly { readonly level: UnitLevel }[] | undefined;
}

/**
 * Levels a staff member's office (a reviewing office) may have in this campaign: its
 * administrative levels (tỉnh, xã, phường, đặc khu; huyện only where its tree has one)
 * and the levels of the offices its plan names (Sở, Văn phòng HĐND-UBND xã …).
 */
export function officeLevels(c: OfficeSource): UnitLevel[] {
  const named = [c.standingOffice.level, c.appraisalOffice.level, ...(c.offices ?? []).map((o) => o.level)];
  return levelsOf(c).filter((l) => (ADMINISTRATIVE_LEVELS as readonly string[]).includes(l) || named.includes(l));
}

/** The words that open an administrative unit's name, old and new ("huyện" only in names from before 1/7/2025). */
const LEVEL_WORD = /^(tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn|đặc khu)\s+/iu;

/** "Xã Bình Thành" → "Bình Thành": a unit's name without its level word. */
export const withoutLevelWord = (name: string): string => name.replace(LEVEL_WORD, '');
