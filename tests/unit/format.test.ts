// Times and dates as the windows show them (Market Watch, the session list, the review bar): locale, 24 h, no time.
import { describe, expect, it } from 'vitest';
import { formatDateTime, formatTime } from '../../renderer/src/format';

const T = Date.UTC(2026, 10, 25, 1, 30, 5, 123);

describe('formatTime / formatDateTime', () => {
  it('shows the time, or the date and time, in the locale, to the millisecond when asked', () => {
    const day = (tag: string) => new Intl.DateTimeFormat(tag, { year: 'numeric', month: '2-digit', day: '2-digit' });
    const expectedDate = day('en-US').format(T);
    expect(formatDateTime(T, 'en-US')).toContain(expectedDate);
    expect(formatDateTime(T, 'zh-CN', true)).toContain(day('zh-CN').format(T));
    expect(formatDateTime(T, 'zh-CN', true)).toMatch(/:30:05\.123$/);
    expect(formatTime(T, 'en-US')).not.toContain('2026');
    expect(formatTime(T, 'en-US', true)).toMatch(/:30:05\.123$/);
  });

  it('shows a dash for no time', () => {
    for (const none of [0, -1, null, undefined, Number.NaN]) {
      expect(formatTime(none, 'en-US')).toBe('—');
      expect(formatDateTime(none, 'zh-CN', true)).toBe('—');
    }
  });
});
