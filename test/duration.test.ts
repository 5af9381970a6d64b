import { describe, expect, test } from 'vitest';
import { parseDuration } from '../src/config/duration.js';

const H = 3_600_000;

describe('parseDuration', () => {
  test.each([
    ['30m', 30 * 60_000],
    ['26h', 26 * H],
    ['7d', 7 * 24 * H],
    ['2w', 14 * 24 * H],
    ['90s', 90_000],
    ['1d12h', 36 * H],
    ['1d 12h', 36 * H],
    ['1.5h', 1.5 * H],
    [' 26H ', 26 * H],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text, 'max-age')).toBe(ms);
  });

  test.each(['26', '', 'h', '26 hours', '-5h', '0h', '5x', '26h garbage', 'abc1h'])(
    '"%s" is refused with one line naming the option and the units',
    (text) => {
      expect(() => parseDuration(text, 'max-age')).toThrow(/^max-age must be/);
    },
  );
});
