import Joi from 'joi';
import { MAX_TRANSACTION_ID, TRANSACTION_KINDS, type TransactionKind } from '@wr/domain';
import { zonedDateTime } from '../http/joi-types.js';

const isoDateTime = zonedDateTime();

export interface SimpayResendBody {
  resend_type: TransactionKind;
  object_reference_id?: number;
  source_account_branch_identifier?: string;
  source_account_number?: string;
  start_datetime?: string;
  end_datetime?: string;
}

/** SPEC 5.3 / the SimPay seed: one object, or an account (branch + number) and a date range. */
export const simpayResendSchema = Joi.object<SimpayResendBody>({
  resend_type: Joi.string().valid(...TRANSACTION_KINDS).required(),
  object_reference_id: Joi.number().integer().min(1).max(MAX_TRANSACTION_ID).description('For CASHIN a QR Code id, for CASHOUT a Transaction id.'),
  source_account_branch_identifier: Joi.string().trim().min(1).max(10),
  source_account_number: Joi.string().trim().min(1).max(32),
  start_datetime: isoDateTime.description('ISO 8601 with a time zone.'),
  end_datetime: isoDateTime.description('ISO 8601 with a time zone; after start_datetime.'),
})
  .oxor('object_reference_id', 'start_datetime')
  .oxor('object_reference_id', 'source_account_number')
  .and('source_account_branch_identifier', 'source_account_number', 'start_datetime', 'end_datetime')
  .or('object_reference_id', 'start_datetime', 'end_datetime', 'source_account_branch_identifier', 'source_account_number')
  .messages({
    'object.oxor': 'Provide either "object_reference_id" or the account and date range, not both',
    'object.and': 'A date range needs all four of "source_account_branch_identifier", "source_account_number", "start_datetime" and "end_datetime" (missing {{#missingWithLabels}})',
    'object.missing': 'Provide "object_reference_id", or "source_account_branch_identifier", "source_account_number", "start_datetime" and "end_datetime"',
  })
  .id('SimpayResendRequest')
  .description(
    'Either `object_reference_id` (for CASHIN a QR Code id, for CASHOUT a Transaction id), or all four of ' +
      '`source_account_branch_identifier`, `source_account_number`, `start_datetime` and `end_datetime`. ' +
      'Ranges are half-open [start, end), at most 31 days, split into consecutive 3-hour jobs under one request id.',
  );

export const resendLogsQuerySchema = Joi.object<{ limit: number; offset: number }>({
  limit: Joi.number().integer().min(1).max(100).default(50).description('Page size.'),
  offset: Joi.number().integer().min(0).max(1_000_000).default(0).description('Requests to skip.'),
});
