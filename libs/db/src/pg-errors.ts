/** PostgreSQL error codes the services turn into 4xx answers. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = driverError(err);
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

export function isForeignKeyViolation(err: unknown): boolean {
  return driverError(err)?.code === '23503';
}

export function violatedConstraint(err: unknown): string | undefined {
  return driverError(err)?.constraint;
}

function driverError(err: unknown): { code?: string; constraint?: string } | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  return e.driverError ?? e;
}
