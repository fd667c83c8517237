import type { DomainEvent } from '../shared/message';

export const siteTypes = ['posko', 'evacuation-site', 'village'] as const;
export type SiteType = (typeof siteTypes)[number];

export type SiteRegisteredData = {
  siteId: string;
  name: string;
  type: SiteType;
  district: string;
  lat: number;
  lon: number;
  registeredAt: string;
};
export type SiteUpdatedData = { siteId: string; name?: string; type?: SiteType; district?: string; lat?: number; lon?: number; updatedAt: string };
export type SiteDeactivatedData = { siteId: string; reason: string; deactivatedAt: string };

export const siteEventTypes = ['SiteRegistered', 'SiteUpdated', 'SiteDeactivated'] as const;

export type SiteEvent =
  | DomainEvent<'SiteRegistered', SiteRegisteredData>
  | DomainEvent<'SiteUpdated', SiteUpdatedData>
  | DomainEvent<'SiteDeactivated', SiteDeactivatedData>;
