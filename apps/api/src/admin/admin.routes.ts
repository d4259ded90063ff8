import { Router } from 'express';
import Joi from 'joi';
import { NotFoundError } from '@wr/domain';
import { jsonBody } from '../http/json-body.js';
import { pathId } from '../http/path-params.js';
import { answer, transactionId } from '../http/response-schemas.js';
import { validate } from '../http/validate.js';
import { API_KEY_ID_PATTERN } from '../auth/api-key.js';
import { requireAdminToken } from '../auth/auth.middleware.js';
import {
  accountSchema,
  apiKeySchema,
  merchantSchema,
  presentAccount,
  presentApiKey,
  presentCreatedAccount,
  presentIssuedApiKey,
  presentMerchant,
  presentTransaction,
  transactionSchema,
} from '../presenters.js';
import type { AccountsService } from './accounts.service.js';
import type { TransactionsService } from './transactions.service.js';
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
} from './admin.schemas.js';
import { pageBody } from '../http/pages.js';

const SMALL_BODY = '32kb';
// 10,000 transactions with modest `data` objects.
const BATCH_BODY = '16mb';
const MAX_INT32 = 2_147_483_647;

/** A list answer: `{data, next_cursor}`, the cursor null on the last page. */
const pageSchema = (item: Joi.Schema, name: string) =>
  answer({
    data: Joi.array().items(item),
    next_cursor: Joi.string().allow(null).description('Pass as `cursor` for the next (older) page; null on the last page.'),
  }).id(name);

export const accountPageSchema = pageSchema(accountSchema, 'AccountPage');
export const merchantPageSchema = pageSchema(merchantSchema, 'MerchantPage');
export const transactionPageSchema = pageSchema(transactionSchema, 'TransactionPage');
export const apiKeyListSchema = answer({ data: Joi.array().items(apiKeySchema) }).id('ApiKeyList');
export const transactionBatchCreatedSchema = answer({ count: Joi.number().integer().min(1), ids: Joi.array().items(transactionId()) }).id(
  'TransactionBatchCreated',
);

/** The platform core's feed (SPEC 6): accounts, merchants, transactions and status changes. */
export function adminRoutes(deps: { adminToken: string; accounts: AccountsService; transactions: TransactionsService }): Router {
  const router = Router();
  router.use(requireAdminToken(deps.adminToken));

  router.post('/accounts', jsonBody(SMALL_BODY), async (req, res) => {
    const body = validate(createAccountSchema, req.body ?? {});
    const { account, apiKey } = await deps.accounts.createAccount(body.name);
    res.status(201).json(presentCreatedAccount(account, apiKey));
  });

  router.get('/accounts', async (req, res) => {
    const q = validate(listAccountsSchema, req.query);
    const page = await deps.accounts.listAccounts({ beforeId: q.cursor, limit: q.limit });
    res.json(pageBody('account', page, presentAccount));
  });

  router.get('/accounts/:id', async (req, res) => {
    const account = await deps.accounts.getAccount(pathId(req.params.id, 'Account not found', MAX_INT32));
    res.json(presentAccount(account));
  });

  router.post('/accounts/:id/api-keys', async (req, res) => {
    const { key, apiKey } = await deps.accounts.issueApiKey(pathId(req.params.id, 'Account not found', MAX_INT32));
    res.status(201).json(presentIssuedApiKey(key, apiKey));
  });

  router.get('/accounts/:id/api-keys', async (req, res) => {
    const keys = await deps.accounts.listApiKeys(pathId(req.params.id, 'Account not found', MAX_INT32));
    res.json({ data: keys.map(presentApiKey) });
  });

  router.delete('/api-keys/:id', async (req, res) => {
    const id = req.params.id;
    if (!API_KEY_ID_PATTERN.test(id)) throw new NotFoundError('API key not found');
    await deps.accounts.revokeApiKey(id);
    res.status(204).end();
  });

  router.get('/merchants', async (req, res) => {
    const q = validate(listMerchantsSchema, req.query);
    const page = await deps.accounts.listMerchants({ accountId: q.account_id }, { beforeId: q.cursor, limit: q.limit });
    res.json(pageBody('merchant', page, (m) => presentMerchant(m)));
  });

  router.get('/merchants/:id', async (req, res) => {
    const merchant = await deps.accounts.getMerchant(pathId(req.params.id, 'Merchant not found', MAX_INT32));
    res.json(presentMerchant(merchant));
  });

  router.post('/merchants', jsonBody(SMALL_BODY), async (req, res) => {
    const body = validate(createMerchantSchema, req.body ?? {});
    const merchant = await deps.accounts.createMerchant({
      id: body.id,
      accountId: body.account_id,
      name: body.name,
      branchIdentifier: body.branch_identifier ?? null,
      accountNumber: body.account_number ?? null,
      webhookUrl: body.webhook_url ?? null,
      maxConcurrency: body.max_concurrency ?? null,
      maxPerSecond: body.max_per_second ?? null,
    });
    res.status(201).json(presentMerchant(merchant, { withSecret: true }));
  });

  router.patch('/merchants/:id', jsonBody(SMALL_BODY), async (req, res) => {
    const id = pathId(req.params.id, 'Merchant not found', MAX_INT32);
    const body = validate(updateMerchantSchema, req.body ?? {});
    const merchant = await deps.accounts.updateMerchant(id, {
      name: body.name,
      webhookUrl: body.webhook_url,
      maxConcurrency: body.max_concurrency,
      maxPerSecond: body.max_per_second,
      // The schema lets the two through only together, both strings or both null.
      bankAccount:
        body.branch_identifier === undefined
          ? undefined
          : body.branch_identifier === null
            ? null
            : { branchIdentifier: body.branch_identifier, accountNumber: body.account_number },
    });
    res.json(presentMerchant(merchant));
  });

  router.get('/transactions', async (req, res) => {
    const q = validate(listTransactionsSchema, req.query);
    const page = await deps.transactions.listByMerchant(q.merchant_id, { beforeId: q.cursor, limit: q.limit });
    res.json(pageBody('transaction', page, presentTransaction));
  });

  router.get('/transactions/:id', async (req, res) => {
    const transaction = await deps.transactions.get(pathId(req.params.id, 'Transaction not found'));
    res.json(presentTransaction(transaction));
  });

  router.post('/transactions', jsonBody(SMALL_BODY), async (req, res) => {
    const { notify, ...input } = validate(createTransactionSchema, req.body ?? {});
    const [created] = await deps.transactions.create([input], { notify });
    res.status(201).json(presentTransaction(created!));
  });

  router.post('/transactions/batch', jsonBody(BATCH_BODY), async (req, res) => {
    const body = validate(createTransactionBatchSchema, req.body ?? {});
    const created = await deps.transactions.create(body.transactions, {
      notify: body.notify,
      fieldPrefix: (i) => `transactions[${i}].`,
    });
    res.status(201).json({ count: created.length, ids: created.map((t) => t.id) });
  });

  router.patch('/transactions/:id', jsonBody(SMALL_BODY), async (req, res) => {
    const id = pathId(req.params.id, 'Transaction not found');
    const body = validate(changeStatusSchema, req.body ?? {});
    const updated = await deps.transactions.changeStatus(id, body.status_id, body.status_changed_at);
    res.json(presentTransaction(updated));
  });

  return router;
}
