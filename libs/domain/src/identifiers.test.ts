import { describe, expect, it } from '@jest/globals';
import { parseTransactionId, transactionLookupFor } from './identifiers.js';

describe('transactionLookupFor', () => {
  it('when the identifier is digits, then it is searched as id and as external id', () => {
    expect(transactionLookupFor('123')).toEqual({ id: 123, externalId: '123' });
  });

  it('when the identifier is an end-to-end id, then it is searched as one (and as an external id)', () => {
    const e2e = 'E12345678202611221200abcdefghijkl';
    expect(transactionLookupFor(e2e)).toEqual({ endToEndId: e2e, externalId: e2e });
  });

  it('when the identifier is too long, empty or has whitespace, then nothing can match', () => {
    expect(transactionLookupFor('x'.repeat(129))).toBeUndefined();
    expect(transactionLookupFor('')).toBeUndefined();
    expect(transactionLookupFor('a b')).toBeUndefined();
  });

  it('when digits exceed a safe bigint, then they are not a numeric id', () => {
    expect(parseTransactionId('99999999999999999999')).toBeUndefined();
    expect(parseTransactionId('0')).toBeUndefined();
    expect(parseTransactionId('007')).toBeUndefined();
    expect(parseTransactionId('9007199254740991')).toBe(9007199254740991);
  });
});
