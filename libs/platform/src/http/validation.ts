import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiError, type FieldError } from './api-error';
import { memoiseValidationMetadata } from './validation-metadata';

const INDEX = /^\d+$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function joinPath(parent: string, property: string): string {
  if (INDEX.test(property)) return `${parent}[${property}]`;
  if (!IDENTIFIER.test(property)) return `${parent}[${JSON.stringify(property)}]`;
  return parent ? `${parent}.${property}` : property;
}

/**
 * class-validator's default messages start with the property name ("quantity must be a positive
 * number", "property foo should not exist"); the field is already in `field`, so keep the reason.
 */
function reasonOf(message: string, property: string): string {
  for (const prefix of [`property ${property} `, `${property} `]) {
    if (message.startsWith(prefix)) return message.slice(prefix.length);
  }
  return message;
}

/** Flattens class-validator's tree into one entry per failed constraint, with the path of the value. */
export function flattenValidationErrors(errors: readonly ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = joinPath(parent, e.property);
    for (const message of Object.values(e.constraints ?? {})) out.push({ field, reason: reasonOf(message, e.property) });
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

export function validationException(errors: ValidationError[]): ApiError {
  const flat = flattenValidationErrors(errors);
  const first = flat[0];
  const message = first
    ? `invalid input: ${first.field} ${first.reason}${flat.length > 1 ? ` (and ${flat.length - 1} more)` : ''}`
    : 'invalid input';
  return new ApiError(400, 'invalid-input', message, undefined, flat);
}

/** The global pipe: unknown fields refused, payloads turned into DTO instances, errors flattened. */
export function createValidationPipe(): ValidationPipe {
  memoiseValidationMetadata();
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Values are echoed nowhere: an error response must not carry back what the client sent.
    validationError: { target: false, value: false },
    exceptionFactory: validationException,
  });
}

/**
 * Express error middleware placed right after the JSON parser: a body that is not JSON becomes an
 * 'malformed-json' ApiError (Nest would turn it into an anonymous 400 'bad-request').
 */
export function malformedJsonHandler(err: unknown, _req: unknown, _res: unknown, next: (err?: unknown) => void): void {
  const e = err as { type?: string; message?: string } | null;
  if (err instanceof SyntaxError && e?.type === 'entity.parse.failed') {
    next(new ApiError(400, 'malformed-json', `the body is not valid JSON: ${e.message}`));
    return;
  }
  next(err);
}
