import { describe, expect, it } from '@jest/globals';
import { MAX_JOB_WINDOW_MS, splitIntoJobWindows } from './replay-windows.js';

describe('splitIntoJobWindows', () => {
  it('when the range is 12 days, then it becomes 96 consecutive 3-hour windows with no gap or overlap', () => {
    const start = new Date('2026-05-01T00:00:00Z');
    const end = new Date('2026-05-13T00:00:00Z');
    const windows = splitIntoJobWindows(start, end);
    expect(windows).toHaveLength(96);
    expect(windows[0]!.start).toEqual(start);
    expect(windows.at(-1)!.end).toEqual(end);
    windows.forEach((w, i) => {
      expect(w.end.getTime() - w.start.getTime()).toBe(MAX_JOB_WINDOW_MS);
      if (i > 0) expect(w.start).toEqual(windows[i - 1]!.end);
    });
  });

  it('when the range is not a multiple of 3 hours, then the last window is shorter', () => {
    const windows = splitIntoJobWindows(new Date('2026-05-01T00:00:00Z'), new Date('2026-05-01T04:30:00Z'));
    expect(windows.map((w) => w.end.toISOString())).toEqual(['2026-05-01T03:00:00.000Z', '2026-05-01T04:30:00.000Z']);
  });

  it('when the range is empty, then there is no window', () => {
    const t = new Date('2026-05-01T00:00:00Z');
    expect(splitIntoJobWindows(t, t)).toEqual([]);
  });
});
