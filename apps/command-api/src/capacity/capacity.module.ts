import { Module } from '@nestjs/common';
import { CommandSupportModule } from '../common';
import { capacityHandlers } from './capacity.commands';
import { CapacityController } from './capacity.controller';

@Module({ imports: [CommandSupportModule], controllers: [CapacityController], providers: [...capacityHandlers] })
export class CapacityModule {}
