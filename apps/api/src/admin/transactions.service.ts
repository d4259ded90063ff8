import { ConflictError, NotFoundError, UnprocessableError } from '@wr/domain';
import {
  externalKey,
  isUniqueViolation,
  violatedConstraint,
  type DataSource,
  type IdPage,
  type MerchantRepository,
  type DeliveryRecord,
  type NewTransaction,
  type TransactionRecord,
  type TransactionRepository,
} from '@wr/db';
import type { NotificationService } from '../notifications/notification.service.js';
import { pageOf, type Page } from '../http/pages.js';
import type { TransactionInput } from './admin.schemas.js';

const CONFLICT_FIELDS: Record<string, string> = {
  transactions_pkey: 'id',
  transactions_merchant_external_id_unique: 'external_id',
  transactions_end_to_end_id_unique: 'end_to_end_id',
};

/** Transactions as the platform's core records them; every status change is notified. */
export class TransactionsService {
  constructor(
    private readonly deps: {
      db: DataSource;
      merchants: MerchantRepository;
      transactions: TransactionRepository;
      notifications: NotificationService;
    },
  ) {}

  /**
   * Inserts all or nothing, in one statement, then enqueues the webhooks. `fieldPrefix` makes
   * error messages point into a batch (`transactions[3].merchant_id`).
   */
  async create(inputs: TransactionInput[], options: { notify: boolean; fieldPrefix?: (i: number) => string }): Promise<TransactionRecord[]> {
    const prefix = options.fieldPrefix ?? (() => '');
    await this.assertMerchantsExist(inputs, prefix);
    await this.assertKeysAvailable(inputs, prefix);

    const now = new Date();
    const rows: NewTransaction[] = inputs.map((t) => ({
      id: t.id,
      merchantId: t.merchant_id,
      kind: t.kind,
      externalId: t.external_id ?? null,
      endToEndId: t.end_to_end_id ?? null,
      statusId: t.status_id,
      amount: t.amount,
      data: t.data,
      statusChangedAt: t.status_changed_at ?? now,
    }));
    let created: TransactionRecord[];
    let owed: DeliveryRecord[] = [];
    try {
      created = await this.deps.db.transaction(async (manager) => {
        const inserted = await this.deps.transactions.insertMany(rows, manager);
        if (options.notify) owed = await this.deps.notifications.record(inserted, manager);
        return inserted;
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        const field = CONFLICT_FIELDS[violatedConstraint(err) ?? ''] ?? 'id';
        throw new ConflictError(`A transaction with this "${field}" already exists`, field);
      }
      throw err;
    }
    await this.deps.notifications.wake(owed);
    return created;
  }

  async get(id: number): Promise<TransactionRecord> {
    const transaction = await this.deps.transactions.findById(id);
    if (!transaction) throw new NotFoundError('Transaction not found');
    return transaction;
  }

  /** One merchant's transactions, newest first; an unknown merchant simply has none. */
  async listByMerchant(merchantId: number, page: IdPage): Promise<Page<TransactionRecord>> {
    return pageOf(await this.deps.transactions.listByMerchant(merchantId, { ...page, limit: page.limit + 1 }), page.limit);
  }

  /**
   * A status change, timed and numbered by the database under the transaction's row lock, with
   * its webhook owed in the same database transaction. Setting the status a transaction already
   * has (without a new time) changes nothing; a given time must be later than the stored one.
   */
  async changeStatus(id: number, statusId: number, statusChangedAt?: Date): Promise<TransactionRecord> {
    const { updated, owed } = await this.deps.db.transaction(async (manager) => {
      const row = await this.deps.transactions.changeStatus(id, statusId, statusChangedAt, manager);
      return { updated: row, owed: row ? await this.deps.notifications.record([row], manager) : [] };
    });
    if (!updated) return this.explainUnchanged(id, statusId, statusChangedAt);
    await this.deps.notifications.wake(owed);
    return updated;
  }

  private async explainUnchanged(id: number, statusId: number, statusChangedAt?: Date): Promise<TransactionRecord> {
    const current = await this.deps.transactions.findById(id);
    if (!current) throw new NotFoundError('Transaction not found');
    if (statusChangedAt === undefined && current.statusId === statusId) return current;
    throw new ConflictError(
      `"status_changed_at" must be later than the transaction's current one (${current.statusChangedAt.toISOString()})`,
      'status_changed_at',
    );
  }

  private async assertKeysAvailable(inputs: TransactionInput[], prefix: (i: number) => string): Promise<void> {
    const taken = await this.deps.transactions.findTakenKeys({
      ids: inputs.flatMap((t) => (t.id === undefined ? [] : [t.id])),
      externalIds: inputs.flatMap((t) => (t.external_id == null ? [] : [{ merchantId: t.merchant_id, externalId: t.external_id }])),
      endToEndIds: inputs.flatMap((t) => (t.end_to_end_id == null ? [] : [t.end_to_end_id])),
    });
    const clash = firstTakenKey(inputs, taken);
    if (!clash) return;
    const field = `${prefix(clash.index)}${clash.field}`;
    throw new ConflictError(
      clash.where === 'stored'
        ? `"${field}" is already used by another transaction`
        : `"${field}" repeats another transaction of this request`,
      field,
    );
  }

  private async assertMerchantsExist(inputs: TransactionInput[], prefix: (i: number) => string): Promise<void> {
    const ids = [...new Set(inputs.map((t) => t.merchant_id))];
    const found = new Set((await this.deps.merchants.findManyByIds(ids)).map((m) => m.id));
    const index = inputs.findIndex((t) => !found.has(t.merchant_id));
    if (index >= 0) {
      const field = `${prefix(index)}merchant_id`;
      throw new UnprocessableError(`"${field}" does not name an existing merchant`, field);
    }
  }
}

/**
 * The first row whose unique key repeats an earlier row of the request or a stored transaction,
 * so a 10,000-row batch says which row is wrong. The constraint stays the last word under races.
 */
function firstTakenKey(
  inputs: TransactionInput[],
  taken: { ids: Set<number>; externalIds: Set<string>; endToEndIds: Set<string> },
): { index: number; field: string; where: 'request' | 'stored' } | undefined {
  const seen = { ids: new Set<number>(), externalIds: new Set<string>(), endToEndIds: new Set<string>() };
  for (const [index, t] of inputs.entries()) {
    const keys: Array<[keyof typeof seen, string, string | number | null | undefined]> = [
      ['ids', 'id', t.id],
      ['externalIds', 'external_id', t.external_id == null ? null : externalKey(t.merchant_id, t.external_id)],
      ['endToEndIds', 'end_to_end_id', t.end_to_end_id],
    ];
    for (const [set, field, value] of keys) {
      if (value === null || value === undefined) continue;
      if ((taken[set] as Set<string | number>).has(value)) return { index, field, where: 'stored' };
      if ((seen[set] as Set<string | number>).has(value)) return { index, field, where: 'request' };
      (seen[set] as Set<string | number>).add(value);
    }
  }
  return undefined;
}
