import Joi from 'joi';
import { DELIVERY_OUTCOMES, DELIVERY_TRIGGERS, type DeliveryOutcome, type DeliveryTrigger } from '@wr/domain';
import { cursorParam } from '../http/cursors.js';
import { timestamp, zonedDateTime } from '../http/joi-types.js';

/** What the console's own JSON calls accept; bad input is a 400 naming the field, as on /v1. */

export const signInSchema = Joi.object<{ token: string }>({ token: Joi.string().max(128).required() });

export interface AttemptQuery {
  transaction?: string;
  outcome?: DeliveryOutcome;
  trigger?: DeliveryTrigger;
  from?: Date;
  to?: Date;
  cursor?: number;
  limit: number;
}

export const attemptQuerySchema = Joi.object<AttemptQuery>({
  transaction: Joi.string().trim().min(1).max(128).description('Transaction id, external id or end-to-end id.'),
  outcome: Joi.string().valid(...DELIVERY_OUTCOMES),
  trigger: Joi.string().valid(...DELIVERY_TRIGGERS),
  from: timestamp(),
  to: timestamp().when('from', { is: Joi.exist(), then: Joi.date().greater(Joi.ref('from')) }),
  cursor: cursorParam('log'),
  limit: Joi.number().integer().min(1).max(100).default(25),
});

export const incidentPageSchema = Joi.object<{ cursor?: number; limit: number }>({
  cursor: cursorParam('incident'),
  limit: Joi.number().integer().min(1).max(50).default(10),
});

export interface ConsoleReplayBody {
  from: string;
  to: string;
  only_failed: boolean;
  dry_run: boolean;
}

export const consoleReplaySchema = Joi.object<ConsoleReplayBody>({
  from: zonedDateTime().required(),
  to: zonedDateTime().required(),
  only_failed: Joi.boolean().strict().default(false),
  dry_run: Joi.boolean().strict().default(false),
});

export const consoleRotateSchema = Joi.object<{ overlap_seconds: number }>({
  overlap_seconds: Joi.number().strict().integer().min(0).max(30 * 24 * 3600).default(86_400),
});
