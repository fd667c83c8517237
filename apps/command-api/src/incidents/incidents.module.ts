import { Module } from '@nestjs/common';
import { CommandSupportModule } from '../common';
import { incidentHandlers } from './incidents.commands';
import { IncidentsController } from './incidents.controller';

@Module({ imports: [CommandSupportModule], controllers: [IncidentsController], providers: [...incidentHandlers] })
export class IncidentsModule {}
