import Joi from 'joi';
import { MAX_TRANSACTION_ID, TRANSACTION_KINDS } from '@wr/domain';
import { zonedDateTime } from '../http/joi-types.js';


const isoDateTime = zonedDateTime();

/** SPEC 5.3 / the SimPay seed: one object, or an account (branch + number) and a date range. */
export const simpayResendSchema = Joi.object({
  resend_type: Joi.string().valid(...TRANSACTION_KINDS).required(),
  object_reference_id: Joi.number().integer().min(1).max(MAX_TRANSACTION_ID),
  source_account_branch_identifier: Joi.string().trim().min(1).max(10),
  source_account_number: Joi.string().trim().min(1).max(32),
  start_datetime: isoDateTime,
  end_datetime: isoDateTime,
})
  .oxor('object_reference_id', 'start_datetime')
  .oxor('object_reference_id', 'source_account_number')
  .and('source_account_branch_identifier', 'source_account_number', 'start_datetime', 'end_datetime')
  .or('object_reference_id', 'start_datetime', 'end_datetime', 'source_account_branch_identifier', 'source_account_number')
  .messages({
    'object.oxor': 'Provide either "object_reference_id" or the account and date range, not both',
    'object.and': 'A date range needs all four of "source_account_branch_identifier", "source_account_number", "start_datetime" and "end_datetime" (missing {{#missingWithLabels}})',
    'object.missing': 'Provide "object_reference_id", or "source_account_branch_identifier", "source_account_number", "start_datetime" and "end_datetime"',
  });

export interface SimpayResendBody {
  resend_type: 'CASHIN' | 'CASHOUT';
  object_reference_id?: number;
  source_account_branch_identifier?: string;
  source_account_number?: string;
  start_datetime?: string;
  end_datetime?: string;
}

export const resendLogsQuerySchema = Joi.object({
  limit: Joi.number().integer().min(1).max(100).default(50),
  offset: Joi.number().integer().min(0).max(1_000_000).default(0),
});
