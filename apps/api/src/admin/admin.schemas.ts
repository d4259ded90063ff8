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

export const createMerchantSchema = Joi.object({
  account_id: int32Id.required(),
  name: name.required(),
  id: explicitMerchantId,
  branch_identifier: Joi.string().pattern(/^[0-9]{1,10}$/).messages({ 'string.pattern.base': '"branch_identifier" must be 1 to 10 digits' }),
  account_number: Joi.string().pattern(/^[0-9A-Za-z-]{1,32}$/).messages({ 'string.pattern.base': '"account_number" must be 1 to 32 letters, digits or dashes' }),
  webhook_url: webhookUrl.allow(null),
  max_concurrency: maxConcurrency,
  max_per_second: maxPerSecond,
}).and('branch_identifier', 'account_number');

export const updateMerchantSchema = Joi.object({
  name,
  webhook_url: webhookUrl.allow(null),
  max_concurrency: maxConcurrency,
  max_per_second: maxPerSecond,
}).min(1);

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
