import Joi from 'joi';
import { NOTIFIABLE_STATUS_IDS, TRANSACTION_KINDS } from '@wr/domain';
import { zonedDateTime } from '../http/joi-types.js';

const isoDateTime = zonedDateTime();

/** And is scheduled at most 7 days ahead. */
export const MAX_RUN_AT_AHEAD_MS = 7 * 24 * 60 * 60 * 1000;

export const createReplaySchema = Joi.object({
  merchant_id: Joi.number().strict().integer().min(1).max(2_147_483_647).required(),
  from: isoDateTime.required(),
  to: isoDateTime.required(),
  kind: Joi.string().valid(...TRANSACTION_KINDS),
  status_ids: Joi.array().items(Joi.number().integer().valid(...NOTIFIABLE_STATUS_IDS)).min(1).unique(),
  only_failed: Joi.boolean().strict().default(false),
  run_at: isoDateTime,
  dry_run: Joi.boolean().strict().default(false),
});

export interface CreateReplayBody {
  merchant_id: number;
  from: string;
  to: string;
  kind?: 'CASHIN' | 'CASHOUT';
  status_ids?: number[];
  only_failed: boolean;
  run_at?: string;
  dry_run: boolean;
}

export const createScheduleSchema = Joi.object({
  merchant_id: Joi.number().strict().integer().min(1).max(2_147_483_647).required(),
  /** How often it runs, in seconds (at least 1; an hour is 3600). */
  every_seconds: Joi.number().strict().integer().min(1).max(7 * 24 * 3600).required(),
  /** How far back each run looks, in seconds (defaults to `every_seconds`). */
  lookback_seconds: Joi.number().strict().integer().min(1).max(31 * 24 * 3600),
  only_failed: Joi.boolean().strict().default(true),
  kind: Joi.string().valid(...TRANSACTION_KINDS),
});

export interface CreateScheduleBody {
  merchant_id: number;
  every_seconds: number;
  lookback_seconds?: number;
  only_failed: boolean;
  kind?: 'CASHIN' | 'CASHOUT';
}
