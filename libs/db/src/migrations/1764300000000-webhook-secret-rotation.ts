import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook secret rotation with overlap (SPEC 2, 3): the secret a rotation replaced stays usable
 * (webhooks carry a second signature made with it) until `previous_secret_expires_at`. Both are
 * null when there is no overlap. The previous secret is stored sealed, like the current one.
 */
export class WebhookSecretRotation1764300000000 implements MigrationInterface {
  name = 'WebhookSecretRotation1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE merchants
        ADD COLUMN previous_webhook_secret text,
        ADD COLUMN previous_secret_expires_at timestamptz,
        ADD CONSTRAINT merchants_previous_secret_expiry
          CHECK ((previous_webhook_secret IS NULL) = (previous_secret_expires_at IS NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE merchants
        DROP CONSTRAINT merchants_previous_secret_expiry,
        DROP COLUMN previous_webhook_secret,
        DROP COLUMN previous_secret_expires_at`);
  }
}
