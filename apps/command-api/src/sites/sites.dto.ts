import { siteTypes, type SiteType } from '@lumbung/domain';
import { EnumField, IdField, LatField, LonField, TextField } from '../common';

export class RegisterSiteDto {
  @IdField({ description: 'optional: the client may choose it; else derived from the command id', example: 'posko-muara-bulian' }, false) siteId?: string;
  @TextField(200, { example: 'Posko Utama Muara Bulian' }) name!: string;
  @EnumField(siteTypes, { example: 'posko' }) type!: SiteType;
  @TextField(100, { example: 'Batanghari' }) district!: string;
  @LatField({ example: -1.7 }) lat!: number;
  @LonField({ example: 103.27 }) lon!: number;
}

export class UpdateSiteDto {
  @TextField(200, {}, false) name?: string;
  @EnumField(siteTypes, {}, false) type?: SiteType;
  @TextField(100, {}, false) district?: string;
  @LatField({}, false) lat?: number;
  @LonField({}, false) lon?: number;
}
