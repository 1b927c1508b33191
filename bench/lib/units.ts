/**
 * Unit lists in the `units:import` CSV format, for benchmarks: the importer (importUnitsCsv)
 * loads them as an operator would.
 */

/** A province → district → commune → hamlet tree with `total` hamlets, 200 per commune. */
export function unitsCsv(total: number): string {
  const lines = ['name,level,parent,code', 'Tỉnh Thử Tải,province,,P'];
  const perCommune = 200;
  const communes = Math.ceil(total / perCommune);
  const perDistrict = 25;
  let made = 0;
  for (let c = 0; c < communes; c++) {
    const d = Math.floor(c / perDistrict);
    if (c % perDistrict === 0) lines.push(`Huyện Thử ${d},district,P,P-D${d}`);
    lines.push(`Xã Thử ${c},commune,P-D${d},P-D${d}-C${c}`);
    for (let h = 0; h < perCommune && made < total; h++, made++) lines.push(`Xóm Thử ${c}-${h},hamlet,P-D${d}-C${c},P-D${d}-C${c}-H${h}`);
  }
  return lines.join('\n');
}
