/** A bulk job covers at most 3 hours (SPEC 1); longer ranges become consecutive jobs. */
export const MAX_JOB_WINDOW_MS = 3 * 60 * 60 * 1000;

/** How far back one request (SimPay range, operator replay) may reach: 248 consecutive jobs. */
export const MAX_REPLAY_RANGE_MS = 31 * 24 * 60 * 60 * 1000;

/** Job and request ids: 32 lowercase hex characters, as the seeds' job ids. */
export function isJobId(value: string): boolean {
  return /^[0-9a-f]{32}$/.test(value);
}

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
