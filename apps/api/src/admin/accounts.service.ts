import type { TargetRules } from '@wr/delivery';
import { ConflictError, NotFoundError, UnprocessableError } from '@wr/domain';
import {
  isForeignKeyViolation,
  isUniqueViolation,
  type AccountRecord,
  type AccountRepository,
  type ApiKeyRecord,
  type DataSource,
  type IdPage,
  type MerchantPatch,
  type MerchantRecord,
  type MerchantRepository,
  type NewMerchant,
} from '@wr/db';
import { generateWebhookSecret } from '@wr/delivery';
import type { EndpointRecovery } from '@wr/replays';
import { issueApiKey, parseApiKey, secretMatches } from '../auth/api-key.js';
import { assertWebhookUrl } from '../http/webhook-url.js';
import { pageOf, type Page } from '../http/pages.js';

const BANK_ACCOUNT_TAKEN = 'A merchant with this "branch_identifier" and "account_number" already exists';

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
  /** The account an API key (as sent in `Authorization: Bearer`) belongs to, or null: unknown, revoked, or wrong. */
  async authenticate(plaintext: string): Promise<number | null> {
    const parsed = parseApiKey(plaintext);
    if (!parsed) return null;
    const key = await this.deps.accounts.findActiveApiKey(parsed.id);
    return key && secretMatches(parsed.secret, key.secretHash) ? key.accountId : null;
  }

  async createAccount(name: string): Promise<{ account: AccountRecord; apiKey: string }> {
    const key = issueApiKey();
    const account = await this.deps.db.transaction(async (manager) => {
      const created = await this.deps.accounts.create(name, manager);
      await this.deps.accounts.addApiKey({ id: key.id, accountId: created.id, secretHash: key.secretHash }, manager);
      return created;
    });
    return { account, apiKey: key.plaintext };
  }

  async getAccount(id: number): Promise<AccountRecord> {
    const account = await this.deps.accounts.findById(id);
    if (!account) throw new NotFoundError('Account not found');
    return account;
  }

  async listAccounts(page: IdPage): Promise<Page<AccountRecord>> {
    return pageOf(await this.deps.accounts.list({ ...page, limit: page.limit + 1 }), page.limit);
  }

  /** Another key for the account (key rotation without downtime); its plaintext exists only in this answer. */
  async issueApiKey(accountId: number): Promise<{ key: ApiKeyRecord; apiKey: string }> {
    const issued = issueApiKey();
    try {
      const key = await this.deps.accounts.addApiKey({ id: issued.id, accountId, secretHash: issued.secretHash });
      return { key, apiKey: issued.plaintext };
    } catch (err) {
      if (isForeignKeyViolation(err)) throw new NotFoundError('Account not found');
      throw err;
    }
  }

  async listApiKeys(accountId: number): Promise<ApiKeyRecord[]> {
    await this.getAccount(accountId);
    return this.deps.accounts.listApiKeys(accountId);
  }

  /** Idempotent: revoking a revoked key answers as the first time did; an unknown key is 404. */
  async revokeApiKey(id: string): Promise<void> {
    const key = await this.deps.accounts.revokeApiKey(id);
    if (!key) throw new NotFoundError('API key not found');
  }

  async getMerchant(id: number): Promise<MerchantRecord> {
    const merchant = await this.deps.merchants.findById(id);
    if (!merchant) throw new NotFoundError('Merchant not found');
    return merchant;
  }

  async listMerchants(filter: { accountId?: number }, page: IdPage): Promise<Page<MerchantRecord>> {
    return pageOf(await this.deps.merchants.list(filter, { ...page, limit: page.limit + 1 }), page.limit);
  }

  async createMerchant(input: Omit<NewMerchant, 'webhookSecret'>): Promise<MerchantRecord> {
    assertWebhookUrl('webhook_url', input.webhookUrl, this.deps.targets);
    try {
      return await this.deps.merchants.create({ ...input, webhookSecret: generateWebhookSecret() });
    } catch (err) {
      if (isForeignKeyViolation(err)) throw new UnprocessableError('"account_id" does not name an existing account', 'account_id');
      if (isUniqueViolation(err, 'merchants_pkey')) throw new ConflictError('A merchant with this "id" already exists', 'id');
      if (isUniqueViolation(err, 'merchants_bank_account_unique')) throw new ConflictError(BANK_ACCOUNT_TAKEN, 'account_number');
      throw err;
    }
  }

  async updateMerchant(id: number, patch: MerchantPatch): Promise<MerchantRecord> {
    assertWebhookUrl('webhook_url', patch.webhookUrl, this.deps.targets);
    const before = patch.webhookUrl !== undefined ? await this.deps.merchants.findById(id) : null;
    const updated = await this.deps.merchants.update(id, patch).catch((err: unknown) => {
      if (isUniqueViolation(err, 'merchants_bank_account_unique')) throw new ConflictError(BANK_ACCOUNT_TAKEN, 'account_number');
      throw err;
    });
    if (!updated) throw new NotFoundError('Merchant not found');
    // A new URL is a new endpoint: its health starts over, and what the old one was owed goes to it.
    if (before && before.webhookUrl !== updated.webhookUrl) await this.deps.recovery.recover(id, 'url_changed');
    return updated;
  }
}
