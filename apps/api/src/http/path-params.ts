import { NotFoundError } from '@wr/domain';

/** A positive integer id from a path, or the same 404 a missing record gets. */
export function pathId(raw: string | undefined, notFoundMessage: string, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined || !/^[1-9][0-9]{0,15}$/.test(raw) || Number(raw) > max) throw new NotFoundError(notFoundMessage);
  return Number(raw);
}
