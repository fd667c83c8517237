import { BadRequestException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import {
  ConcurrencyRetriesExhaustedError,
  EventStoreClosedError,
  InvalidAppendError,
  WrongExpectedRevisionError,
} from '@lumbung/event-store';
import { DomainError } from '@lumbung/domain/shared/domain-error';
import { ApiError } from './api-error';
import { mapError } from './error-mapping';

describe('mapError', () => {
  it('maps domain errors by kind, with code, message and details', () => {
    const rule = mapError(DomainError.rule('insufficient-stock', 'requested 120, available 40', { requested: 120, available: 40 }));
    expect(rule).toMatchObject({ status: 409, code: 'insufficient-stock', message: 'requested 120, available 40', details: { requested: 120, available: 40 }, outcome: 'refused' });
    expect(mapError(DomainError.notFound('unknown-item', 'no item x'))).toMatchObject({ status: 404, outcome: 'refused', details: undefined });
    expect(mapError(DomainError.forbidden('not-your-pledge', 'no'))).toMatchObject({ status: 403, outcome: 'refused' });
    expect(mapError(DomainError.invalid('lines[0].quantity', 'must be a positive integer'))).toMatchObject({
      status: 400,
      code: 'invalid-input',
      outcome: 'invalid',
      errors: [{ field: 'lines[0].quantity', reason: 'must be a positive integer' }],
    });
  });

  it('recognises a domain error by its shape, not its class', () => {
    const e = Object.assign(new Error('site closed'), { kind: 'rule', code: 'site-closed', details: {} });
    expect(mapError(e)).toMatchObject({ status: 409, code: 'site-closed' });
    // An error with an unknown kind is not a domain error: it stays internal.
    expect(mapError(Object.assign(new Error('x'), { kind: 'weird', code: 'c' }))).toMatchObject({ status: 500, internal: true });
  });

  it('maps event store errors', () => {
    expect(mapError(new InvalidAppendError('events[0].data', 'must be a JSON object'))).toMatchObject({
      status: 400,
      errors: [{ field: 'events[0].data', reason: 'must be a JSON object' }],
    });
    const wrong = new WrongExpectedRevisionError('stock-w1', 3, 5);
    expect(mapError(wrong, { headers: {} })).toMatchObject({ status: 409, code: 'conflict', message: 'conflict: stream changed, retry', outcome: 'conflict' });
    expect(mapError(wrong, { headers: { 'if-match': '"stock-w1:3"' } })).toMatchObject({
      status: 412,
      code: 'precondition-failed',
      details: { streamId: 'stock-w1', expected: '3', actual: 5 },
      outcome: 'conflict',
    });
    expect(mapError(new ConcurrencyRetriesExhaustedError('stock-w1', 5))).toMatchObject({ status: 409, outcome: 'conflict', details: { attempts: 5 } });
    expect(mapError(new EventStoreClosedError())).toMatchObject({ status: 503, internal: false });
  });

  it('keeps Nest HTTP exceptions and body-parser errors with their status', () => {
    expect(mapError(new NotFoundException('Cannot GET /nope'))).toMatchObject({ status: 404, code: 'not-found', message: 'Cannot GET /nope', outcome: 'refused' });
    expect(mapError(new BadRequestException(['a', 'b']))).toMatchObject({ status: 400, message: 'a; b' });
    const terminus = new ServiceUnavailableException({ status: 'error', info: {}, error: { eventStore: { status: 'down' } }, details: {} });
    expect(mapError(terminus)).toMatchObject({ status: 503, details: { status: 'error' }, internal: false });
    const parse = Object.assign(new SyntaxError('Unexpected token } in JSON'), { status: 400, statusCode: 400, expose: true, type: 'entity.parse.failed' });
    expect(mapError(parse)).toMatchObject({ status: 400, code: 'malformed-json' });
  });

  it('hides everything else behind a 500', () => {
    const m = mapError(new Error('connection refused at 10.0.0.3:5432'));
    expect(m).toMatchObject({ status: 500, code: 'internal-error', internal: true, outcome: 'error' });
    expect(m.message).not.toContain('10.0.0.3');
  });

  it('writes ApiErrors as they are', () => {
    expect(mapError(new ApiError(422, 'idempotency-key-reused', 'no'))).toMatchObject({ status: 422, code: 'idempotency-key-reused', outcome: 'invalid' });
  });
});
