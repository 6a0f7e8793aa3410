import { errorCodes, SuccessEngineError, type ErrorCode } from '../../core';
import { classifyFailure } from './error-mapping';

describe('classifyFailure reads the retry column of core/errors.ts', () => {
  it('gives up at once on bad engine input, which can never succeed on a retry', () => {
    expect(classifyFailure(new SuccessEngineError('ENGINE.BAD_INPUT', 'x'))).toEqual({ kind: 'unrecoverable' });
    expect(classifyFailure(new SuccessEngineError('ALERT.UNDELIVERABLE', 'x'))).toEqual({ kind: 'unrecoverable' });
  });

  it('waits out a rate limit for the time the CRM asked, 10 s when it did not say', () => {
    expect(classifyFailure(new SuccessEngineError('CONNECTOR.RATE_LIMITED', 'x', { waitMs: 2_500 }))).toEqual({
      kind: 'rate-limit',
      waitMs: 2_500,
    });
    expect(classifyFailure(new SuccessEngineError('CONNECTOR.RATE_LIMITED', 'x'))).toEqual({ kind: 'rate-limit', waitMs: 10_000 });
  });

  it('retries transient codes and errors that are not ours', () => {
    expect(classifyFailure(new SuccessEngineError('CONNECTOR.UNAVAILABLE', 'x'))).toEqual({ kind: 'retry' });
    expect(classifyFailure(new Error('socket hang up'))).toEqual({ kind: 'retry' });
  });

  it('maps every code in the table to the semantics written next to it', () => {
    for (const [code, info] of Object.entries(errorCodes) as [ErrorCode, { retry: string }][]) {
      expect(classifyFailure(new SuccessEngineError(code, 'x')).kind).toBe(info.retry);
    }
  });
});
