import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ExchangeError,
  GrpcCode,
  invalidArgument,
  reasonForCode,
  toExchangeError,
} from '../../core/errors.js';

describe('ExchangeError', () => {
  const cases = [
    ['INVALID_ARGUMENT', GrpcCode.INVALID_ARGUMENT],
    ['INSUFFICIENT_FUNDS', GrpcCode.FAILED_PRECONDITION],
    ['ORDER_NOT_FOUND', GrpcCode.NOT_FOUND],
    ['DUPLICATE_ORDER', GrpcCode.ALREADY_EXISTS],
    ['RATE_LIMITED', GrpcCode.RESOURCE_EXHAUSTED],
    ['NETWORK', GrpcCode.UNAVAILABLE],
    ['TIMEOUT', GrpcCode.DEADLINE_EXCEEDED],
    ['AUTHENTICATION', GrpcCode.UNAUTHENTICATED],
    ['PERMISSION_DENIED', GrpcCode.PERMISSION_DENIED],
  ] as const;
  for (const [reason, code] of cases) {
    it(`travels as status ${code} for ${reason}`, () => {
      assert.equal(new ExchangeError(reason, 'x').code, code);
    });
  }

  it('marks only network, timeout, rate limit and venue outages as transient', () => {
    assert.equal(new ExchangeError('RATE_LIMITED', 'x').transient, true);
    assert.equal(new ExchangeError('EXCHANGE_UNAVAILABLE', 'x').transient, true);
    assert.equal(new ExchangeError('INSUFFICIENT_FUNDS', 'x').transient, false);
    assert.equal(new ExchangeError('DUPLICATE_ORDER', 'x').transient, false);
  });

  it('names the field of an invalid argument in the message and the error', () => {
    const e = invalidArgument('price', 'must be positive, was -1');
    assert.equal(e.field, 'price');
    assert.equal(e.message, 'price: must be positive, was -1');
  });

  it('maps a bare status code back to the default reason', () => {
    assert.equal(reasonForCode(GrpcCode.NOT_FOUND), 'ORDER_NOT_FOUND');
    assert.equal(reasonForCode(GrpcCode.UNAVAILABLE), 'EXCHANGE_UNAVAILABLE');
    assert.equal(reasonForCode(99), 'INTERNAL');
  });

  it('wraps foreign errors as INTERNAL keeping the cause', () => {
    const cause = new TypeError('boom');
    const e = toExchangeError(cause);
    assert.equal(e.reason, 'INTERNAL');
    assert.equal(e.cause, cause);
  });
});
