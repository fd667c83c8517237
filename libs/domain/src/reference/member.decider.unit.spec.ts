import { meta, scenario } from '../testing/given-when-then';
import { memberDecider } from './member.decider';
import type { MemberEvent } from './member.events';

const t = '2024-03-04T08:00:00Z';
const registered: MemberEvent = {
  type: 'MemberRegistered',
  data: { memberId: 'pmi-jambi', name: 'PMI Provinsi Jambi', kind: 'community', registeredAt: t },
};
const deactivated: MemberEvent = { type: 'MemberDeactivated', data: { memberId: 'pmi-jambi', reason: 'left the cluster', deactivatedAt: t } };
const member = scenario(memberDecider);

describe('member decider', () => {
  it('RegisterMember registers a member', () => {
    member
      .given()
      .when({ type: 'RegisterMember', data: { memberId: 'pmi-jambi', name: 'PMI Provinsi Jambi', kind: 'community' }, metadata: meta({ role: 'admin' }) })
      .then([registered]);
  });
  it('RegisterMember refuses a second registration', () => {
    member
      .given([registered])
      .when({ type: 'RegisterMember', data: { memberId: 'pmi-jambi', name: 'PMI', kind: 'community' }, metadata: meta() })
      .thenRefused('member-already-registered', { kind: 'rule' });
  });
  it('RegisterMember refuses an unknown kind', () => {
    member
      .given()
      .when({ type: 'RegisterMember', data: { memberId: 'x', name: 'X', kind: 'ngo' as never }, metadata: meta() })
      .thenRefused('invalid-input', { details: { field: 'kind' } });
  });
  it('RegisterMember refuses an id with spaces', () => {
    member
      .given()
      .when({ type: 'RegisterMember', data: { memberId: 'p m i', name: 'X', kind: 'business' }, metadata: meta() })
      .thenRefused('invalid-input', { details: { field: 'memberId' } });
  });
  it('UpdateMember records the changed contact', () => {
    member
      .given([registered])
      .when({ type: 'UpdateMember', data: { memberId: 'pmi-jambi', contactPhone: '+62 741 000', name: 'PMI Provinsi Jambi' }, metadata: meta() })
      .then([{ type: 'MemberUpdated', data: { memberId: 'pmi-jambi', contactPhone: '+62 741 000', updatedAt: t } }]);
  });
  it('UpdateMember with nothing new appends nothing', () => {
    member.given([registered]).when({ type: 'UpdateMember', data: { memberId: 'pmi-jambi', kind: 'community' }, metadata: meta() }).thenNothing();
  });
  it('UpdateMember refuses an unknown member', () => {
    member.given().when({ type: 'UpdateMember', data: { memberId: 'x', name: 'X' }, metadata: meta() }).thenRefused('unknown-member', { kind: 'not-found' });
  });
  it('UpdateMember refuses a deactivated member', () => {
    member.given([registered, deactivated]).when({ type: 'UpdateMember', data: { memberId: 'pmi-jambi', name: 'X' }, metadata: meta() }).thenRefused('member-deactivated');
  });
  it('DeactivateMember deactivates with a reason', () => {
    member.given([registered]).when({ type: 'DeactivateMember', data: { memberId: 'pmi-jambi', reason: 'left the cluster' }, metadata: meta() }).then([deactivated]);
  });
  it('DeactivateMember refuses without a reason, an unknown or a deactivated member', () => {
    member.given([registered]).when({ type: 'DeactivateMember', data: { memberId: 'pmi-jambi', reason: ' ' }, metadata: meta() }).thenRefused('reason-required');
    member.given().when({ type: 'DeactivateMember', data: { memberId: 'pmi-jambi', reason: 'x' }, metadata: meta() }).thenRefused('unknown-member');
    member.given([registered, deactivated]).when({ type: 'DeactivateMember', data: { memberId: 'pmi-jambi', reason: 'x' }, metadata: meta() }).thenRefused('member-deactivated');
  });
});
