import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '@lumbung/platform';
import type { CommandAnswer } from './command-result';

/**
 * What a controller puts on the CommandBus: the validated body, the HTTP command's context (who,
 * when, idempotency key, If-Match) and the id from the path where there is one.
 */
export abstract class ApiCommand<D> extends Command<CommandAnswer> {
  constructor(
    readonly ctx: CommandContext,
    readonly dto: D,
    readonly id = '',
  ) {
    super();
  }
}
