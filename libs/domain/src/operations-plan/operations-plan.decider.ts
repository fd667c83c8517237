import { incidentTypes, type IncidentType } from '../reference/incident.events';
import { assertNever, DomainError } from '../shared/domain-error';
import { optionalText, requireId, requireLines, requireMetadata, requireOneOf, requirePositiveInt, requireReason, requireText } from '../shared/guards';
import { emitter, type Decider } from '../shared/message';
import type { OperationsPlanCommand } from './operations-plan.commands';
import type { OperationsPlanEvent, PlanLine } from './operations-plan.events';

export type OperationsPlanState = {
  status: 'none' | 'drafted';
  planId?: string;
  name?: string;
  hazard?: IncidentType;
  district?: string;
  /** every version's lines, version n at index n − 1 */
  versions: PlanLine[][];
  /** incident id → the version activated for it */
  activations: Record<string, number>;
};

export const initialOperationsPlanState: OperationsPlanState = { status: 'none', versions: [], activations: {} };
const emit = emitter<OperationsPlanEvent>();

export function evolveOperationsPlan(state: OperationsPlanState, event: OperationsPlanEvent): OperationsPlanState {
  switch (event.type) {
    case 'OperationsPlanDrafted': {
      const d = event.data;
      return { ...state, status: 'drafted', planId: d.planId, name: d.name, hazard: d.hazard, district: d.district, versions: [d.lines] };
    }
    case 'OperationsPlanRevised':
      return { ...state, versions: [...state.versions, event.data.lines] };
    case 'OperationsPlanActivated':
      return { ...state, activations: { ...state.activations, [event.data.incidentId]: event.data.version } };
    default:
      return state;
  }
}

const planLines = (value: unknown): PlanLine[] =>
  requireLines<{ itemId: unknown; quantity: unknown; warehouseId: unknown }>(value, 'lines', (l) => `${String(l.itemId)}@${String(l.warehouseId)}`).map((l, i) => ({
    itemId: requireId(l.itemId, `lines[${i}].itemId`),
    quantity: requirePositiveInt(l.quantity, `lines[${i}].quantity`),
    warehouseId: requireId(l.warehouseId, `lines[${i}].warehouseId`),
  }));

const norm = (s: string) => s.trim().toLowerCase();

export function decideOperationsPlan(command: OperationsPlanCommand, state: OperationsPlanState): OperationsPlanEvent[] {
  requireMetadata(command.metadata);
  const now = command.metadata.now;
  const planId = requireId(command.data.planId, 'planId');
  if (command.type !== 'DraftOperationsPlan' && state.status === 'none') {
    throw DomainError.notFound('plan-not-found', `operations plan ${planId} was never drafted`, { planId });
  }
  switch (command.type) {
    case 'DraftOperationsPlan': {
      const d = command.data;
      if (state.status !== 'none') throw DomainError.rule('plan-already-drafted', `operations plan ${planId} is already drafted`, { planId });
      return [
        emit('OperationsPlanDrafted', {
          planId,
          name: requireText(d.name, 'name', 200),
          hazard: requireOneOf(d.hazard, incidentTypes, 'hazard'),
          district: requireText(d.district, 'district', 100),
          version: 1,
          lines: planLines(d.lines),
          note: optionalText(d.note, 'note', 1000),
          draftedAt: now,
        }),
      ];
    }
    case 'ReviseOperationsPlan': {
      const lines = planLines(command.data.lines);
      const reason = requireReason(command.data.reason);
      const current = state.versions[state.versions.length - 1];
      if (JSON.stringify(current) === JSON.stringify(lines)) return [];
      return [emit('OperationsPlanRevised', { planId, version: state.versions.length + 1, lines, reason, revisedAt: now })];
    }
    case 'ActivateOperationsPlan': {
      const d = command.data;
      const incidentId = requireId(d.incidentId, 'incidentId');
      const active = state.activations[incidentId];
      if (active !== undefined) {
        throw DomainError.rule('plan-already-activated', `operations plan ${planId} is already active for incident ${incidentId} (version ${active})`, { planId, incidentId, version: active });
      }
      if (d.incidentType !== undefined && d.incidentType !== state.hazard) {
        throw DomainError.rule('hazard-mismatch', `operations plan ${planId} is for ${state.hazard}; incident ${incidentId} is a ${d.incidentType}`, {
          planId,
          incidentId,
          hazard: state.hazard ?? null,
          incidentType: d.incidentType,
        });
      }
      if (d.incidentDistricts !== undefined && !d.incidentDistricts.some((x) => norm(x) === norm(state.district ?? ''))) {
        throw DomainError.rule('district-not-affected', `operations plan ${planId} is for ${state.district}, which incident ${incidentId} does not affect`, {
          planId,
          incidentId,
          district: state.district ?? null,
        });
      }
      return [emit('OperationsPlanActivated', { planId, version: state.versions.length, incidentId, activatedAt: now })];
    }
    default:
      return assertNever(command);
  }
}

export const operationsPlanDecider: Decider<OperationsPlanCommand, OperationsPlanState, OperationsPlanEvent> = {
  initialState: initialOperationsPlanState,
  evolve: evolveOperationsPlan,
  decide: decideOperationsPlan,
};
