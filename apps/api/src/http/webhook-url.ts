import { ValidationError } from '@wr/domain';
import { checkWebhookUrl, URL_REFUSAL_MESSAGES, type TargetRules } from '@wr/delivery';

/**
 * Refuses a webhook URL the delivery agent would refuse anyway (or that carries credentials),
 * naming the field, so the mistake is found when the URL is given rather than at delivery.
 */
export function assertWebhookUrl(field: string, url: string | null | undefined, targets: TargetRules): void {
  if (url === null || url === undefined) return;
  const refusal = checkWebhookUrl(url, targets);
  if (refusal) throw new ValidationError(`"${field}" ${URL_REFUSAL_MESSAGES[refusal]}`, field);
}
