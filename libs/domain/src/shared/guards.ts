import { DomainError } from './domain-error';

/**
 * Input checks that every decider shares. The command API validates DTOs first; these guards keep
 * the domain safe on its own (another caller, a replayed command) and give the same 400 answer:
 * DomainError kind 'invalid' with the field and the reason.
 */

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ID.test(value)) {
    throw DomainError.invalid(field, 'must be an id (letters, digits, . _ : -, at most 128 characters)');
  }
  return value;
}

export function requireText(value: unknown, field: string, max = 500): string {
  if (typeof value !== 'string' || value.trim() === '') throw DomainError.invalid(field, 'must be a non-empty text');
  if (value.length > max) throw DomainError.invalid(field, `is longer than ${max} characters`);
  return value;
}

export function optionalText(value: unknown, field: string, max = 500): string | undefined {
  return value === undefined ? undefined : requireText(value, field, max);
}

export function requireReason(value: unknown, field = 'reason'): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw DomainError.invalid(field, 'a reason is required where a person decides', {}, 'reason-required');
  }
  return requireText(value, field, 1000);
}

export function requirePositiveInt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw DomainError.invalid(field, `must be a positive integer in the item's unit, got ${String(value)}`);
  }
  return value;
}

export function requireNonNegativeInt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw DomainError.invalid(field, `must be an integer >= 0, got ${String(value)}`);
  }
  return value;
}

export function requirePositiveNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw DomainError.invalid(field, `must be a positive number, got ${String(value)}`);
  }
  return value;
}

export function requireOneOf<T extends string>(value: unknown, options: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
    throw DomainError.invalid(field, `must be one of ${options.join(', ')}, got ${String(value)}`);
  }
  return value as T;
}

export function requireIsoTime(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ISO_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw DomainError.invalid(field, 'must be an ISO-8601 time with a zone (2024-03-01T08:00:00Z)');
  }
  return value;
}

export function requireIsoDate(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ISO_DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw DomainError.invalid(field, 'must be an ISO-8601 date (2024-03-01)');
  }
  return value;
}

export function requireLatitude(value: unknown, field = 'lat'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < -90 || value > 90) {
    throw DomainError.invalid(field, `must be a latitude between -90 and 90, got ${String(value)}`);
  }
  return value;
}

export function requireLongitude(value: unknown, field = 'lon'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < -180 || value > 180) {
    throw DomainError.invalid(field, `must be a longitude between -180 and 180, got ${String(value)}`);
  }
  return value;
}

/** A non-empty list whose entries are unique by `key` (one line per item). */
export function requireLines<T>(value: unknown, field: string, key?: (line: T) => string): T[] {
  if (!Array.isArray(value) || value.length === 0) throw DomainError.invalid(field, 'must be a non-empty list');
  if (value.length > 500) throw DomainError.invalid(field, `has ${value.length} entries; at most 500`);
  if (key) {
    const seen = new Set<string>();
    value.forEach((line: T, i) => {
      if (line === null || (typeof line !== 'object' && typeof line !== 'string')) throw DomainError.invalid(`${field}[${i}]`, 'must be an object');
      const k = key(line);
      if (seen.has(k)) throw DomainError.invalid(`${field}[${i}]`, `appears twice (${k}); one line per item`, {}, 'duplicate-line');
      seen.add(k);
    });
  }
  return value as T[];
}

/** Ordering of ISO times (Date.parse handles zones); the domain never asks the clock. */
export function isBefore(a: string, b: string): boolean {
  return Date.parse(a) < Date.parse(b);
}

export function requireMetadata(metadata: unknown): void {
  if (!metadata || typeof metadata !== 'object') throw DomainError.invalid('metadata', 'is required');
  const m = metadata as { now?: unknown; actor?: unknown; role?: unknown };
  requireIsoTime(m.now, 'metadata.now');
  requireText(m.actor, 'metadata.actor', 200);
  requireText(m.role, 'metadata.role', 50);
}
