import { describe, expect, it } from 'vitest';
import { decisionWho } from '../../flows/lib/review.js';

describe('who a decision is about', () => {
  it('names a unit that proposes itself once, a person with their unit', () => {
    expect(decisionWho({ nominee: 'Xóm Đồng Tâm', unit: 'Xóm Đồng Tâm' })).toBe('Xóm Đồng Tâm');
    expect(decisionWho({ nominee: 'Nguyễn Thị Hoa', unit: 'Xóm Đồng Tâm' })).toBe('Nguyễn Thị Hoa, Xóm Đồng Tâm');
  });
});
