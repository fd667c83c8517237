import { Module } from '@nestjs/common';
import { CommandSupportModule } from '../common';
import { dispatchLifecycleHandlers } from './dispatch-lifecycle.handlers';
import { DispatchesController } from './dispatches.controller';
import { PlanDispatchHandler } from './plan-dispatch.handler';

@Module({ imports: [CommandSupportModule], controllers: [DispatchesController], providers: [PlanDispatchHandler, ...dispatchLifecycleHandlers] })
export class DispatchesModule {}
