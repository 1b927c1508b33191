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
