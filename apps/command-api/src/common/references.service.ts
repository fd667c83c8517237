import { Injectable } from '@nestjs/common';
import { DomainError, requireActive, type ReferenceKind } from '@lumbung/domain';
import { CommandRunner, REFERENCE_MAX_AGE_MS, type StateOf } from './command-runner.service';

/**
 * The facts a decider cannot see (DESIGN.md: unknown items, warehouses, sites and members are
 * refused), read through the shared StateCache: unknown → 404 naming which, deactivated → 409.
 */
@Injectable()
export class References {
  constructor(private readonly runner: CommandRunner) {}

  async active<K extends ReferenceKind>(kind: K, id: string): Promise<StateOf<K>> {
    const { state } = await this.runner.load(kind, id, { maxAgeMs: REFERENCE_MAX_AGE_MS });
    requireActive(kind, state as { status: 'none' | 'active' | 'deactivated' }, id);
    return state;
  }

  /** Registered, deactivated or not (for physical facts about what is already there: counts, write-offs). */
  async known<K extends ReferenceKind>(kind: K, id: string): Promise<StateOf<K>> {
    const { state } = await this.runner.load(kind, id, { maxAgeMs: REFERENCE_MAX_AGE_MS });
    if ((state as { status: string }).status === 'none') requireActive(kind, state as { status: 'none' }, id);
    return state;
  }

  /** Every item of the lines, active; read in parallel. Returns them by id. */
  async items(itemIds: readonly string[]): Promise<Map<string, StateOf<'item'>>> {
    const unique = [...new Set(itemIds)];
    const states = await Promise.all(unique.map((id) => this.active('item', id)));
    return new Map(unique.map((id, i) => [id, states[i]]));
  }

  /** A request, pledge or dispatch that must exist (404 `unknown-<kind>` otherwise). */
  async existing<K extends 'request' | 'pledge' | 'dispatch' | 'operationsPlan'>(kind: K, id: string): Promise<{ state: StateOf<K>; revision: number }> {
    // A pre-check only: the step that writes decides again on the stored state (its append is guarded by
    // the expected revision), so a state read within the freshness window is good enough here.
    const { state, revision } = await this.runner.load(kind, id, { maxAgeMs: REFERENCE_MAX_AGE_MS });
    if ((state as { status: string }).status === 'none') {
      const name = kind === 'operationsPlan' ? 'operations-plan' : kind;
      throw DomainError.notFound(`unknown-${name}`, `${name.replace('-', ' ')} ${id} does not exist`, { [`${kind === 'operationsPlan' ? 'plan' : kind}Id`]: id });
    }
    return { state, revision };
  }
}

/** Metadata extra naming the incident and the phase it is in now, where the command belongs to one. */
export async function incidentExtra(runner: CommandRunner, incidentId: string | undefined): Promise<{ incidentId?: string; phase?: string }> {
  if (incidentId === undefined) return {};
  const { state } = await runner.load('incident', incidentId, { maxAgeMs: REFERENCE_MAX_AGE_MS });
  return { incidentId, ...(state.phase !== undefined ? { phase: state.phase } : {}) };
}
