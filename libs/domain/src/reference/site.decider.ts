import { assertNever } from '../shared/domain-error';
import { optionalText, requireId, requireLatitude, requireLongitude, requireMetadata, requireOneOf, requireReason, requireText } from '../shared/guards';
import { emitter, omit, type Decider } from '../shared/message';
import { changedFields, hasChanges, requireActive, requireUnregistered, type ReferenceStatus } from './reference-support';
import type { SiteCommand } from './site.commands';
import { siteTypes, type SiteEvent, type SiteType } from './site.events';

export type SiteState = {
  status: ReferenceStatus;
  siteId?: string;
  name?: string;
  type?: SiteType;
  district?: string;
  lat?: number;
  lon?: number;
};

export const initialSiteState: SiteState = { status: 'none' };
const emit = emitter<SiteEvent>();

export function evolveSite(state: SiteState, event: SiteEvent): SiteState {
  switch (event.type) {
    case 'SiteRegistered':
      return { status: 'active', ...omit(event.data, 'registeredAt') };
    case 'SiteUpdated':
      return { ...state, ...omit(event.data, 'updatedAt', 'siteId') };
    case 'SiteDeactivated':
      return { ...state, status: 'deactivated' };
    default:
      return state;
  }
}

export function decideSite(command: SiteCommand, state: SiteState): SiteEvent[] {
  requireMetadata(command.metadata);
  const now = command.metadata.now;
  switch (command.type) {
    case 'RegisterSite': {
      const d = command.data;
      const siteId = requireId(d.siteId, 'siteId');
      requireUnregistered('site', state, siteId);
      return [
        emit('SiteRegistered', {
          siteId,
          name: requireText(d.name, 'name', 200),
          type: requireOneOf(d.type, siteTypes, 'type'),
          district: requireText(d.district, 'district', 100),
          lat: requireLatitude(d.lat),
          lon: requireLongitude(d.lon),
          registeredAt: now,
        }),
      ];
    }
    case 'UpdateSite': {
      const d = command.data;
      requireActive('site', state, d.siteId);
      const changes = changedFields(state, {
        name: optionalText(d.name, 'name', 200),
        type: d.type === undefined ? undefined : requireOneOf(d.type, siteTypes, 'type'),
        district: optionalText(d.district, 'district', 100),
        lat: d.lat === undefined ? undefined : requireLatitude(d.lat),
        lon: d.lon === undefined ? undefined : requireLongitude(d.lon),
      });
      if (!hasChanges(changes)) return [];
      return [emit('SiteUpdated', { siteId: d.siteId, ...changes, updatedAt: now })];
    }
    case 'DeactivateSite':
      requireActive('site', state, command.data.siteId);
      return [emit('SiteDeactivated', { siteId: command.data.siteId, reason: requireReason(command.data.reason), deactivatedAt: now })];
    default:
      return assertNever(command);
  }
}

export const siteDecider: Decider<SiteCommand, SiteState, SiteEvent> = {
  initialState: initialSiteState,
  evolve: evolveSite,
  decide: decideSite,
};
