import type { Command } from '../shared/message';
import type { SiteType } from './site.events';

export type RegisterSite = Command<'RegisterSite', { siteId: string; name: string; type: SiteType; district: string; lat: number; lon: number }>;
export type UpdateSite = Command<'UpdateSite', { siteId: string; name?: string; type?: SiteType; district?: string; lat?: number; lon?: number }>;
export type DeactivateSite = Command<'DeactivateSite', { siteId: string; reason: string }>;

export const siteCommandTypes = ['RegisterSite', 'UpdateSite', 'DeactivateSite'] as const;
export type SiteCommand = RegisterSite | UpdateSite | DeactivateSite;
