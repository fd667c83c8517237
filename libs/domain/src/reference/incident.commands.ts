import type { Command } from '../shared/message';
import type { IncidentPhase, IncidentType } from './incident.events';

export type RegisterIncident = Command<
  'RegisterIncident',
  { incidentId: string; name: string; type: IncidentType; districts: string[]; phase?: IncidentPhase }
>;
export type UpdateIncident = Command<'UpdateIncident', { incidentId: string; name?: string; districts?: string[] }>;
export type ChangeIncidentPhase = Command<'ChangeIncidentPhase', { incidentId: string; phase: IncidentPhase; reason: string }>;
export type DeactivateIncident = Command<'DeactivateIncident', { incidentId: string; reason: string }>;

export const incidentCommandTypes = ['RegisterIncident', 'UpdateIncident', 'ChangeIncidentPhase', 'DeactivateIncident'] as const;
export type IncidentCommand = RegisterIncident | UpdateIncident | ChangeIncidentPhase | DeactivateIncident;
