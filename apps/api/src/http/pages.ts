import { encodeCursor, type CursorKind } from './cursors.js';

/** A page of a list, and the id the next page starts below (null on the last page). */
export interface Page<T> {
  items: T[];
  nextBeforeId: number | null;
}

/** `rows` were read with `limit + 1`: the extra row only says that another page exists. */
export function pageOf<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextBeforeId: rows.length > limit ? items[items.length - 1]!.id : null };
}

/** A list answer: `{data, next_cursor}`, the cursor null on the last page. */
export function pageBody<T>(kind: CursorKind, page: Page<T>, present: (item: T) => unknown) {
  return { data: page.items.map(present), next_cursor: page.nextBeforeId === null ? null : encodeCursor(kind, page.nextBeforeId) };
}
