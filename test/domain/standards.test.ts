import { describe, expect, it } from 'vitest';
import { judgeReport, parsePercent, standardFor } from '../../src/domain/index.js';
import { campaign } from '../fixtures/campaign.js';

describe('standardFor', () => {
  it('finds the standard of a level, or undefined', () => {
    expect(standardFor(campaign, 'commune')?.indicators.map((i) => i.id)).toEqual(['records_online', 'edocs']);
    expect(standardFor(campaign, 'district')?.indicators[0]?.min).toBe(80);
    expect(standardFor(campaign, 'hamlet')).toBeUndefined();
  });
});

describe('judgeReport', () => {
  it('passes at exactly the threshold', () => {
    const r = judgeReport(campaign, 'commune', { records_online: 60, edocs: 100 });
    expect(r.passed).toBe(true);
    expect(r.hasStandard).toBe(true);
    expect(r.missing).toEqual([]);
    expect(r.indicators).toEqual([
      { id: 'records_online', label: expect.objectContaining({ vi: expect.any(String) }), min: 60, value: 60, passed: true },
      { id: 'edocs', label: expect.objectContaining({ en: 'Electronic documents' }), min: 100, value: 100, passed: true },
    ]);
  });

  it('fails just below the threshold', () => {
    const r = judgeReport(campaign, 'commune', { records_online: 59.9, edocs: 100 });
    expect(r.passed).toBe(false);
    expect(r.indicators.map((i) => i.passed)).toEqual([false, true]);
    expect(judgeReport(campaign, 'commune', { records_online: 95, edocs: 99.99 }).passed).toBe(false);
  });

  it('uses the level’s own minimum', () => {
    expect(judgeReport(campaign, 'district', { records_online: 79 }).passed).toBe(false);
    expect(judgeReport(campaign, 'district', { records_online: 80 }).passed).toBe(true);
  });

  it('reports missing indicators and fails', () => {
    const r = judgeReport(campaign, 'commune', { records_online: 90 });
    expect(r.passed).toBe(false);
    expect(r.missing).toEqual(['edocs']);
    expect(r.indicators[1]).toMatchObject({ id: 'edocs', value: null, passed: false });
    expect(judgeReport(campaign, 'commune', {}).missing).toEqual(['records_online', 'edocs']);
    // Non-finite values count as missing.
    expect(judgeReport(campaign, 'commune', { records_online: Number.NaN, edocs: 100 }).missing).toEqual(['records_online']);
    expect(judgeReport(campaign, 'commune', { records_online: null, edocs: 100 }).missing).toEqual(['records_online']);
  });

  it('lists (and ignores) values the standard does not have', () => {
    const r = judgeReport(campaign, 'commune', { records_online: 60, edocs: 100, lgsp: 10, constructor: 5 });
    expect(r.passed).toBe(true);
    expect(r.unknown).toEqual(['lgsp', 'constructor']);
    // Inherited object keys are not indicator values.
    expect(judgeReport(campaign, 'commune', {}).unknown).toEqual([]);
  });

  it('a level without a standard has nothing to pass', () => {
    const r = judgeReport(campaign, 'hamlet', { records_online: 100 });
    expect(r).toEqual({ hasStandard: false, indicators: [], passed: false, missing: [], unknown: ['records_online'] });
  });
});

describe('parsePercent', () => {
  it.each([
    ['85', 85],
    ['85%', 85],
    ['85 %', 85],
    ['85,5', 85.5],
    ['85.5', 85.5],
    [' 100 ', 100],
    ['100%', 100],
    ['0', 0],
    ['0%', 0],
    ['-0', 0],
    ['59,9', 59.9],
    ['07', 7],
    ['85.', 85],
    [',5', 0.5],
    ['100,0', 100],
    ['\u00a085\u00a0%', 85],
  ])('%j → %d', (text, value) => {
    expect(parsePercent(text)).toEqual({ ok: true, value });
  });

  it.each([
    ['', 'not_a_number'],
    ['   ', 'not_a_number'],
    ['%', 'not_a_number'],
    ['abc', 'not_a_number'],
    ['1e3', 'not_a_number'],
    ['85,5,5', 'not_a_number'],
    ['85.5.5', 'not_a_number'],
    ['NaN', 'not_a_number'],
    ['Infinity', 'not_a_number'],
    ['-Infinity', 'not_a_number'],
    ['0x10', 'not_a_number'],
    ['85%%', 'not_a_number'],
    ['8 5', 'not_a_number'],
    ['+5', 'not_a_number'],
    ['85 phần trăm', 'not_a_number'],
    ['-1', 'out_of_range'],
    ['-0,5', 'out_of_range'],
    ['101', 'out_of_range'],
    ['100,01', 'out_of_range'],
    ['1000%', 'out_of_range'],
  ])('%j → %s', (text, error) => {
    expect(parsePercent(text)).toEqual({ ok: false, error });
  });

  it('never returns -0', () => {
    const r = parsePercent('-0');
    expect(r.ok && Object.is(r.value, 0)).toBe(true);
  });
});
