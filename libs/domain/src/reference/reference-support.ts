import { DomainError } from '../shared/domain-error';

/** Lifecycle shared by the reference data (items, members, warehouses, sites, incidents). */
export type ReferenceStatus = 'none' | 'active' | 'deactivated';

export type ReferenceKind = 'item' | 'member' | 'warehouse' | 'site' | 'incident';

export function requireUnregistered(kind: ReferenceKind, state: { status: ReferenceStatus }, id: string): void {
  if (state.status !== 'none') {
    throw DomainError.rule(`${kind}-already-registered`, `${kind} ${id} is already registered`, { [`${kind}Id`]: id });
  }
}

/**
 * The check every command touching a reference entity makes, here and in the command API's flows
 * (unknown items, warehouses, sites and members are refused): unknown → 404, deactivated → 409.
 */
export function requireActive(kind: ReferenceKind, state: { status: ReferenceStatus }, id: string): void {
  if (state.status === 'none') {
    throw DomainError.notFound(`unknown-${kind}`, `${kind} ${id} is not registered`, { [`${kind}Id`]: id });
  }
  if (state.status === 'deactivated') {
    throw DomainError.rule(`${kind}-deactivated`, `${kind} ${id} is deactivated`, { [`${kind}Id`]: id });
  }
}

/** The fields of `patch` whose values differ from `current` (an update that changes nothing appends nothing). */
export function changedFields<T extends object>(current: T, patch: Partial<T>): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(patch) as Array<keyof T>) {
    const next = patch[key];
    if (next === undefined) continue;
    if (JSON.stringify(next) !== JSON.stringify(current[key])) out[key] = next;
  }
  return out;
}

export function hasChanges(o: object): boolean {
  return Object.keys(o).length > 0;
}
