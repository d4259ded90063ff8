import type { ErrorRequestHandler } from 'express';
import type { Logger } from '@wr/logger';
import { errorAnswer, setRetryAfter } from '../http/error-handler.js';

/** The SimPay dialect: every error is `{"worked": false, "detail": "…"}` with its status. */
export function simpayErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const { status, message } = errorAnswer(err, logger);
    setRetryAfter(res, err);
    res.status(status).json({ worked: false, detail: message });
  };
}
