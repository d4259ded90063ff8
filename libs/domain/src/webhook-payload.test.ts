import { describe, expect, it } from '@jest/globals';
import { statusChangedAtOf, webhookIdFor } from './webhook-payload.js';

describe('webhook ids', () => {
  it('when an id made by webhookIdFor is read back, then it gives the status time it was made from', () => {
    const statusChangedAt = new Date('2026-12-02T01:16:51.123Z');
    expect(statusChangedAtOf(webhookIdFor({ transactionId: 42, statusId: 3, statusChangedAt }))).toEqual(statusChangedAt);
  });

  it('when an id has another shape, then there is no status time in it', () => {
    for (const id of ['msg_42_3', 'evt_42_3_1796172940559', 'msg_42_3_17961x', '']) expect(statusChangedAtOf(id)).toBeNull();
  });
});
