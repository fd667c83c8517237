import type { Command } from '../shared/message';
import type { MemberKind } from './member.events';

export type RegisterMember = Command<'RegisterMember', { memberId: string; name: string; kind: MemberKind; contactName?: string; contactPhone?: string }>;
export type UpdateMember = Command<'UpdateMember', { memberId: string; name?: string; kind?: MemberKind; contactName?: string; contactPhone?: string }>;
export type DeactivateMember = Command<'DeactivateMember', { memberId: string; reason: string }>;

export const memberCommandTypes = ['RegisterMember', 'UpdateMember', 'DeactivateMember'] as const;
export type MemberCommand = RegisterMember | UpdateMember | DeactivateMember;
