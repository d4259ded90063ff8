import { Router } from 'express';
import { jsonBody } from '../http/json-body.js';
import { pathId } from '../http/path-params.js';
import { validate } from '../http/validate.js';
import { requireAdminToken } from '../auth/auth.middleware.js';
import { presentAccount, presentMerchant, presentTransaction } from '../presenters.js';
import type { AccountsService } from './accounts.service.js';
import type { TransactionsService } from './transactions.service.js';
import {
  changeStatusSchema,
  createAccountSchema,
  createMerchantSchema,
  createTransactionBatchSchema,
  createTransactionSchema,
  updateMerchantSchema,
  type TransactionInput,
} from './admin.schemas.js';

const SMALL_BODY = '32kb';
// 10,000 transactions with modest `data` objects.
const BATCH_BODY = '16mb';

/** The platform core's feed (SPEC 6): accounts, merchants, transactions and status changes. */
export function adminRoutes(deps: { adminToken: string; accounts: AccountsService; transactions: TransactionsService }): Router {
  const router = Router();
  router.use(requireAdminToken(deps.adminToken));

  router.post('/accounts', jsonBody(SMALL_BODY), async (req, res) => {
    const body = validate(createAccountSchema, req.body ?? {});
    const { account, apiKey } = await deps.accounts.createAccount(body.name);
    res.status(201).json({ ...presentAccount(account), api_key: apiKey });
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
    const id = pathId(req.params.id, 'Merchant not found', 2_147_483_647);
    const body = validate(updateMerchantSchema, req.body ?? {});
    const merchant = await deps.accounts.updateMerchant(id, {
      name: body.name,
      webhookUrl: body.webhook_url,
      maxConcurrency: body.max_concurrency,
      maxPerSecond: body.max_per_second,
    });
    res.json(presentMerchant(merchant));
  });

  router.post('/transactions', jsonBody(SMALL_BODY), async (req, res) => {
    const { notify, ...input } = validate(createTransactionSchema, req.body ?? {});
    const [created] = await deps.transactions.create([input as TransactionInput], { notify });
    res.status(201).json(presentTransaction(created!));
  });

  router.post('/transactions/batch', jsonBody(BATCH_BODY), async (req, res) => {
    const body = validate(createTransactionBatchSchema, req.body ?? {});
    const created = await deps.transactions.create(body.transactions as TransactionInput[], {
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
