import Joi from 'joi';
import { cursorParam } from '../http/cursors.js';
import { statusId, timestamp, transactionKind } from '../http/joi-types.js';
import { END_TO_END_ID_PATTERN, EXTERNAL_ID_PATTERN, type TransactionKind } from '@wr/domain';

const int32Id = Joi.number().integer().min(1).max(2_147_483_647);
/**
 * Explicit ids (imported from the platform's core) share their id space with generated ones, and
 * the sequence moves past each; so they stay in the lower half of it, leaving generated ids room.
 */
const EXPLICIT_ID = "Explicit id (imported from the platform's core); generated when omitted.";
const explicitMerchantId = Joi.number().integer().min(1).max(1_000_000_000).description(EXPLICIT_ID);
const explicitTransactionId = Joi.number().integer().min(1).max(2 ** 52).description(EXPLICIT_ID);
const webhookUrl = Joi.string().trim().max(2048).uri({ scheme: ['http', 'https'] }).description('http or https URL of a public host.');
const name = Joi.string().trim().min(1).max(200);
/** Flow control: null = the deployment's default (concurrency) or no cap (rate). */
const maxConcurrency = Joi.number()
  .integer()
  .min(1)
  .max(10_000)
  .allow(null)
  .description('Deliveries in flight to this merchant at once (null: MERCHANT_MAX_CONCURRENCY). Live webhooks go first: a replay leaves them a fifth.');
const maxPerSecond = Joi.number().integer().min(1).max(100_000).allow(null).description('Deliveries per second to this merchant (null: no rate cap).');

export const createAccountSchema = Joi.object<{ name: string }>({ name: name.required() }).id('CreateAccountRequest').example({ name: 'Acme' });

const branchIdentifier = Joi.string().pattern(/^[0-9]{1,10}$/).messages({ 'string.pattern.base': '"branch_identifier" must be 1 to 10 digits' });
const accountNumber = Joi.string().pattern(/^[0-9A-Za-z-]{1,32}$/).messages({ 'string.pattern.base': '"account_number" must be 1 to 32 letters, digits or dashes' });

export interface CreateMerchantBody {
  account_id: number;
  name: string;
  id?: number;
  branch_identifier?: string;
  account_number?: string;
  webhook_url?: string | null;
  max_concurrency?: number | null;
  max_per_second?: number | null;
}

export const createMerchantSchema = Joi.object<CreateMerchantBody>({
  account_id: int32Id.required(),
  name: name.required(),
  id: explicitMerchantId,
  branch_identifier: branchIdentifier,
  account_number: accountNumber,
  webhook_url: webhookUrl.allow(null),
  max_concurrency: maxConcurrency,
  max_per_second: maxPerSecond,
})
  .and('branch_identifier', 'account_number')
  .id('CreateMerchantRequest')
  .description('`branch_identifier` and `account_number` come together (the bank account SimPay ranges name).')
  .example({ account_id: 1, id: 303, name: 'Shop', branch_identifier: '0001', account_number: '123456', webhook_url: 'https://shop.example/webhooks' });

/** The bank account's two parts come together: both strings, both null, or neither given. */
export type UpdateMerchantBody = {
  name?: string;
  webhook_url?: string | null;
  max_concurrency?: number | null;
  max_per_second?: number | null;
} & (
  | { branch_identifier?: undefined; account_number?: undefined }
  | { branch_identifier: null; account_number: null }
  | { branch_identifier: string; account_number: string }
);

/** The bank account is one thing: both parts set, or both null (no bank account). */
export const updateMerchantSchema = Joi.object<UpdateMerchantBody>({
  name,
  webhook_url: webhookUrl.allow(null).description('http or https URL of a public host; null clears it.'),
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
  .messages({ 'object.with': '"{{#peer}}" is required with "{{#main}}"' })
  .id('UpdateMerchantRequest')
  .description(
    '`branch_identifier` and `account_number` come together: both strings (a new bank account, unique across merchants) ' +
      'or both null (no bank account).',
  )
  .example({ webhook_url: 'https://shop.example/webhooks/v2' });

// --- lists --------------------------------------------------------------------------------------

const limit = Joi.number().integer().min(1).max(200).default(50).description('Page size.');

export interface ListQuery {
  cursor?: number;
  limit: number;
}

export const listAccountsSchema = Joi.object<ListQuery>({ cursor: cursorParam('account'), limit });

export const listMerchantsSchema = Joi.object<ListQuery & { account_id?: number }>({
  account_id: int32Id.description("Only this account's merchants."),
  cursor: cursorParam('merchant'),
  limit,
});

/** `merchant_id` is required: transactions run to millions, and one merchant's are what anyone reads. */
export const listTransactionsSchema = Joi.object<ListQuery & { merchant_id: number }>({
  merchant_id: int32Id.required().description('The merchant.'),
  cursor: cursorParam('transaction'),
  limit,
});

export interface TransactionInput {
  merchant_id: number;
  kind: TransactionKind;
  status_id: number;
  amount: number;
  id?: number;
  external_id?: string | null;
  end_to_end_id?: string | null;
  status_changed_at?: Date;
  data: Record<string, unknown>;
}

const transactionFields = {
  merchant_id: int32Id.required().description('Merchant the transaction belongs to (must exist).'),
  kind: transactionKind.required(),
  status_id: statusId.required(),
  amount: Joi.number().integer().min(0).max(Number.MAX_SAFE_INTEGER).required().description('Amount in integer cents.'),
  id: explicitTransactionId,
  external_id: Joi.string()
    .pattern(EXTERNAL_ID_PATTERN)
    .allow(null)
    .messages({ 'string.pattern.base': '"external_id" must be 1 to 128 printable characters without spaces' })
    .description("The merchant's own key: 1 to 128 printable characters without spaces, unique per merchant."),
  end_to_end_id: Joi.string()
    .pattern(END_TO_END_ID_PATTERN)
    .allow(null)
    .messages({ 'string.pattern.base': '"end_to_end_id" must be E or D followed by 32 letters or digits' })
    .description('BACEN PIX end-to-end id: E or D followed by 32 letters or digits, unique.'),
  status_changed_at: timestamp().description('When the status last changed (defaults to now); bulk windows filter on it.'),
  data: Joi.object().unknown(true).default({}).description('Free JSON, sent as is in the webhook.'),
};

export const createTransactionSchema = Joi.object<TransactionInput & { notify: boolean }>({
  ...transactionFields,
  notify: Joi.boolean().default(true).description('Send the automatic webhook (notifiable statuses only).'),
})
  .id('CreateTransactionRequest')
  .example({ merchant_id: 303, kind: 'CASHIN', status_id: 3, amount: 1500, external_id: 'order-1' });

export const createTransactionBatchSchema = Joi.object<{ transactions: TransactionInput[]; notify: boolean }>({
  transactions: Joi.array().items(Joi.object(transactionFields).id('TransactionInput')).min(1).max(10_000).required(),
  notify: Joi.boolean().default(true),
}).id('CreateTransactionBatchRequest');

export const changeStatusSchema = Joi.object<{ status_id: number; status_changed_at?: Date }>({
  status_id: statusId.required(),
  status_changed_at: timestamp(),
})
  .id('ChangeStatusRequest')
  .example({ status_id: 4 });
