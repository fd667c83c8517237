import { Module } from '@nestjs/common';
import { AccessTokenFromQuery } from './access-token';
import { EventsController } from './events.controller';
import { LiveFeed } from './live-feed';

/**
 * GET /events/stream. Needs from the host READ_MODEL and READ_MODEL_CHANGES (embedded mode's
 * EmbeddedProjectionsModule, or LiveChangesModule in the query API's own process).
 */
@Module({
  controllers: [EventsController],
  providers: [LiveFeed, AccessTokenFromQuery],
  exports: [LiveFeed],
})
export class LiveModule {}
