import { meta, scenario } from '../testing/given-when-then';
import { siteDecider } from './site.decider';
import type { SiteEvent } from './site.events';

const t = '2024-03-04T08:00:00Z';
const base = { siteId: 'posko-pemayung', name: 'Posko Pemayung', type: 'posko' as const, district: 'Batanghari', lat: -1.64, lon: 103.4 };
const registered: SiteEvent = { type: 'SiteRegistered', data: { ...base, registeredAt: t } };
const deactivated: SiteEvent = { type: 'SiteDeactivated', data: { siteId: 'posko-pemayung', reason: 'closed', deactivatedAt: t } };
const site = scenario(siteDecider);

describe('site decider', () => {
  it('RegisterSite registers a site', () => {
    site.given().when({ type: 'RegisterSite', data: base, metadata: meta() }).then([registered]);
  });
  it('RegisterSite refuses a second registration and an unknown type', () => {
    site.given([registered]).when({ type: 'RegisterSite', data: base, metadata: meta() }).thenRefused('site-already-registered');
    site.given().when({ type: 'RegisterSite', data: { ...base, type: 'camp' as never }, metadata: meta() }).thenRefused('invalid-input', { details: { field: 'type' } });
  });
  it('UpdateSite records the change of type', () => {
    site.given([registered])
      .when({ type: 'UpdateSite', data: { siteId: 'posko-pemayung', type: 'evacuation-site' }, metadata: meta() })
      .then([{ type: 'SiteUpdated', data: { siteId: 'posko-pemayung', type: 'evacuation-site', updatedAt: t } }]);
  });
  it('UpdateSite appends nothing when nothing changes', () => {
    site.given([registered]).when({ type: 'UpdateSite', data: { siteId: 'posko-pemayung', name: 'Posko Pemayung' }, metadata: meta() }).thenNothing();
  });
  it('UpdateSite refuses unknown and deactivated sites', () => {
    site.given().when({ type: 'UpdateSite', data: { siteId: 'x', name: 'X' }, metadata: meta() }).thenRefused('unknown-site', { kind: 'not-found' });
    site.given([registered, deactivated]).when({ type: 'UpdateSite', data: { siteId: 'posko-pemayung', name: 'X' }, metadata: meta() }).thenRefused('site-deactivated');
  });
  it('DeactivateSite deactivates with a reason', () => {
    site.given([registered]).when({ type: 'DeactivateSite', data: { siteId: 'posko-pemayung', reason: 'closed' }, metadata: meta() }).then([deactivated]);
  });
  it('DeactivateSite refuses without a reason, an unknown or a deactivated site', () => {
    site.given([registered]).when({ type: 'DeactivateSite', data: { siteId: 'posko-pemayung', reason: '' }, metadata: meta() }).thenRefused('reason-required');
    site.given().when({ type: 'DeactivateSite', data: { siteId: 'x', reason: 'r' }, metadata: meta() }).thenRefused('unknown-site');
    site.given([registered, deactivated]).when({ type: 'DeactivateSite', data: { siteId: 'posko-pemayung', reason: 'r' }, metadata: meta() }).thenRefused('site-deactivated');
  });
});
