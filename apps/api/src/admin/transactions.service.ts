import { ConflictError, NotFoundError, ValidationError } from '@wr/domain';
import {
  isUniqueViolation,
  violatedConstraint,
  type DataSource,
  type MerchantRepository,
  type NewTransaction,
  type TransactionRecord,
  type TransactionRepository,
} from '@wr/db';
import type { NotificationService } from '../notifications/notification.service.js';
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
    assertNoDuplicates(inputs, prefix);
    if (options.notify) this.deps.notifications.assertCanEnqueue();

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
    try {
      created = await this.deps.db.transaction((manager) => this.deps.transactions.insertMany(rows, manager));
    } catch (err) {
      if (isUniqueViolation(err)) {
        const field = CONFLICT_FIELDS[violatedConstraint(err) ?? ''] ?? 'id';
        throw new ConflictError(`A transaction with this "${field}" already exists`, field);
      }
      throw err;
    }
    if (options.notify) await this.deps.notifications.statusesChanged(created);
    return created;
  }

  /** A status change; setting the status a transaction already has changes nothing. */
  async changeStatus(id: number, statusId: number, statusChangedAt?: Date): Promise<TransactionRecord> {
    const current = await this.deps.transactions.findById(id);
    if (!current) throw new NotFoundError('Transaction not found');
    if (current.statusId === statusId && statusChangedAt === undefined) return current;
    this.deps.notifications.assertCanEnqueue();
    const updated = await this.deps.transactions.updateStatus(id, statusId, statusChangedAt ?? new Date());
    if (!updated) throw new NotFoundError('Transaction not found');
    await this.deps.notifications.statusesChanged([updated]);
    return updated;
  }

  private async assertMerchantsExist(inputs: TransactionInput[], prefix: (i: number) => string): Promise<void> {
    const ids = [...new Set(inputs.map((t) => t.merchant_id))];
    const found = new Set((await this.deps.merchants.findManyByIds(ids)).map((m) => m.id));
    const index = inputs.findIndex((t) => !found.has(t.merchant_id));
    if (index >= 0) {
      const field = `${prefix(index)}merchant_id`;
      throw new ValidationError(`"${field}" does not name an existing merchant`, field, 422);
    }
  }
}

/** Catches duplicates inside one request, naming the row, before the database does. */
function assertNoDuplicates(inputs: TransactionInput[], prefix: (i: number) => string): void {
  const seen = { id: new Set<number>(), external_id: new Set<string>(), end_to_end_id: new Set<string>() };
  inputs.forEach((t, i) => {
    const checks: Array<[keyof typeof seen, string | number | null | undefined]> = [
      ['id', t.id],
      ['external_id', t.external_id == null ? null : `${t.merchant_id}\u0000${t.external_id}`],
      ['end_to_end_id', t.end_to_end_id],
    ];
    for (const [field, value] of checks) {
      if (value === null || value === undefined) continue;
      const set = seen[field] as Set<string | number>;
      if (set.has(value)) throw new ConflictError(`"${prefix(i)}${field}" repeats another transaction of this request`, `${prefix(i)}${field}`);
      set.add(value);
    }
  });
}
