import { Module } from '@nestjs/common';
import { CommandSupportModule } from '../common';
import { memberHandlers } from './members.commands';
import { MembersController } from './members.controller';

@Module({ imports: [CommandSupportModule], controllers: [MembersController], providers: [...memberHandlers] })
export class MembersModule {}
