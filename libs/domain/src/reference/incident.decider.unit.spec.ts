import { meta, scenario } from '../testing/given-when-then';
import { incidentDecider } from './incident.decider';
import type { IncidentEvent } from './incident.events';

const t = '2024-03-04T08:00:00Z';
const registered: IncidentEvent = {
  type: 'IncidentRegistered',
  data: { incidentId: 'banjir-batanghari-2024', name: 'Banjir Batanghari Maret 2024', type: 'flood', districts: ['Batanghari', 'Muaro Jambi'], phase: 'preparedness', registeredAt: t },
};
const toEmergency: IncidentEvent = {
  type: 'IncidentPhaseChanged',
  data: { incidentId: 'banjir-batanghari-2024', from: 'preparedness', to: 'emergency', reason: 'status tanggap darurat declared', changedAt: t },
};
const deactivated: IncidentEvent = { type: 'IncidentDeactivated', data: { incidentId: 'banjir-batanghari-2024', reason: 'closed', deactivatedAt: t } };
const incident = scenario(incidentDecider);
const id = 'banjir-batanghari-2024';

describe('incident decider', () => {
  it('RegisterIncident starts in preparedness unless a phase is given', () => {
    incident
      .given()
      .when({ type: 'RegisterIncident', data: { incidentId: id, name: 'Banjir Batanghari Maret 2024', type: 'flood', districts: ['Batanghari', 'Muaro Jambi'] }, metadata: meta() })
      .then([registered]);
    const s = incident
      .given()
      .when({ type: 'RegisterIncident', data: { incidentId: 'ls-1', name: 'Longsor', type: 'landslide', districts: ['Kerinci'], phase: 'emergency' }, metadata: meta() })
      .then([{ type: 'IncidentRegistered', data: { incidentId: 'ls-1', name: 'Longsor', type: 'landslide', districts: ['Kerinci'], phase: 'emergency', registeredAt: t } }]);
    expect(s.phase).toBe('emergency');
  });
  it('RegisterIncident refuses a second registration, no districts, a district twice, an unknown type', () => {
    const d = { incidentId: id, name: 'B', type: 'flood' as const, districts: ['Batanghari'] };
    incident.given([registered]).when({ type: 'RegisterIncident', data: d, metadata: meta() }).thenRefused('incident-already-registered');
    incident.given().when({ type: 'RegisterIncident', data: { ...d, districts: [] }, metadata: meta() }).thenRefused('invalid-input', { details: { field: 'districts' } });
    incident.given().when({ type: 'RegisterIncident', data: { ...d, districts: ['Batanghari', 'batanghari'] }, metadata: meta() }).thenRefused('duplicate-line');
    incident.given().when({ type: 'RegisterIncident', data: { ...d, type: 'meteor' as never }, metadata: meta() }).thenRefused('invalid-input', { details: { field: 'type' } });
  });
  it('UpdateIncident records new districts', () => {
    incident
      .given([registered])
      .when({ type: 'UpdateIncident', data: { incidentId: id, districts: ['Batanghari', 'Muaro Jambi', 'Tebo'] }, metadata: meta() })
      .then([{ type: 'IncidentUpdated', data: { incidentId: id, districts: ['Batanghari', 'Muaro Jambi', 'Tebo'], updatedAt: t } }]);
  });
  it('UpdateIncident appends nothing when nothing changes, refuses unknown and deactivated incidents', () => {
    incident.given([registered]).when({ type: 'UpdateIncident', data: { incidentId: id, districts: ['Batanghari', 'Muaro Jambi'] }, metadata: meta() }).thenNothing();
    incident.given().when({ type: 'UpdateIncident', data: { incidentId: id, name: 'X' }, metadata: meta() }).thenRefused('unknown-incident', { kind: 'not-found' });
    incident.given([registered, deactivated]).when({ type: 'UpdateIncident', data: { incidentId: id, name: 'X' }, metadata: meta() }).thenRefused('incident-deactivated');
  });
  it('ChangeIncidentPhase is its own event with from, to and the reason', () => {
    const s = incident
      .given([registered])
      .when({ type: 'ChangeIncidentPhase', data: { incidentId: id, phase: 'emergency', reason: 'status tanggap darurat declared' }, metadata: meta() })
      .then([toEmergency]);
    expect(s.phase).toBe('emergency');
  });
  it('ChangeIncidentPhase refuses the same phase, no reason, an unknown phase or incident', () => {
    incident.given([registered, toEmergency]).when({ type: 'ChangeIncidentPhase', data: { incidentId: id, phase: 'emergency', reason: 'r' }, metadata: meta() }).thenRefused('phase-unchanged', { details: { phase: 'emergency' } });
    incident.given([registered]).when({ type: 'ChangeIncidentPhase', data: { incidentId: id, phase: 'recovery', reason: '' }, metadata: meta() }).thenRefused('reason-required');
    incident.given([registered]).when({ type: 'ChangeIncidentPhase', data: { incidentId: id, phase: 'over' as never, reason: 'r' }, metadata: meta() }).thenRefused('invalid-input', { details: { field: 'phase' } });
    incident.given().when({ type: 'ChangeIncidentPhase', data: { incidentId: id, phase: 'recovery', reason: 'r' }, metadata: meta() }).thenRefused('unknown-incident');
  });
  it('DeactivateIncident deactivates with a reason; refuses without, unknown, or twice', () => {
    incident.given([registered]).when({ type: 'DeactivateIncident', data: { incidentId: id, reason: 'closed' }, metadata: meta() }).then([deactivated]);
    incident.given([registered]).when({ type: 'DeactivateIncident', data: { incidentId: id, reason: '' }, metadata: meta() }).thenRefused('reason-required');
    incident.given().when({ type: 'DeactivateIncident', data: { incidentId: id, reason: 'r' }, metadata: meta() }).thenRefused('unknown-incident');
    incident.given([registered, deactivated]).when({ type: 'DeactivateIncident', data: { incidentId: id, reason: 'r' }, metadata: meta() }).thenRefused('incident-deactivated');
  });
});
