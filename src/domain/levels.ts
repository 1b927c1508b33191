/** Kinds of collective (tập thể) a campaign can involve, in administrative order. */
export const UNIT_LEVELS = [
  'province', // tỉnh
  'department', // sở, ban, ngành, đoàn thể tỉnh
  'district', // huyện
  'district_agency', // phòng, ban, ngành, đoàn thể huyện
  'commune', // xã, phường, thị trấn
  'commune_agency', // cơ quan, đơn vị, ban chỉ đạo cấp xã
  'hamlet', // xóm, ấp, thôn
  'tech_team', // tổ công nghệ số cộng đồng
  'enterprise', // doanh nghiệp
  'organization', // tổ chức hợp pháp khác, thành viên Khối/Cụm thi đua
] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];

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

/** Levels that may be the parent of each level in the unit tree. */
export const PARENT_LEVELS: Record<UnitLevel, readonly UnitLevel[]> = {
  province: [],
  department: ['province'],
  district: ['province'],
  district_agency: ['district'],
  // Under a province directly since 1/7/2025 (two-level local government; docs/legal-context.md).
  commune: ['district', 'province'],
  commune_agency: ['commune'],
  hamlet: ['commune'],
  tech_team: ['commune', 'hamlet', 'district'],
  enterprise: ['province', 'district', 'commune'],
  organization: ['province', 'district', 'commune'],
};
