import Joi from 'joi';
import { NOTIFIABLE_STATUS_IDS, TRANSACTION_KINDS, type TransactionKind } from '@wr/domain';
import { zonedDateTime } from '../http/joi-types.js';

const isoDateTime = zonedDateTime();

/** And is scheduled at most 7 days ahead. */
export const MAX_RUN_AT_AHEAD_MS = 7 * 24 * 60 * 60 * 1000;

export interface CreateReplayBody {
  merchant_id: number;
  from: string;
  to: string;
  kind?: TransactionKind;
  status_ids?: number[];
  only_failed: boolean;
  run_at?: string;
  dry_run: boolean;
}

export const createReplaySchema = Joi.object<CreateReplayBody>({
  merchant_id: Joi.number().strict().integer().min(1).max(2_147_483_647).required(),
  from: isoDateTime.required(),
  to: isoDateTime.required().description('After `from`, at most 31 days later (split into 3-hour jobs).'),
  kind: Joi.string().valid(...TRANSACTION_KINDS).description('Default: both kinds.'),
  status_ids: Joi.array().items(Joi.number().integer().valid(...NOTIFIABLE_STATUS_IDS)).min(1).unique(),
  only_failed: Joi.boolean().strict().default(false).description('Only transactions whose last delivery did not succeed.'),
  run_at: isoDateTime.description('Start later (at most 7 days ahead).'),
  dry_run: Joi.boolean().strict().default(false).description('Only count.'),
})
  .id('CreateReplayRequest')
  .example({ merchant_id: 303, from: '2026-11-22T09:00:00Z', to: '2026-11-22T15:00:00Z', only_failed: true });

export interface CreateScheduleBody {
  merchant_id: number;
  every_seconds: number;
  lookback_seconds?: number;
  only_failed: boolean;
  kind?: TransactionKind;
}

export const createScheduleSchema = Joi.object<CreateScheduleBody>({
  merchant_id: Joi.number().strict().integer().min(1).max(2_147_483_647).required(),
  every_seconds: Joi.number()
    .strict()
    .integer()
    .min(1)
    .max(7 * 24 * 3600)
    .required()
    .description('How often it runs, in seconds (at least 1; an hour is 3600).'),
  lookback_seconds: Joi.number()
    .strict()
    .integer()
    .min(1)
    .max(31 * 24 * 3600)
    .description('How far back the first run looks (default every_seconds); each later run starts where the previous one ended.'),
  only_failed: Joi.boolean().strict().default(true),
  kind: Joi.string().valid(...TRANSACTION_KINDS),
})
  .id('CreateReplayScheduleRequest')
  .example({ merchant_id: 303, every_seconds: 3600 });
