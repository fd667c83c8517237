import type { IncidentType } from '../reference/incident.events';
import type { Command } from '../shared/message';

type Lines = Array<{ itemId: string; quantity: number; warehouseId: string }>;

export type DraftOperationsPlan = Command<'DraftOperationsPlan', { planId: string; name: string; hazard: IncidentType; district: string; lines: Lines; note?: string }>;
export type ReviseOperationsPlan = Command<'ReviseOperationsPlan', { planId: string; lines: Lines; reason: string }>;
/**
 * `incidentType` and `incidentDistricts` are the incident as the command API read it: the plan is
 * for one hazard and one district, and is activated only for an incident that matches both.
 */
export type ActivateOperationsPlan = Command<
  'ActivateOperationsPlan',
  { planId: string; incidentId: string; incidentType?: IncidentType; incidentDistricts?: string[] }
>;

export const operationsPlanCommandTypes = ['DraftOperationsPlan', 'ReviseOperationsPlan', 'ActivateOperationsPlan'] as const;
export type OperationsPlanCommand = DraftOperationsPlan | ReviseOperationsPlan | ActivateOperationsPlan;
