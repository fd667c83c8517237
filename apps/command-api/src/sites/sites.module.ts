import { Module } from '@nestjs/common';
import { CommandSupportModule } from '../common';
import { siteHandlers } from './sites.commands';
import { SitesController } from './sites.controller';

@Module({ imports: [CommandSupportModule], controllers: [SitesController], providers: [...siteHandlers] })
export class SitesModule {}
