import Joi from 'joi';
import { MAX_TRANSACTION_ID } from '@wr/domain';

/**
 * Answers are described in joi too, beside the presenter that shapes each one, and the OpenAPI
 * document converts them as it converts the request schemas (docs/json-schema.ts). Nothing
 * validates answers with them at run time; the OpenAPI test checks real answers against the
 * converted schemas with ajv.
 */

/** An answer object: every key is always there (null where it has no value), and no other key. */
export const answer = (keys: Joi.PartialSchemaMap) => Joi.object(keys).prefs({ presence: 'required' });

/** A schema named with `.id()` (a `$ref` in the document), or null. */
export const orNull = (schema: Joi.Schema) => Joi.alternatives(schema, Joi.valid(null));

export const isoTime = () => Joi.string().isoDate();

export const int32Id = () => Joi.number().integer().min(1).max(2_147_483_647);

export const transactionId = () => Joi.number().integer().min(1).max(MAX_TRANSACTION_ID);

export const JOB_ID_PATTERN = /^[0-9a-f]{32}$/;

export const EXAMPLE_JOB_ID = 'a3f1bc2e4d8f0a1b2c3d4e5f6a7b8c9d';
export const EXAMPLE_TIME = '2026-11-22T12:00:00.000Z';

export const jobId = () => Joi.string().pattern(JOB_ID_PATTERN).description('32 lowercase hex characters.').example(EXAMPLE_JOB_ID);

/** The counters every window job (and every request, summed over its jobs) carries. */
export const jobCounters = {
  total: Joi.number().integer().min(0).description('Notifications matched by the window.'),
  processed: Joi.number().integer().min(0).description('Notifications whose delivery is final (delivered or attempts spent).'),
  succeeded: Joi.number().integer().min(0),
  failed: Joi.number().integer().min(0),
};
