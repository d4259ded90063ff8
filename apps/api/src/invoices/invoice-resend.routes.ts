import { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import Joi from 'joi';
import type { Logger } from '@wr/logger';
import { accountIdOf } from '../auth/auth.middleware.js';
import { errorAnswer } from '../http/error-handler.js';
import { pathId } from '../http/path-params.js';
import { answer } from '../http/response-schemas.js';
import type { InvoiceResendService } from './invoice-resend.service.js';

const MESSAGES = {
  success: 'Webhook reenviado com sucesso',
  pending: 'Reenvio do webhook em andamento',
} as const;

export const invoiceResendResultSchema = answer({
  message: Joi.string().valid(...Object.values(MESSAGES)),
  invoice_id: Joi.number(),
  status: Joi.string()
    .valid('success', 'pending')
    .description('success: the first attempt delivered it. pending: it did not (yet); the 3 automatic retries go on.'),
})
  .id('InvoiceResendResult')
  .example({ message: MESSAGES.success, invoice_id: 123, status: 'success' });

export const invoiceErrorSchema = answer({ message: Joi.string(), status: Joi.valid('error') })
  .id('InvoiceError')
  .description("gates2b's error body.")
  .example({ message: 'Invoice not found', status: 'error' });

/** SPEC 5.1: `POST /invoices/resend-webhook/:id` as the gates2b seed documents it. */
export function invoiceResendRoutes(deps: { auth: RequestHandler; service: InvoiceResendService; logger: Logger }): Router {
  const router = Router();
  router.post('/resend-webhook/:id', deps.auth, async (req, res) => {
    const invoiceId = pathId(String(req.params.id), 'Invoice not found');
    const status = await deps.service.resend(accountIdOf(req), invoiceId);
    res.status(200).json({ message: MESSAGES[status], invoice_id: invoiceId, status });
  });
  router.use(invoiceErrorHandler(deps.logger));
  return router;
}

/** The gates2b dialect: `{"message": "…", "status": "error"}` with the documented codes. */
function invoiceErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const { status, message } = errorAnswer(err, logger);
    res.status(status).json({ message: status === 500 ? 'Internal error while resending webhook' : message, status: 'error' });
  };
}
