import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { IDEMPOTENT_REPLAY_HEADER, setEtag } from '@lumbung/platform';
import type { StepResult } from './command-runner.service';

/** The answer to every command: what it acted on, and the stream revision it left (also the ETag). */
export class CommandResultDto {
  @ApiProperty({ description: 'id of the aggregate the command acted on', example: 'req-2024-0001' }) id!: string;
  @ApiProperty({ description: 'the stream that records it', example: 'request-req-2024-0001' }) streamId!: string;
  @ApiProperty({ description: 'the stream revision after the command; the ETag is "<streamId>:<revision>"', example: 3 }) revision!: number;
  @ApiProperty({ description: 'the event types this command recorded on that stream (empty when it changed nothing)', example: ['RequestApproved'] })
  events!: string[];
  @ApiPropertyOptional({ description: 'ids this command created or referred to (dispatchId, receiptId, requestId...)', type: 'object', additionalProperties: { type: 'string' } })
  refs?: Record<string, string>;
}

export interface CommandAnswer {
  body: CommandResultDto;
  replayed: boolean;
}

/**
 * Built from the main step only, from values that a retry reproduces (the original append's revision,
 * the stored events), so that a retried command gets the same body as the first call.
 */
export function answer(id: string, step: StepResult<unknown>, refs?: Record<string, string>): CommandAnswer {
  return {
    body: {
      id,
      streamId: step.streamId,
      revision: step.reportedRevision,
      events: step.events.map((e) => e.type),
      ...(refs && Object.keys(refs).length > 0 ? { refs } : {}),
    },
    replayed: step.replayed,
  };
}

/** Sets the ETag (and Idempotent-Replayed on a retry) and returns the body. */
export function send(res: Pick<ServerResponse, 'setHeader'>, a: CommandAnswer): CommandResultDto {
  if (a.replayed) res.setHeader(IDEMPOTENT_REPLAY_HEADER, 'true');
  setEtag(res, a.body.streamId, a.body.revision);
  return a.body;
}
