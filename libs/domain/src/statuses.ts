/** Transaction status ids shared by every provider contract (SPEC 2). */
export const TRANSACTION_STATUSES = {
  1: 'Pending',
  2: 'Canceled',
  3: 'Paid',
  4: 'Credited',
  5: 'Drop Requested',
  6: 'Awaiting Approval',
  7: 'Rejected',
  8: 'Confirmed',
  9: 'Partial Credited',
  10: 'Pending Challenge',
} as const;

export type StatusId = keyof typeof TRANSACTION_STATUSES;

export const ALL_STATUS_IDS = Object.keys(TRANSACTION_STATUSES).map(Number) as StatusId[];

/** Pending (1) is the only status nobody is notified of. */
export const NOTIFIABLE_STATUS_IDS = ALL_STATUS_IDS.filter((id) => id !== 1);

export function isNotifiableStatus(statusId: number): boolean {
  return statusId >= 2 && statusId <= 10 && Number.isInteger(statusId);
}

export function statusName(statusId: number): string {
  return TRANSACTION_STATUSES[statusId as StatusId] ?? 'Unknown';
}

export const TRANSACTION_KINDS = ['CASHIN', 'CASHOUT'] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];
