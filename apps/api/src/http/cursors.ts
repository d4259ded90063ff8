import Joi from 'joi';

/** What a list cursor names; the tag keeps one list's cursor from being taken by another. */
export type CursorKind = 'account' | 'merchant' | 'transaction' | 'log' | 'incident';

/** Cursors are opaque to clients: the tagged id of the last row served, base64url-encoded. */
export function encodeCursor(kind: CursorKind, id: number): string {
  return Buffer.from(`${kind}:${id}`).toString('base64url');
}

/** A `cursor` query parameter: one this API returned for this list, validated into the id it names. */
export function cursorParam(kind: CursorKind, description = `\`next_cursor\` of the previous page (opaque; another list's cursor is refused).`) {
  const pattern = new RegExp(`^${kind}:([1-9][0-9]{0,15})$`);
  return Joi.string()
    .max(64)
    .description(description)
    .custom((value: string, helpers) => {
      const match = pattern.exec(Buffer.from(value, 'base64url').toString('utf8'));
      const id = match ? Number(match[1]) : NaN;
      return Number.isSafeInteger(id) ? id : helpers.error('any.invalid');
    })
    .messages({ 'any.invalid': '{{#label}} is not a cursor this API returned' });
}
