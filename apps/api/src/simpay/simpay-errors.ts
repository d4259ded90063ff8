import type { ErrorRequestHandler } from 'express';
import Joi from 'joi';
import type { Logger } from '@wr/logger';
import { errorAnswer, setRetryAfter } from '../http/error-handler.js';
import { answer } from '../http/response-schemas.js';

export const simpayErrorSchema = answer({ worked: Joi.valid(false), detail: Joi.string() })
  .id('SimpayError')
  .description("SimPay's error body.")
  .example({ worked: false, detail: 'QR Code not found' });

/** The SimPay dialect: every error is `{"worked": false, "detail": "…"}` with its status. */
export function simpayErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const { status, message } = errorAnswer(err, logger);
    setRetryAfter(res, err);
    res.status(status).json({ worked: false, detail: message });
  };
}
