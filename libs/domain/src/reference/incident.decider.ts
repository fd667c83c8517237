import { assertNever, DomainError } from '../shared/domain-error';
import { optionalText, requireId, requireLines, requireMetadata, requireOneOf, requireReason, requireText } from '../shared/guards';
import { emitter, omit, type Decider } from '../shared/message';
import type { IncidentCommand } from './incident.commands';
import { incidentPhases, incidentTypes, type IncidentEvent, type IncidentPhase, type IncidentType } from './incident.events';
import { changedFields, hasChanges, requireActive, requireUnregistered, type ReferenceStatus } from './reference-support';

export type IncidentState = {
  status: ReferenceStatus;
  incidentId?: string;
  name?: string;
  type?: IncidentType;
  districts?: string[];
  phase?: IncidentPhase;
};

export const initialIncidentState: IncidentState = { status: 'none' };
const emit = emitter<IncidentEvent>();

function districts(value: unknown): string[] {
  const list = requireLines<unknown>(value, 'districts').map((d, i) => requireText(d, `districts[${i}]`, 100));
  requireLines<string>(list, 'districts', (d) => d.trim().toLowerCase());
  return list;
}

export function evolveIncident(state: IncidentState, event: IncidentEvent): IncidentState {
  switch (event.type) {
    case 'IncidentRegistered':
      return { status: 'active', ...omit(event.data, 'registeredAt') };
    case 'IncidentUpdated':
      return { ...state, ...omit(event.data, 'updatedAt', 'incidentId') };
    case 'IncidentPhaseChanged':
      return { ...state, phase: event.data.to };
    case 'IncidentDeactivated':
      return { ...state, status: 'deactivated' };
    default:
      return state;
  }
}

export function decideIncident(command: IncidentCommand, state: IncidentState): IncidentEvent[] {
  requireMetadata(command.metadata);
  const now = command.metadata.now;
  switch (command.type) {
    case 'RegisterIncident': {
      const d = command.data;
      const incidentId = requireId(d.incidentId, 'incidentId');
      requireUnregistered('incident', state, incidentId);
      return [
        emit('IncidentRegistered', {
          incidentId,
          name: requireText(d.name, 'name', 200),
          type: requireOneOf(d.type, incidentTypes, 'type'),
          districts: districts(d.districts),
          phase: d.phase === undefined ? 'preparedness' : requireOneOf(d.phase, incidentPhases, 'phase'),
          registeredAt: now,
        }),
      ];
    }
    case 'UpdateIncident': {
      const d = command.data;
      requireActive('incident', state, d.incidentId);
      const changes = changedFields(state, {
        name: optionalText(d.name, 'name', 200),
        districts: d.districts === undefined ? undefined : districts(d.districts),
      });
      if (!hasChanges(changes)) return [];
      return [emit('IncidentUpdated', { incidentId: d.incidentId, ...changes, updatedAt: now })];
    }
    case 'ChangeIncidentPhase': {
      const d = command.data;
      requireActive('incident', state, d.incidentId);
      const to = requireOneOf(d.phase, incidentPhases, 'phase');
      const from = state.phase as IncidentPhase;
      if (to === from) {
        throw DomainError.rule('phase-unchanged', `incident ${d.incidentId} is already in phase ${from}`, { incidentId: d.incidentId, phase: from });
      }
      return [emit('IncidentPhaseChanged', { incidentId: d.incidentId, from, to, reason: requireReason(d.reason), changedAt: now })];
    }
    case 'DeactivateIncident':
      requireActive('incident', state, command.data.incidentId);
      return [
        emit('IncidentDeactivated', { incidentId: command.data.incidentId, reason: requireReason(command.data.reason), deactivatedAt: now }),
      ];
    default:
      return assertNever(command);
  }
}

export const incidentDecider: Decider<IncidentCommand, IncidentState, IncidentEvent> = {
  initialState: initialIncidentState,
  evolve: evolveIncident,
  decide: decideIncident,
};
