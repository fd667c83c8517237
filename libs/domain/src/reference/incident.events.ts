import type { DomainEvent } from '../shared/message';

export const incidentTypes = ['flood', 'landslide', 'flash-flood', 'earthquake', 'tsunami', 'volcanic-eruption', 'forest-fire', 'drought', 'extreme-weather', 'other'] as const;
export type IncidentType = (typeof incidentTypes)[number];

/** prabencana, tanggap darurat, pascabencana */
export const incidentPhases = ['preparedness', 'emergency', 'recovery'] as const;
export type IncidentPhase = (typeof incidentPhases)[number];

export type IncidentRegisteredData = {
  incidentId: string;
  name: string;
  type: IncidentType;
  districts: string[];
  phase: IncidentPhase;
  registeredAt: string;
};
export type IncidentUpdatedData = { incidentId: string; name?: string; districts?: string[]; updatedAt: string };
export type IncidentPhaseChangedData = { incidentId: string; from: IncidentPhase; to: IncidentPhase; reason: string; changedAt: string };
export type IncidentDeactivatedData = { incidentId: string; reason: string; deactivatedAt: string };

export const incidentEventTypes = ['IncidentRegistered', 'IncidentUpdated', 'IncidentPhaseChanged', 'IncidentDeactivated'] as const;

export type IncidentEvent =
  | DomainEvent<'IncidentRegistered', IncidentRegisteredData>
  | DomainEvent<'IncidentUpdated', IncidentUpdatedData>
  | DomainEvent<'IncidentPhaseChanged', IncidentPhaseChangedData>
  | DomainEvent<'IncidentDeactivated', IncidentDeactivatedData>;
