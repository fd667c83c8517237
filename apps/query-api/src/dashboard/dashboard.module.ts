import { Module } from '@nestjs/common';
import { ReadCacheModule } from '../cache/read-cache.module';
import { DashboardDataController } from './dashboard-data.controller';
import { DashboardController } from './dashboard.controller';
import { PlacePositions } from './positions';

/** GET /dashboard (the page) and /query/dashboard/* (its figures). Needs READ_MODEL and EVENT_STORE from the host. */
@Module({
  imports: [ReadCacheModule],
  controllers: [DashboardController, DashboardDataController],
  providers: [PlacePositions],
})
export class DashboardModule {}
