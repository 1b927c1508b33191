import { formatInTimeZone } from 'date-fns-tz';
import { describe, expect, it } from 'vitest';
import {
  addCivilDays,
  campaignDeadlines,
  civilDaysBetween,
  daysLeft,
  deadlineDueDay,
  DomainError,
  dossierDeadline,
  dossierYears,
  dueInstant,
  formatCivilDate,
  formatDeadline,
  formatVn,
  formatVnDateTime,
  isLate,
  nextDeadline,
  parseClock,
  registrationDeadline,
  registrationDueDay,
  reminderInstants,
  reminderSchedule,
  remindersDue,
  reportDeadline,
  staffAlertSchedule,
  upcomingDeadlines,
  vnDate,
  vnInstant,
} from '../../src/domain/index.js';
import { campaign, campaignInput, campaignWith } from '../fixtures/campaign.js';
import { PROCESS_TEST_TIMEOUT, run } from '../helpers/process.js';

const Z = (s: string) => new Date(s);
const iso = (d: Date) => d.toISOString();

describe('Vietnam time', () => {
  it('vnInstant is the instant of a Vietnam wall-clock time (UTC+7)', () => {
    expect(iso(vnInstant(2024, 12, 5))).toBe('2024-12-04T17:00:00.000Z');
    expect(iso(vnInstant(2024, 12, 5, 8, 0))).toBe('2024-12-05T01:00:00.000Z');
    expect(iso(vnInstant(2024, 12, 5, 23, 59))).toBe('2024-12-05T16:59:00.000Z');
    expect(iso(vnInstant(2022, 1, 1))).toBe('2021-12-31T17:00:00.000Z');
    expect(iso(vnInstant(2024, 2, 29, 6, 30))).toBe('2024-02-28T23:30:00.000Z');
  });

  it('vnInstant rejects days and times that do not exist', () => {
    for (const [y, m, d, hh, mm] of [
      [2023, 2, 29, 0, 0],
      [2024, 4, 31, 0, 0],
      [2024, 13, 1, 0, 0],
      [2024, 0, 1, 0, 0],
      [2024, 1, 0, 0, 0],
      [2024, 1, 1, 24, 0],
      [2024, 1, 1, 0, 60],
      [2024, 1, 1.5, 0, 0],
    ] as const) {
      expect(() => vnInstant(y, m, d, hh, mm)).toThrow(DomainError);
    }
    try {
      vnInstant(2023, 2, 29);
    } catch (e) {
      expect((e as DomainError).code).toBe('invalid_date');
    }
  });

  it('vnDate is the Vietnam calendar day of an instant', () => {
    expect(vnDate(Z('2024-12-04T16:59:59.999Z'))).toEqual({ year: 2024, month: 12, day: 4 });
    expect(vnDate(Z('2024-12-04T17:00:00.000Z'))).toEqual({ year: 2024, month: 12, day: 5 });
    expect(vnDate(Z('2021-12-31T17:00:00.000Z'))).toEqual({ year: 2022, month: 1, day: 1 });
    expect(vnDate(Z('2021-12-31T16:59:59.999Z'))).toEqual({ year: 2021, month: 12, day: 31 });
  });

  it('vnDate remembers the last day it found, and never answers from it outside that day', () => {
    const inside = vnDate(Z('2024-12-04T10:00:00Z'));
    inside.day = 99; // callers may change what they get
    expect(vnDate(Z('2024-12-04T16:59:59.999Z'))).toEqual({ year: 2024, month: 12, day: 4 });
    expect(vnDate(Z('2024-12-03T16:59:59.999Z'))).toEqual({ year: 2024, month: 12, day: 3 });
    expect(vnDate(Z('2024-12-03T17:00:00.000Z'))).toEqual({ year: 2024, month: 12, day: 4 });
    expect(vnDate(Z('2024-12-04T17:00:00.000Z'))).toEqual({ year: 2024, month: 12, day: 5 });
    expect(vnDate(Z('2024-12-04T16:59:59.999Z'))).toEqual({ year: 2024, month: 12, day: 4 });
    // Days when the zone's offset was not +7 go through the zone rules like any other.
    const [y, m, d] = formatInTimeZone(Z('1974-06-01T16:30:00Z'), 'Asia/Ho_Chi_Minh', 'yyyy-M-d').split('-').map(Number);
    expect(vnDate(Z('1974-06-01T16:30:00Z'))).toEqual({ year: y, month: m, day: d });
  });

  it('calendar arithmetic crosses months, years and leap days', () => {
    expect(addCivilDays({ year: 2024, month: 12, day: 5 }, -7)).toEqual({ year: 2024, month: 11, day: 28 });
    expect(addCivilDays({ year: 2021, month: 12, day: 31 }, 1)).toEqual({ year: 2022, month: 1, day: 1 });
    expect(addCivilDays({ year: 2024, month: 3, day: 1 }, -1)).toEqual({ year: 2024, month: 2, day: 29 });
    expect(civilDaysBetween({ year: 2024, month: 1, day: 1 }, { year: 2025, month: 1, day: 1 })).toBe(366);
    expect(civilDaysBetween({ year: 2024, month: 12, day: 6 }, { year: 2024, month: 12, day: 5 })).toBe(-1);
  });

  it('parseClock reads HH:mm only', () => {
    expect(parseClock('08:00')).toEqual({ hh: 8, mm: 0 });
    expect(parseClock('23:59')).toEqual({ hh: 23, mm: 59 });
    for (const bad of ['8:00', '24:00', '08:60', '0800', '', '08:00:00']) expect(() => parseClock(bad)).toThrow(DomainError);
  });

  it('formats in Vietnam time whatever the instant', () => {
    expect(formatVn(Z('2024-12-05T01:00:00Z'), 'vi')).toBe('05/12/2024');
    expect(formatVn(Z('2024-12-05T01:00:00Z'), 'vi', true)).toBe('08:00 05/12/2024');
    expect(formatVnDateTime(Z('2024-12-05T01:00:00Z'), 'vi')).toBe('08:00 05/12/2024');
    // 17:00Z is already the next day in Vietnam.
    expect(formatVn(Z('2024-12-04T17:00:00Z'), 'vi')).toBe('05/12/2024');
    expect(formatVn(Z('2024-12-04T16:59:59.999Z'), 'vi', true)).toBe('23:59 04/12/2024');
    expect(formatVn(Z('2024-12-05T01:00:00Z'), 'en')).toBe('5 Dec 2024');
    expect(formatVn(Z('2024-12-05T01:00:00Z'), 'en', true)).toBe('08:00 5 Dec 2024');
    expect(formatCivilDate({ year: 2021, month: 1, day: 9 }, 'vi')).toBe('09/01/2021');
  });
});

describe('due instants and lateness', () => {
  it('the due instant is 00:00 VN of the day after the due day', () => {
    expect(iso(dueInstant(2024, { month: 12, day: 5 }))).toBe('2024-12-05T17:00:00.000Z');
    expect(iso(dueInstant(2024, { month: 12, day: 10 }))).toBe('2024-12-10T17:00:00.000Z');
    expect(iso(dueInstant(2024, { month: 12, day: 31 }))).toBe('2024-12-31T17:00:00.000Z');
    expect(() => dueInstant(2023, { month: 2, day: 29 })).toThrow(DomainError);
  });

  it('a deadline instant reads back as its due day', () => {
    const due = dossierDeadline(campaign, 2024);
    expect(deadlineDueDay(due)).toEqual({ year: 2024, month: 12, day: 5 });
    expect(formatDeadline(due, 'vi')).toBe('05/12/2024');
    expect(formatDeadline(due, 'en')).toBe('5 Dec 2024');
    expect(formatDeadline(registrationDeadline(campaign), 'vi')).toBe('30/11/2021');
    expect(daysLeft(Z('2024-12-01T00:00:00Z'), deadlineDueDay(due))).toBe(4);
  });

  it('05/12: 23:59:59.999 VN is on time, 00:00 VN on 06/12 is late', () => {
    const due = dossierDeadline(campaign, 2024);
    expect(isLate(Z('2024-12-05T16:59:59.999Z'), due)).toBe(false); // 23:59:59.999 VN 05/12
    expect(isLate(Z('2024-12-05T17:00:00.000Z'), due)).toBe(true); // 00:00 VN 06/12
    expect(isLate(Z('2024-12-04T17:00:00.000Z'), due)).toBe(false); // 00:00 VN 05/12
    expect(isLate(Z('2024-12-04T16:59:59.999Z'), due)).toBe(false); // 23:59:59.999 VN 04/12
  });

  it('10/12: 23:59:59.999 VN is on time, 00:00 VN on 11/12 is late', () => {
    const due = reportDeadline(campaign, 2024);
    expect(iso(due)).toBe('2024-12-10T17:00:00.000Z');
    expect(isLate(Z('2024-12-10T16:59:59.999Z'), due)).toBe(false);
    expect(isLate(Z('2024-12-10T17:00:00.000Z'), due)).toBe(true);
    expect(isLate(Z('2024-12-09T17:00:00.000Z'), due)).toBe(false); // 00:00 VN 10/12
    // 23:00 UTC on 10/12 is already 06:00 on 11/12 in Vietnam.
    expect(isLate(Z('2024-12-10T23:00:00.000Z'), due)).toBe(true);
  });

  it('registration closes at the end of its due day (30/11/2021), or without one at the end of the quarter of the launch year', () => {
    expect(iso(registrationDeadline(campaign))).toBe('2021-11-30T17:00:00.000Z'); // 2021-12-01T00:00+07:00
    expect(iso(registrationDeadline(campaign))).toBe(iso(Z('2021-12-01T00:00:00+07:00')));
    expect(registrationDueDay(campaign)).toEqual({ year: 2021, month: 11, day: 30 });
    const q1 = campaignWith({ deadlines: { ...campaignInput.deadlines, registration: { quarter: 1, reminderOffsetsDays: [], source: { inferredFrom: 'x' } } } });
    expect(iso(registrationDeadline(q1))).toBe(iso(Z('2021-04-01T00:00:00+07:00')));
    expect(registrationDueDay(q1)).toEqual({ year: 2021, month: 3, day: 31 });
    const q2 = campaignWith({
      launchYear: 2024,
      deadlines: { ...campaignInput.deadlines, registration: { quarter: 2, reminderOffsetsDays: [], source: { inferredFrom: 'x' } } },
    });
    expect(iso(registrationDeadline(q2))).toBe(iso(Z('2024-07-01T00:00:00+07:00')));
  });
});

describe('reminders', () => {
  it('D-7/D-3/D-1/D-0 at 08:00 VN are exact UTC instants', () => {
    const got = reminderInstants({ year: 2024, month: 12, day: 5 }, [7, 3, 1, 0], '08:00').map(iso);
    expect(got).toEqual([
      '2024-11-28T01:00:00.000Z',
      '2024-12-02T01:00:00.000Z',
      '2024-12-04T01:00:00.000Z',
      '2024-12-05T01:00:00.000Z',
    ]);
  });

  it('sorts, drops duplicate offsets, and honours the time', () => {
    const got = reminderInstants({ year: 2024, month: 12, day: 10 }, [0, 3, 3, 7], '06:30').map(iso);
    expect(got).toEqual(['2024-12-02T23:30:00.000Z', '2024-12-06T23:30:00.000Z', '2024-12-09T23:30:00.000Z']);
    // 00:30 VN on the due day is still the previous day in UTC.
    expect(reminderInstants({ year: 2025, month: 1, day: 1 }, [0], '00:30').map(iso)).toEqual(['2024-12-31T17:30:00.000Z']);
    expect(reminderInstants({ year: 2024, month: 12, day: 5 }, [], '08:00')).toEqual([]);
    expect(() => reminderInstants({ year: 2024, month: 12, day: 5 }, [1], '8h')).toThrow(DomainError);
  });

  it('the campaign schedule covers every deadline with its own offsets', () => {
    const s = reminderSchedule(campaign);
    const dossier2024 = s.filter((r) => r.kind === 'dossier' && r.year === 2024);
    expect(dossier2024.map((r) => [r.offsetDays, iso(r.at)])).toEqual([
      [7, '2024-11-28T01:00:00.000Z'],
      [3, '2024-12-02T01:00:00.000Z'],
      [1, '2024-12-04T01:00:00.000Z'],
      [0, '2024-12-05T01:00:00.000Z'],
    ]);
    expect(dossier2024[0]!.dueDay).toEqual({ year: 2024, month: 12, day: 5 });
    expect(iso(dossier2024[0]!.deadline)).toBe('2024-12-05T17:00:00.000Z');
    const reg = s.filter((r) => r.kind === 'registration');
    expect(reg.map((r) => iso(r.at))).toEqual(['2021-11-16T01:00:00.000Z']);
    for (let i = 1; i < s.length; i++) expect(s[i]!.at.getTime()).toBeGreaterThanOrEqual(s[i - 1]!.at.getTime());
    expect(reminderSchedule(campaign, ['report']).every((r) => r.kind === 'report')).toBe(true);
    expect(reminderSchedule(campaign, ['report'])).toHaveLength(5 * 4);
  });

  it('remindersDue returns what fell in (after, upTo]', () => {
    const at = Z('2024-12-04T01:00:00.000Z'); // D-1 of the dossier and D-6 of nothing
    expect(remindersDue(campaign, Z('2024-12-04T00:59:59.999Z'), at).map((r) => [r.kind, r.offsetDays])).toEqual([['dossier', 1]]);
    expect(remindersDue(campaign, at, Z('2024-12-04T02:00:00Z'))).toEqual([]);
    // A tick that missed a day catches up, in order.
    const caught = remindersDue(campaign, Z('2024-12-02T00:00:00Z'), Z('2024-12-05T02:00:00Z'));
    expect(caught.map((r) => `${r.kind}-${r.offsetDays}`)).toEqual(['dossier-3', 'report-7', 'dossier-1', 'dossier-0']);
  });

  it('staff alerts run before each dossier due day', () => {
    const s = staffAlertSchedule(campaign);
    expect(s.map((a) => [a.year, iso(a.at)])).toContainEqual([2024, '2024-12-03T01:00:00.000Z']);
    expect(s).toHaveLength(5);
  });
});

describe('days left', () => {
  const due = { year: 2024, month: 12, day: 5 };
  it('counts Vietnam calendar days, switching at midnight VN', () => {
    expect(daysLeft(Z('2024-12-04T16:59:59.999Z'), due)).toBe(1); // 23:59:59.999 VN on 04/12
    expect(daysLeft(Z('2024-12-04T17:00:00.000Z'), due)).toBe(0); // already 05/12 in Vietnam
    expect(daysLeft(Z('2024-12-05T16:59:59.999Z'), due)).toBe(0);
    expect(daysLeft(Z('2024-12-05T17:00:00.000Z'), due)).toBe(-1);
    expect(daysLeft(Z('2024-11-28T01:00:00.000Z'), due)).toBe(7);
    expect(daysLeft(Z('2023-12-05T00:00:00.000Z'), due)).toBe(366);
  });
});

describe('campaign deadlines', () => {
  it('dossiers are due in the years of the reviews (yearly: every reporting year)', () => {
    expect(dossierYears(campaign)).toEqual([2021, 2022, 2023, 2024, 2025]);
    const reviewsOnly = campaignWith({
      awards: [campaignInput.awards[1], { ...campaignInput.awards[0]!, reviews: [campaignInput.awards[0]!.reviews[1]] }],
    });
    expect(dossierYears(reviewsOnly)).toEqual([2023, 2025]); // the ad-hoc review sets no deadline
  });

  it('lists every deadline in order', () => {
    const all = campaignDeadlines(campaign);
    expect(all.slice(0, 3).map((d) => [d.kind, d.year, formatCivilDate(d.dueDay, 'vi')])).toEqual([
      ['registration', 2021, '30/11/2021'],
      ['dossier', 2021, '05/12/2021'],
      ['report', 2021, '10/12/2021'],
    ]);
    expect(all.filter((d) => d.year === 2024).map((d) => [d.kind, iso(d.instant)])).toEqual([
      ['dossier', '2024-12-05T17:00:00.000Z'],
      ['report', '2024-12-10T17:00:00.000Z'],
    ]);
    expect(all).toHaveLength(1 + 5 + 5);
  });

  it('nextDeadline is the first deadline not yet passed, with days left', () => {
    const n1 = nextDeadline(campaign, Z('2024-06-01T00:00:00Z'));
    expect(n1).toMatchObject({ kind: 'dossier', year: 2024, daysLeft: 187 });
    expect(iso(n1!.instant)).toBe('2024-12-05T17:00:00.000Z');
    // The last moment of the due day still points to it, with 0 days left.
    expect(nextDeadline(campaign, Z('2024-12-05T16:59:59.999Z'))).toMatchObject({ kind: 'dossier', year: 2024, daysLeft: 0 });
    expect(nextDeadline(campaign, Z('2024-12-05T17:00:00.000Z'))).toMatchObject({ kind: 'report', year: 2024, daysLeft: 4 });
    expect(nextDeadline(campaign, Z('2024-12-05T17:00:00.000Z'), ['dossier'])).toMatchObject({ kind: 'dossier', year: 2025 });
    expect(nextDeadline(campaign, Z('2021-07-01T00:00:00Z'))).toMatchObject({ kind: 'registration', year: 2021 });
    expect(nextDeadline(campaign, Z('2021-11-20T00:00:00Z'))).toMatchObject({ kind: 'registration', year: 2021, daysLeft: 10 });
    expect(nextDeadline(campaign, Z('2021-12-01T00:00:00Z'))).toMatchObject({ kind: 'dossier', year: 2021 });
    expect(nextDeadline(campaign, Z('2021-07-01T00:00:00Z'), ['registration'])).toMatchObject({ kind: 'registration' });
    expect(nextDeadline(campaign, Z('2021-11-30T17:00:00.000Z'), ['registration'])).toBeUndefined();
    expect(nextDeadline(campaign, Z('2026-01-01T00:00:00Z'))).toBeUndefined();
    expect(upcomingDeadlines(campaign, Z('2025-12-06T00:00:00Z')).map((d) => d.kind)).toEqual(['report']);
  });
});

describe('host time zone independence', () => {
  it('computes the same instants under TZ=UTC, America/New_York and Asia/Tokyo', { timeout: PROCESS_TEST_TIMEOUT }, async () => {
    const outputs = await Promise.all(
      ['UTC', 'America/New_York', 'Asia/Tokyo'].map(async (tz) => {
        const r = await run('test/fixtures/tz-probe.ts', [], { env: { ...process.env, TZ: tz } });
        expect(r.status, r.stderr).toBe(0);
        return r.stdout;
      }),
    );
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[2]).toBe(outputs[0]);
    expect(JSON.parse(outputs[0]!)).toEqual({
      vnInstant: '2024-12-05T01:00:00.000Z',
      vnInstantNyDst: ['2024-03-09T19:30:00.000Z', '2024-11-02T18:30:00.000Z'],
      dossier2024: '2024-12-05T17:00:00.000Z',
      report2024: '2024-12-10T17:00:00.000Z',
      registration: '2021-11-30T17:00:00.000Z',
      reminders: ['2024-11-28T01:00:00.000Z', '2024-12-02T01:00:00.000Z', '2024-12-04T01:00:00.000Z', '2024-12-05T01:00:00.000Z'],
      vnDate: [
        { year: 2024, month: 12, day: 4 },
        { year: 2024, month: 12, day: 5 },
      ],
      daysLeft: [1, 0, 2],
      next: { kind: 'dossier', year: 2024, instant: '2024-12-05T17:00:00.000Z', daysLeft: 0 },
      format: ['08:00 05/12/2024', '05/12/2024'],
    });
  });
});
