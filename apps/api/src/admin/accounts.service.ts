import type { TargetRules } from '@wr/delivery';
import { ConflictError, NotFoundError, ValidationError } from '@wr/domain';
import {
  isForeignKeyViolation,
  isUniqueViolation,
  type AccountRecord,
  type AccountRepository,
  type DataSource,
  type MerchantPatch,
  type MerchantRecord,
  type MerchantRepository,
  type NewMerchant,
} from '@wr/db';
import { generateWebhookSecret } from '@wr/delivery';
import type { EndpointRecovery } from '@wr/replays';
import { issueApiKey } from '../auth/api-key.js';
import { assertWebhookUrl } from '../http/webhook-url.js';

/** Accounts, their API keys and their merchants, as the platform's core creates them. */
export class AccountsService {
  constructor(
    private readonly deps: {
      db: DataSource;
      accounts: AccountRepository;
      merchants: MerchantRepository;
      targets: TargetRules;
      recovery: Pick<EndpointRecovery, 'recover'>;
    },
  ) {}

  /** Creates an account with its first API key; the key's plaintext exists only in this answer. */
  async createAccount(name: string): Promise<{ account: AccountRecord; apiKey: string }> {
    const key = issueApiKey();
    const account = await this.deps.db.transaction(async (manager) => {
      const created = await this.deps.accounts.create(name, manager);
      await this.deps.accounts.addApiKey({ id: key.id, accountId: created.id, secretHash: key.secretHash }, manager);
      return created;
    });
    return { account, apiKey: key.plaintext };
  }

  async createMerchant(input: Omit<NewMerchant, 'webhookSecret'>): Promise<MerchantRecord> {
    assertWebhookUrl('webhook_url', input.webhookUrl, this.deps.targets);
    try {
      return await this.deps.merchants.create({ ...input, webhookSecret: generateWebhookSecret() });
    } catch (err) {
      if (isForeignKeyViolation(err)) throw new ValidationError('"account_id" does not name an existing account', 'account_id', 422);
      if (isUniqueViolation(err, 'merchants_pkey')) throw new ConflictError('A merchant with this "id" already exists', 'id');
      if (isUniqueViolation(err, 'merchants_bank_account_unique')) {
        throw new ConflictError('A merchant with this "branch_identifier" and "account_number" already exists', 'account_number');
      }
      throw err;
    }
  }

  async updateMerchant(id: number, patch: MerchantPatch): Promise<MerchantRecord> {
    assertWebhookUrl('webhook_url', patch.webhookUrl, this.deps.targets);
    const before = patch.webhookUrl !== undefined ? await this.deps.merchants.findById(id) : null;
    const updated = await this.deps.merchants.update(id, patch);
    if (!updated) throw new NotFoundError('Merchant not found');
    // A new URL is a new endpoint: its health starts over, and what the old one was owed goes to it.
    if (before && before.webhookUrl !== updated.webhookUrl) await this.deps.recovery.recover(id, 'url_changed');
    return updated;
  }
}
