/** A bulk job covers at most 3 hours (SPEC 1); longer ranges become consecutive jobs. */
export const MAX_JOB_WINDOW_MS = 3 * 60 * 60 * 1000;

export interface Window {
  start: Date;
  end: Date;
}

/** Splits [start, end) into consecutive half-open windows of at most 3 hours. */
export function splitIntoJobWindows(start: Date, end: Date): Window[] {
  const windows: Window[] = [];
  for (let t = start.getTime(); t < end.getTime(); t += MAX_JOB_WINDOW_MS) {
    windows.push({ start: new Date(t), end: new Date(Math.min(t + MAX_JOB_WINDOW_MS, end.getTime())) });
  }
  return windows;
}
