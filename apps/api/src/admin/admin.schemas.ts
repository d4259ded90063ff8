import Joi from 'joi';
import { timestamp } from '../http/joi-types.js';
import { END_TO_END_ID_PATTERN, EXTERNAL_ID_PATTERN, TRANSACTION_KINDS } from '@wr/domain';

const int32Id = Joi.number().integer().min(1).max(2_147_483_647);
/**
 * Explicit ids (imported from the platform's core) share their id space with generated ones, and
 * the sequence moves past each; so they stay in the lower half of it, leaving generated ids room.
 */
const explicitMerchantId = Joi.number().integer().min(1).max(1_000_000_000);
const explicitTransactionId = Joi.number().integer().min(1).max(2 ** 52);
const webhookUrl = Joi.string().trim().max(2048).uri({ scheme: ['http', 'https'] });
const name = Joi.string().trim().min(1).max(200);
/** Flow control: null = the deployment's default (concurrency) or no cap (rate). */
const maxConcurrency = Joi.number().integer().min(1).max(10_000).allow(null);
const maxPerSecond = Joi.number().integer().min(1).max(100_000).allow(null);

export const createAccountSchema = Joi.object({ name: name.required() });

const branchIdentifier = Joi.string().pattern(/^[0-9]{1,10}$/).messages({ 'string.pattern.base': '"branch_identifier" must be 1 to 10 digits' });
const accountNumber = Joi.string().pattern(/^[0-9A-Za-z-]{1,32}$/).messages({ 'string.pattern.base': '"account_number" must be 1 to 32 letters, digits or dashes' });

export const createMerchantSchema = Joi.object({
  account_id: int32Id.required(),
  name: name.required(),
  id: explicitMerchantId,
  branch_identifier: branchIdentifier,
  account_number: accountNumber,
  webhook_url: webhookUrl.allow(null),
  max_concurrency: maxConcurrency,
  max_per_second: maxPerSecond,
}).and('branch_identifier', 'account_number');

/** The bank account is one thing: both parts set, or both null (no bank account). */
export const updateMerchantSchema = Joi.object({
  name,
  webhook_url: webhookUrl.allow(null),
  max_concurrency: maxConcurrency,
  max_per_second: maxPerSecond,
  branch_identifier: branchIdentifier.allow(null),
  account_number: Joi.when('branch_identifier', {
    is: Joi.valid(null).required(),
    then: Joi.valid(null).messages({ 'any.only': '"account_number" must be null when "branch_identifier" is null' }),
    otherwise: accountNumber.messages({ 'string.base': '"account_number" must be a string when "branch_identifier" is set' }),
  }),
})
  .min(1)
  .with('branch_identifier', 'account_number')
  .with('account_number', 'branch_identifier')
  .messages({ 'object.with': '"{{#peer}}" is required with "{{#main}}"' });

// --- lists --------------------------------------------------------------------------------------

/** What a list cursor names; the tag keeps one list's cursor from being taken by another. */
export type CursorKind = 'account' | 'merchant' | 'transaction';

/** Cursors are opaque to clients: the tagged id of the last row served, base64url-encoded. */
export function encodeCursor(kind: CursorKind, id: number): string {
  return Buffer.from(`${kind}:${id}`).toString('base64url');
}

/** A cursor this API returned for this list, validated into the id it names. */
function cursor(kind: CursorKind) {
  const pattern = new RegExp(`^${kind}:([1-9][0-9]{0,15})$`);
  return Joi.string()
    .max(64)
    .custom((value: string, helpers) => {
      const match = pattern.exec(Buffer.from(value, 'base64url').toString('utf8'));
      const id = match ? Number(match[1]) : NaN;
      return Number.isSafeInteger(id) ? id : helpers.error('any.invalid');
    })
    .messages({ 'any.invalid': '{{#label}} is not a cursor this API returned' });
}

const limit = Joi.number().integer().min(1).max(200).default(50);

export interface ListQuery {
  cursor?: number;
  limit: number;
}

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

export const listAccountsSchema = Joi.object<ListQuery>({ cursor: cursor('account'), limit });

export const listMerchantsSchema = Joi.object<ListQuery & { account_id?: number }>({ account_id: int32Id, cursor: cursor('merchant'), limit });

/** `merchant_id` is required: transactions run to millions, and one merchant's are what anyone reads. */
export const listTransactionsSchema = Joi.object<ListQuery & { merchant_id: number }>({
  merchant_id: int32Id.required(),
  cursor: cursor('transaction'),
  limit,
});

const transactionFields = {
  merchant_id: int32Id.required(),
  kind: Joi.string().valid(...TRANSACTION_KINDS).required(),
  status_id: Joi.number().integer().min(1).max(10).required(),
  amount: Joi.number().integer().min(0).max(Number.MAX_SAFE_INTEGER).required(),
  id: explicitTransactionId,
  external_id: Joi.string().pattern(EXTERNAL_ID_PATTERN).allow(null).messages({
    'string.pattern.base': '"external_id" must be 1 to 128 printable characters without spaces',
  }),
  end_to_end_id: Joi.string().pattern(END_TO_END_ID_PATTERN).allow(null).messages({
    'string.pattern.base': '"end_to_end_id" must be E or D followed by 32 letters or digits',
  }),
  status_changed_at: timestamp(),
  data: Joi.object().unknown(true).default({}),
};

export const createTransactionSchema = Joi.object({ ...transactionFields, notify: Joi.boolean().default(true) });

export const createTransactionBatchSchema = Joi.object({
  transactions: Joi.array().items(Joi.object(transactionFields)).min(1).max(10_000).required(),
  notify: Joi.boolean().default(true),
});

export const changeStatusSchema = Joi.object({
  status_id: Joi.number().integer().min(1).max(10).required(),
  status_changed_at: timestamp(),
});

export interface TransactionInput {
  merchant_id: number;
  kind: (typeof TRANSACTION_KINDS)[number];
  status_id: number;
  amount: number;
  id?: number;
  external_id?: string | null;
  end_to_end_id?: string | null;
  status_changed_at?: Date;
  data: Record<string, unknown>;
}
