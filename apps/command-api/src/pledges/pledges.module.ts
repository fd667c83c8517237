import { Module } from '@nestjs/common';
import { CommandSupportModule } from '../common';
import { pledgeHandlers } from './pledges.commands';
import { PledgesController } from './pledges.controller';

@Module({ imports: [CommandSupportModule], controllers: [PledgesController], providers: [...pledgeHandlers] })
export class PledgesModule {}
