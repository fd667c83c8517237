import { assertNever } from '../shared/domain-error';
import { optionalText, requireId, requireMetadata, requireOneOf, requireReason, requireText } from '../shared/guards';
import { emitter, omit, type Decider } from '../shared/message';
import type { MemberCommand } from './member.commands';
import { memberKinds, type MemberEvent, type MemberKind } from './member.events';
import { changedFields, hasChanges, requireActive, requireUnregistered, type ReferenceStatus } from './reference-support';

export type MemberState = {
  status: ReferenceStatus;
  memberId?: string;
  name?: string;
  kind?: MemberKind;
  contactName?: string;
  contactPhone?: string;
};

export const initialMemberState: MemberState = { status: 'none' };
const emit = emitter<MemberEvent>();

export function evolveMember(state: MemberState, event: MemberEvent): MemberState {
  switch (event.type) {
    case 'MemberRegistered':
      return { status: 'active', ...omit(event.data, 'registeredAt') };
    case 'MemberUpdated':
      return { ...state, ...omit(event.data, 'updatedAt', 'memberId') };
    case 'MemberDeactivated':
      return { ...state, status: 'deactivated' };
    default:
      return state;
  }
}

export function decideMember(command: MemberCommand, state: MemberState): MemberEvent[] {
  requireMetadata(command.metadata);
  const now = command.metadata.now;
  switch (command.type) {
    case 'RegisterMember': {
      const d = command.data;
      const memberId = requireId(d.memberId, 'memberId');
      requireUnregistered('member', state, memberId);
      return [
        emit('MemberRegistered', {
          memberId,
          name: requireText(d.name, 'name', 200),
          kind: requireOneOf(d.kind, memberKinds, 'kind'),
          contactName: optionalText(d.contactName, 'contactName', 200),
          contactPhone: optionalText(d.contactPhone, 'contactPhone', 50),
          registeredAt: now,
        }),
      ];
    }
    case 'UpdateMember': {
      const d = command.data;
      requireActive('member', state, d.memberId);
      const changes = changedFields(state, {
        name: optionalText(d.name, 'name', 200),
        kind: d.kind === undefined ? undefined : requireOneOf(d.kind, memberKinds, 'kind'),
        contactName: optionalText(d.contactName, 'contactName', 200),
        contactPhone: optionalText(d.contactPhone, 'contactPhone', 50),
      });
      if (!hasChanges(changes)) return [];
      return [emit('MemberUpdated', { memberId: d.memberId, ...changes, updatedAt: now })];
    }
    case 'DeactivateMember':
      requireActive('member', state, command.data.memberId);
      return [emit('MemberDeactivated', { memberId: command.data.memberId, reason: requireReason(command.data.reason), deactivatedAt: now })];
    default:
      return assertNever(command);
  }
}

export const memberDecider: Decider<MemberCommand, MemberState, MemberEvent> = {
  initialState: initialMemberState,
  evolve: evolveMember,
  decide: decideMember,
};
