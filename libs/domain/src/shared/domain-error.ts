import type { JsonObject } from './json';

/**
 * How the command API maps a refusal: 'rule' → 409 (the state refuses it), 'not-found' → 404,
 * 'forbidden' → 403, 'invalid' → 400 (with `details.field`).
 */
export type DomainErrorKind = 'rule' | 'not-found' | 'forbidden' | 'invalid';

export interface DomainErrorOptions {
  kind?: DomainErrorKind;
  details?: JsonObject;
}

/**
 * A refusal by the domain. `code` is stable (kebab-case) so clients and tests can rely on it;
 * `message` is for people and says the numbers ("requested 120, available 40"); `details` carries
 * the same numbers as data.
 */
export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly details: JsonObject;

  constructor(
    readonly code: string,
    message?: string,
    options: DomainErrorOptions = {},
  ) {
    super(message ?? code);
    this.name = 'DomainError';
    this.kind = options.kind ?? 'rule';
    this.details = options.details ?? {};
  }

  /** the input field an 'invalid' error is about (also in details.field) */
  get field(): string | undefined {
    const f = this.details['field'];
    return typeof f === 'string' ? f : undefined;
  }

  static rule(code: string, message: string, details: JsonObject = {}): DomainError {
    return new DomainError(code, message, { kind: 'rule', details });
  }

  static notFound(code: string, message: string, details: JsonObject = {}): DomainError {
    return new DomainError(code, message, { kind: 'not-found', details });
  }

  static forbidden(code: string, message: string, details: JsonObject = {}): DomainError {
    return new DomainError(code, message, { kind: 'forbidden', details });
  }

  static invalid(field: string, message: string, details: JsonObject = {}, code = 'invalid-input'): DomainError {
    return new DomainError(code, `${field}: ${message}`, { kind: 'invalid', details: { field, reason: message, ...details } });
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}

export const httpStatusOfKind: Readonly<Record<DomainErrorKind, number>> = {
  rule: 409,
  'not-found': 404,
  forbidden: 403,
  invalid: 400,
};

/** Exhaustiveness check for switches over command and event unions. */
export function assertNever(value: never): never {
  throw new DomainError('unknown-message', `unknown command or event: ${JSON.stringify((value as { type?: unknown })?.type ?? value)}`, {
    kind: 'invalid',
    details: { field: 'type', reason: 'unknown type' },
  });
}
