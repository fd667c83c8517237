import { memberKinds, type MemberKind } from '@lumbung/domain';
import { EnumField, IdField, TextField } from '../common';

export class RegisterMemberDto {
  @IdField({ description: 'optional: the client may choose it; else derived from the command id', example: 'bpbd-jambi' }, false) memberId?: string;
  @TextField(200, { example: 'BPBD Provinsi Jambi' }) name!: string;
  @EnumField(memberKinds, { example: 'government' }) kind!: MemberKind;
  @TextField(200, { example: 'Pak Hendra' }, false) contactName?: string;
  @TextField(50, { example: '+62 741 123456' }, false) contactPhone?: string;
}

export class UpdateMemberDto {
  @TextField(200, {}, false) name?: string;
  @EnumField(memberKinds, {}, false) kind?: MemberKind;
  @TextField(200, {}, false) contactName?: string;
  @TextField(50, {}, false) contactPhone?: string;
}
