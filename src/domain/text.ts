/**
 * Folds Vietnamese text for matching: no diacritics, đ→d, lower case, single spaces.
 * "Bình Thành" and "binh  THANH" both become "binh thanh".
 */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Removes characters that change how text is shown without being seen: bidi embeddings
 * and overrides (U+202A–U+202E), bidi isolates (U+2066–U+2069), zero-width and direction
 * marks (U+200B–U+200F), the word joiner (U+2060) and the BOM (U+FEFF); then NFC.
 * `evil\u202Efdp.exe` would otherwise show as "evilexe.pdf".
 */
export function stripInvisible(s: string): string {
  return s.replace(/[\u202A-\u202E\u2066-\u2069\u200B-\u200F\u2060\uFEFF]/g, '').normalize('NFC');
}
