import { describe, expect, it } from 'vitest';
import { age, ago, count, date, formatDuration, onOff, tagSetString } from '../../../internal/cli/cells';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('formatDuration (kumactl table.Duration)', () => {
  it.each([
    [0, '0s'],
    [59 * S + 999, '59s'],
    [60 * S, '1m'],
    [59 * M + 59 * S, '59m'],
    [H, '1h'],
    [23 * H + 59 * M, '23h'],
    [D, '1d'],
    [364 * D + 23 * H, '364d'],
    [365 * D, '1y'],
    [3 * 365 * D + 10 * D, '3y'],
  ])('%d ms is %s', (ms, want) => {
    expect(formatDuration(ms)).toBe(want);
  });

  it('is 0s slightly in the future and never more than a second ahead', () => {
    expect(formatDuration(-500)).toBe('0s');
    expect(formatDuration(-1999)).toBe('0s');
    expect(formatDuration(-2000)).toBe('never');
  });
});

describe('time cells', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');

  it('ago is never without a time', () => {
    expect(ago(undefined, now)).toBe('never');
    expect(ago('', now)).toBe('never');
    expect(ago('2026-01-01T11:58:30Z', now)).toBe('1m');
  });

  it('age counts from the time and saturates like Go for the zero time', () => {
    expect(age('2026-01-01T11:59:50.500Z', now)).toBe('9s');
    expect(age('0001-01-01T00:00:00Z', now)).toBe('292y');
    expect(age(undefined, now)).toBe('292y');
  });

  it('date is UTC YYYY-MM-DD HH:MM:SS or -', () => {
    expect(date('2026-03-04T05:06:07.890Z')).toBe('2026-03-04 05:06:07');
    expect(date(undefined)).toBe('-');
  });
});

describe('value cells', () => {
  it('onOff', () => {
    expect(onOff(true)).toBe('on');
    expect(onOff(undefined)).toBe('off');
  });

  it('count reads jsonpb uint64 strings', () => {
    expect(count('10')).toBe(10);
    expect(count(3)).toBe(3);
    expect(count(undefined)).toBe(0);
  });

  it('tagSetString sorts names and distinct values', () => {
    expect(
      tagSetString([
        { 'kuma.io/service': 'web', version: 'v2' },
        { 'kuma.io/service': 'web', version: 'v1' },
        undefined,
      ]),
    ).toBe('kuma.io/service=web version=v1,v2');
    expect(tagSetString([])).toBe('');
  });
});
