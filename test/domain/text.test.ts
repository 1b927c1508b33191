import { describe, expect, it } from 'vitest';
import { fold } from '../../src/domain/text.js';

describe('fold', () => {
  it('ignores diacritics, đ, case and spacing', () => {
    expect(fold('Bình Thành')).toBe('binh thanh');
    expect(fold('  binh   THANH ')).toBe('binh thanh');
    expect(fold('Đăng ký thi đua')).toBe('dang ky thi dua');
    expect(fold('HỦY')).toBe('huy');
    expect(fold('Quay lại')).toBe('quay lai');
  });
  it('treats precomposed and combining forms alike', () => {
    expect(fold('Thành'.normalize('NFC'))).toBe(fold('Thành'.normalize('NFD')));
  });
});
