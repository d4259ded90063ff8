import type { Request, Response } from 'express';

/**
 * The console session cookie: httpOnly (no script reads it), SameSite=Strict (no other site's page
 * makes the browser send it), scoped to /console, Secure whenever the console is reached over
 * HTTPS. It holds the session token; the database holds only its digest.
 */
export const SESSION_COOKIE = 'wr_console';
export const CONSOLE_PATH = '/console';

export function readSessionCookie(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function setSessionCookie(res: Response, token: string, expiresAt: Date, secure: boolean): void {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path: CONSOLE_PATH, expires: expiresAt });
}

export function clearSessionCookie(res: Response, secure: boolean): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: CONSOLE_PATH });
}
