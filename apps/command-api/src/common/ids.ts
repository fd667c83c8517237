import { deterministicUuid } from '@lumbung/event-store';
import type { CommandContext } from '@lumbung/platform';

/**
 * The id of what a command creates: the client's, or one derived from the command id, so that a
 * retried POST with the same Idempotency-Key creates the same thing instead of a second one.
 */
export function idFor(ctx: CommandContext, given: string | undefined, kind: string): string {
  return given ?? deterministicUuid(ctx.commandId, 'id', kind);
}
