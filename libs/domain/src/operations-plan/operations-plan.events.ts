import type { IncidentType } from '../reference/incident.events';
import type { DomainEvent } from '../shared/message';

/** A pre-positioning target: this much of the item should stand in this warehouse before the hazard strikes. */
export type PlanLine = { itemId: string; quantity: number; warehouseId: string };

export type OperationsPlanDraftedData = {
  planId: string;
  name: string;
  hazard: IncidentType;
  district: string;
  version: number;
  lines: PlanLine[];
  note?: string;
  draftedAt: string;
};
export type OperationsPlanRevisedData = { planId: string; version: number; lines: PlanLine[]; reason: string; revisedAt: string };
/** the plan's version in force for the incident; later revisions do not change what was activated */
export type OperationsPlanActivatedData = { planId: string; version: number; incidentId: string; activatedAt: string };

export const operationsPlanEventTypes = ['OperationsPlanDrafted', 'OperationsPlanRevised', 'OperationsPlanActivated'] as const;

export type OperationsPlanEvent =
  | DomainEvent<'OperationsPlanDrafted', OperationsPlanDraftedData>
  | DomainEvent<'OperationsPlanRevised', OperationsPlanRevisedData>
  | DomainEvent<'OperationsPlanActivated', OperationsPlanActivatedData>;
