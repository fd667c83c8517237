import type { DomainEvent } from '../shared/message';

export const memberKinds = ['government', 'business', 'community'] as const;
export type MemberKind = (typeof memberKinds)[number];

export type MemberRegisteredData = {
  memberId: string;
  name: string;
  kind: MemberKind;
  contactName?: string;
  contactPhone?: string;
  registeredAt: string;
};
export type MemberUpdatedData = { memberId: string; name?: string; kind?: MemberKind; contactName?: string; contactPhone?: string; updatedAt: string };
export type MemberDeactivatedData = { memberId: string; reason: string; deactivatedAt: string };

export const memberEventTypes = ['MemberRegistered', 'MemberUpdated', 'MemberDeactivated'] as const;

export type MemberEvent =
  | DomainEvent<'MemberRegistered', MemberRegisteredData>
  | DomainEvent<'MemberUpdated', MemberUpdatedData>
  | DomainEvent<'MemberDeactivated', MemberDeactivatedData>;
