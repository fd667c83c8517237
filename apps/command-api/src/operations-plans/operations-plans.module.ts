import { Module } from '@nestjs/common';
import { CommandSupportModule } from '../common';
import { operationsPlanHandlers } from './operations-plans.commands';
import { OperationsPlansController } from './operations-plans.controller';

@Module({ imports: [CommandSupportModule], controllers: [OperationsPlansController], providers: [...operationsPlanHandlers] })
export class OperationsPlansModule {}
