import {
  accountPageSchema,
  apiKeyListSchema,
  merchantPageSchema,
  transactionBatchCreatedSchema,
  transactionPageSchema,
} from '../admin/admin.routes.js';
import {
  changeStatusSchema,
  createAccountSchema,
  createMerchantSchema,
  createTransactionBatchSchema,
  createTransactionSchema,
  listAccountsSchema,
  listMerchantsSchema,
  listTransactionsSchema,
  updateMerchantSchema,
} from '../admin/admin.schemas.js';
import { int32Id, transactionId } from '../http/response-schemas.js';
import {
  accountSchema,
  apiKeyId,
  createdAccountSchema,
  issuedApiKeySchema,
  merchantSchema,
  merchantWithSecretSchema,
  transactionSchema,
} from '../presenters.js';
import { ADMIN, defaultCommon, defaultError, jsonBody, jsonResponse, operations, pathParameter, queryParameters, ref, type JsonObject } from './openapi-kit.js';

const admin = operations('Admin', ADMIN);

const adminCommon = (): JsonObject => ({ ...defaultCommon(), '413': ref.response('BodyTooLarge') });
const BAD_CURSOR = '"cursor" is not a cursor this API returned';
const accountId = pathParameter('id', 'Account id.', int32Id(), 1);
const merchantId = pathParameter('id', 'Merchant id.', int32Id(), 303);

/** SPEC 6: the platform core's feed, Bearer ADMIN_TOKEN, default dialect. */
export const adminPaths: Record<string, JsonObject> = {
  '/admin/accounts': {
    get: admin({
      operationId: 'adminListAccounts',
      summary: 'List accounts, newest first',
      parameters: queryParameters(listAccountsSchema),
      responses: {
        '200': jsonResponse('A page of accounts.', accountPageSchema),
        '400': defaultError(400, 'Invalid query (the message names the parameter; unknown parameters are refused).', ['"limit" must be less than or equal to 200', BAD_CURSOR]),
        ...defaultCommon(),
      },
    }),
    post: admin({
      operationId: 'adminCreateAccount',
      summary: 'Create an account and its API key',
      description: 'The API key is in this answer only; it is stored as a SHA-256 of its secret part.',
      requestBody: jsonBody(createAccountSchema),
      responses: {
        '201': jsonResponse('The account and its API key.', createdAccountSchema),
        '400': defaultError(400, 'Invalid body (the message names the field) or malformed JSON.', ['"name" is required', 'Malformed JSON body']),
        ...adminCommon(),
      },
    }),
  },
  '/admin/accounts/{id}': {
    parameters: [accountId],
    get: admin({
      operationId: 'adminGetAccount',
      summary: 'One account',
      responses: {
        '200': jsonResponse('The account.', accountSchema),
        '404': defaultError(404, 'No such account (or an id that cannot be one).', ['Account not found']),
        ...defaultCommon(),
      },
    }),
  },
  '/admin/accounts/{id}/api-keys': {
    parameters: [accountId],
    get: admin({
      operationId: 'adminListApiKeys',
      summary: "An account's API keys, revoked ones included, newest first",
      description: 'Only prefixes: neither the keys nor their hashes are ever shown again.',
      responses: {
        '200': jsonResponse('The keys.', apiKeyListSchema),
        '404': defaultError(404, 'No such account.', ['Account not found']),
        ...defaultCommon(),
      },
    }),
    post: admin({
      operationId: 'adminCreateApiKey',
      summary: 'Issue another API key for the account',
      description: 'For rotating keys without downtime: issue a new key, move clients to it, revoke the old one. No body.',
      responses: {
        '201': jsonResponse('The key, in clear in this answer only.', issuedApiKeySchema),
        '404': defaultError(404, 'No such account.', ['Account not found']),
        ...defaultCommon(),
      },
    }),
  },
  '/admin/api-keys/{id}': {
    parameters: [
      pathParameter('id', 'The key id (the `id` of the key, 16 hex characters; anything else is 404).', apiKeyId, '9f86d081884c7d65'),
    ],
    delete: admin({
      operationId: 'adminRevokeApiKey',
      summary: 'Revoke an API key',
      description:
        "The key answers 401 from the next request on; the account's other keys keep working. Idempotent: revoking a revoked key " +
        'answers 204 again and keeps the first revocation time.',
      responses: {
        '204': { description: 'Revoked (now or before).' },
        '404': defaultError(404, 'No such key.', ['API key not found']),
        ...defaultCommon(),
      },
    }),
  },
  '/admin/merchants': {
    get: admin({
      operationId: 'adminListMerchants',
      summary: "List merchants, newest first (optionally one account's)",
      description: 'Webhook secrets are never in this answer.',
      parameters: queryParameters(listMerchantsSchema),
      responses: {
        '200': jsonResponse('A page of merchants.', merchantPageSchema),
        '400': defaultError(400, 'Invalid query (the message names the parameter).', ['"account_id" must be a number', BAD_CURSOR]),
        ...defaultCommon(),
      },
    }),
    post: admin({
      operationId: 'adminCreateMerchant',
      summary: 'Create a merchant (with its webhook secret)',
      requestBody: jsonBody(createMerchantSchema),
      responses: {
        '201': jsonResponse('The merchant, with its `whsec_` secret (shown here and nowhere else).', merchantWithSecretSchema),
        '400': defaultError(400, 'Invalid body or webhook URL (the message names the field).', [
          '"account_id" is required',
          '"webhook_url" must be a valid uri with a scheme matching the http|https pattern',
          'Malformed JSON body',
        ]),
        '409': defaultError(409, 'The id, or the branch and account number, is taken.', [
          'A merchant with this "id" already exists',
          'A merchant with this "branch_identifier" and "account_number" already exists',
        ]),
        '422': defaultError(422, 'The account does not exist.', ['"account_id" does not name an existing account']),
        ...adminCommon(),
      },
    }),
  },
  '/admin/merchants/{id}': {
    parameters: [merchantId],
    get: admin({
      operationId: 'adminGetMerchant',
      summary: 'One merchant (never its webhook secret)',
      responses: {
        '200': jsonResponse('The merchant (without its secret).', merchantSchema),
        '404': defaultError(404, 'No such merchant.', ['Merchant not found']),
        ...defaultCommon(),
      },
    }),
    patch: admin({
      operationId: 'adminUpdateMerchant',
      summary: "Change a merchant's name, webhook URL, flow control or bank account",
      description: 'A new webhook URL is a new endpoint: its health starts over and what the old one was owed goes to it.',
      requestBody: jsonBody(updateMerchantSchema),
      responses: {
        '200': jsonResponse('The merchant (without its secret).', merchantSchema),
        '400': defaultError(400, 'Invalid body or webhook URL (the message names the field).', [
          '"value" must have at least 1 key',
          '"account_number" must be null when "branch_identifier" is null',
          'Malformed JSON body',
        ]),
        '404': defaultError(404, 'No such merchant.', ['Merchant not found']),
        '409': defaultError(409, 'Another merchant has this branch and account number.', ['A merchant with this "branch_identifier" and "account_number" already exists']),
        ...adminCommon(),
      },
    }),
  },
  '/admin/transactions': {
    get: admin({
      operationId: 'adminListTransactions',
      summary: "List one merchant's transactions, newest first",
      description: '`merchant_id` is required (the table runs to millions of rows). An unknown merchant has no transactions.',
      parameters: queryParameters(listTransactionsSchema),
      responses: {
        '200': jsonResponse('A page of transactions.', transactionPageSchema),
        '400': defaultError(400, 'Invalid query (the message names the parameter).', ['"merchant_id" is required', '"limit" must be greater than or equal to 1', BAD_CURSOR]),
        ...defaultCommon(),
      },
    }),
    post: admin({
      operationId: 'adminCreateTransaction',
      summary: 'Create a transaction (notified unless `notify` is false)',
      description: 'A notifiable status (2 to 10) sends the automatic webhook after commit, with 3 automatic retries.',
      requestBody: jsonBody(createTransactionSchema),
      responses: {
        '201': jsonResponse('The transaction.', transactionSchema),
        '400': defaultError(400, 'Invalid body (the message names the field).', ['"kind" must be one of [CASHIN, CASHOUT]', 'Malformed JSON body']),
        '409': defaultError(409, 'The id, external id (for this merchant) or end-to-end id is taken.', ['"external_id" is already used by another transaction']),
        '422': defaultError(422, 'The merchant does not exist, or text holds characters that cannot be stored.', ['"merchant_id" does not name an existing merchant']),
        ...adminCommon(),
      },
    }),
  },
  '/admin/transactions/batch': {
    post: admin({
      operationId: 'adminCreateTransactionBatch',
      summary: 'Create 1 to 10,000 transactions at once (all or nothing)',
      description: 'Body limit 16 MB. Field names in messages carry the item index, e.g. `"transactions[3].amount"`.',
      requestBody: jsonBody(createTransactionBatchSchema),
      responses: {
        '201': jsonResponse('How many were created and their ids, in order.', transactionBatchCreatedSchema, { count: 2, ids: [1001, 1002] }),
        '400': defaultError(400, 'Invalid body.', ['"transactions[3].amount" must be greater than or equal to 0', 'Malformed JSON body']),
        '409': defaultError(409, 'A key is taken or repeated within the batch.', ['"transactions[1].external_id" repeats another transaction of this request']),
        '422': defaultError(422, 'A merchant does not exist.', ['"transactions[0].merchant_id" does not name an existing merchant']),
        ...adminCommon(),
      },
    }),
  },
  '/admin/transactions/{id}': {
    parameters: [pathParameter('id', 'Transaction id.', transactionId(), 123)],
    get: admin({
      operationId: 'adminGetTransaction',
      summary: 'One transaction',
      responses: {
        '200': jsonResponse('The transaction.', transactionSchema),
        '404': defaultError(404, 'No such transaction.', ['Transaction not found']),
        ...defaultCommon(),
      },
    }),
    patch: admin({
      operationId: 'adminChangeTransactionStatus',
      summary: 'Change the status of a transaction (the automatic webhook goes out)',
      description:
        'Setting the status it already has, without a new `status_changed_at`, changes nothing and sends nothing. ' +
        'The time of the change is the database clock under the row lock (or the given time, which must be later than the stored one); `sequence` goes up by one.',
      requestBody: jsonBody(changeStatusSchema),
      responses: {
        '200': jsonResponse('The transaction.', transactionSchema),
        '400': defaultError(400, 'Invalid body.', ['"status_id" is required', 'Malformed JSON body']),
        '404': defaultError(404, 'No such transaction.', ['Transaction not found']),
        '409': defaultError(409, 'The given time is not later than the stored one.', [
          '"status_changed_at" must be later than the transaction\'s current one (2026-11-22T15:30:00.000Z)',
        ]),
        ...adminCommon(),
      },
    }),
  },
};
