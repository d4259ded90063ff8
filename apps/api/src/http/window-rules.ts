import { UnprocessableError } from '@wr/domain';

/**
 * The rule every window of every contract follows: its end comes after its start, at most
 * `max.ms` later. Errors (unprocessable: 422) name the end field and say the limit in the contract's words.
 */
export function assertWindow(
  window: { start: Date; end: Date },
  fields: { start: string; end: string },
  max: { ms: number; label: string },
): void {
  if (window.end.getTime() <= window.start.getTime()) {
    throw new UnprocessableError(`"${fields.end}" must be after "${fields.start}"`, fields.end);
  }
  if (window.end.getTime() - window.start.getTime() > max.ms) {
    throw new UnprocessableError(`"${fields.end}" must be at most ${max.label} after "${fields.start}"`, fields.end);
  }
}
