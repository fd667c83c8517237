import { meta, scenario } from '../testing/given-when-then';
import { operationsPlanDecider } from './operations-plan.decider';
import type { OperationsPlanEvent } from './operations-plan.events';

const t = '2024-03-04T08:00:00Z';
const m = meta({ role: 'eoc' });
const plan = scenario(operationsPlanDecider);
const lines1 = [
  { itemId: 'boat', quantity: 4, warehouseId: 'gd-muara-bulian' },
  { itemId: 'family-kit', quantity: 500, warehouseId: 'gd-muara-bulian' },
];
const lines2 = [...lines1, { itemId: 'tarp', quantity: 300, warehouseId: 'gd-pemayung' }];
const drafted: OperationsPlanEvent = {
  type: 'OperationsPlanDrafted',
  data: { planId: 'plan-flood-bh', name: 'Banjir Batanghari', hazard: 'flood', district: 'Batanghari', version: 1, lines: lines1, draftedAt: t },
};
const revised: OperationsPlanEvent = { type: 'OperationsPlanRevised', data: { planId: 'plan-flood-bh', version: 2, lines: lines2, reason: 'Pemayung posko added', revisedAt: t } };
const activated: OperationsPlanEvent = { type: 'OperationsPlanActivated', data: { planId: 'plan-flood-bh', version: 2, incidentId: 'banjir-2024', activatedAt: t } };

describe('operations plan decider', () => {
  describe('DraftOperationsPlan', () => {
    it('drafts version 1 for a hazard and a district', () => {
      plan.given().when({ type: 'DraftOperationsPlan', data: { planId: 'plan-flood-bh', name: 'Banjir Batanghari', hazard: 'flood', district: 'Batanghari', lines: lines1 }, metadata: m }).then([drafted]);
    });
    it('refuses a second draft, an unknown hazard, an item twice in one warehouse', () => {
      const data = { planId: 'plan-flood-bh', name: 'B', hazard: 'flood' as const, district: 'Batanghari', lines: lines1 };
      plan.given([drafted]).when({ type: 'DraftOperationsPlan', data, metadata: m }).thenRefused('plan-already-drafted');
      plan.given().when({ type: 'DraftOperationsPlan', data: { ...data, hazard: 'meteor' as never }, metadata: m }).thenRefused('invalid-input', { details: { field: 'hazard' } });
      plan.given().when({ type: 'DraftOperationsPlan', data: { ...data, lines: [lines1[0], lines1[0]] }, metadata: m }).thenRefused('duplicate-line');
    });
  });

  describe('ReviseOperationsPlan', () => {
    it('adds a version with a reason', () => {
      const s = plan.given([drafted]).when({ type: 'ReviseOperationsPlan', data: { planId: 'plan-flood-bh', lines: lines2, reason: 'Pemayung posko added' }, metadata: m }).then([revised]);
      expect(s.versions).toHaveLength(2);
    });
    it('appends nothing for the same lines; refuses an unknown plan and no reason', () => {
      plan.given([drafted]).when({ type: 'ReviseOperationsPlan', data: { planId: 'plan-flood-bh', lines: lines1, reason: 'x' }, metadata: m }).thenNothing();
      plan.given().when({ type: 'ReviseOperationsPlan', data: { planId: 'plan-flood-bh', lines: lines2, reason: 'x' }, metadata: m }).thenRefused('plan-not-found', { kind: 'not-found' });
      plan.given([drafted]).when({ type: 'ReviseOperationsPlan', data: { planId: 'plan-flood-bh', lines: lines2, reason: '' }, metadata: m }).thenRefused('reason-required');
    });
  });

  describe('ActivateOperationsPlan', () => {
    it('activates the current version for a matching incident', () => {
      plan
        .given([drafted, revised])
        .when({ type: 'ActivateOperationsPlan', data: { planId: 'plan-flood-bh', incidentId: 'banjir-2024', incidentType: 'flood', incidentDistricts: ['batanghari', 'Muaro Jambi'] }, metadata: m })
        .then([activated]);
    });
    it('refuses a second activation for the same incident, another hazard, an unaffected district, an unknown plan', () => {
      plan.given([drafted, revised, activated]).when({ type: 'ActivateOperationsPlan', data: { planId: 'plan-flood-bh', incidentId: 'banjir-2024' }, metadata: m }).thenRefused('plan-already-activated', { details: { version: 2 } });
      plan.given([drafted]).when({ type: 'ActivateOperationsPlan', data: { planId: 'plan-flood-bh', incidentId: 'ls-1', incidentType: 'landslide' }, metadata: m }).thenRefused('hazard-mismatch');
      plan.given([drafted]).when({ type: 'ActivateOperationsPlan', data: { planId: 'plan-flood-bh', incidentId: 'b-2', incidentDistricts: ['Tebo'] }, metadata: m }).thenRefused('district-not-affected');
      plan.given().when({ type: 'ActivateOperationsPlan', data: { planId: 'plan-flood-bh', incidentId: 'b-2' }, metadata: m }).thenRefused('plan-not-found');
    });
  });
});
