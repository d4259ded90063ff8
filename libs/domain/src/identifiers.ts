/** BACEN PIX end-to-end id: E or D followed by 32 alphanumerics. */
export const END_TO_END_ID_PATTERN = /^[ED][A-Za-z0-9]{32}$/;

/** External ids are the merchant's own keys: printable, no whitespace, bounded. */
export const EXTERNAL_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;
export const EXTERNAL_ID_MAX_LENGTH = 128;

/** Transaction ids are PostgreSQL bigints, handed to clients as JSON numbers. */
export const MAX_TRANSACTION_ID = Number.MAX_SAFE_INTEGER;

/** The numeric id an identifier names, if it is one that can exist. */
export function parseTransactionId(identifier: string): number | undefined {
  if (!/^[1-9][0-9]{0,15}$/.test(identifier)) return undefined;
  const id = Number(identifier);
  return id <= MAX_TRANSACTION_ID ? id : undefined;
}

export interface TransactionLookup {
  id?: number;
  endToEndId?: string;
  externalId?: string;
}

/**
 * The ways one client-supplied identifier may name a transaction (seed: Avista). A digits-only
 * identifier may still be an external id, so every form it could be is searched.
 */
export function transactionLookupFor(identifier: string): TransactionLookup | undefined {
  if (identifier.length === 0 || identifier.length > EXTERNAL_ID_MAX_LENGTH) return undefined;
  const lookup: TransactionLookup = {};
  const id = parseTransactionId(identifier);
  if (id !== undefined) lookup.id = id;
  if (END_TO_END_ID_PATTERN.test(identifier)) lookup.endToEndId = identifier;
  if (EXTERNAL_ID_PATTERN.test(identifier)) lookup.externalId = identifier;
  return Object.keys(lookup).length > 0 ? lookup : undefined;
}
