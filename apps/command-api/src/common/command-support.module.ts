import { Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CommandRunner } from './command-runner.service';
import { References } from './references.service';
import { stateCacheProvider, STATE_CACHE } from './state-cache.provider';

/**
 * What every aggregate module shares: the one StateCache of the app, the command runner around
 * handleCommand, and the reference checks. Global, so there is exactly one of each.
 */
@Global()
@Module({
  imports: [CqrsModule],
  providers: [stateCacheProvider, CommandRunner, References],
  exports: [STATE_CACHE, CommandRunner, References, CqrsModule],
})
export class CommandSupportModule {}
