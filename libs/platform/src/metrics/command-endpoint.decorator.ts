import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../http/error-response.dto';
import { COMMAND_NAME_KEY, CommandMetricsGuard } from './command-metrics.guard';

/**
 * Marks a route as a command (metrics by command type and outcome) and documents the headers every
 * command takes. The metrics are bound to the command routes only, not to every route of the app.
 */
export const CommandEndpoint = (command: string): MethodDecorator =>
  applyDecorators(
    SetMetadata(COMMAND_NAME_KEY, command),
    UseGuards(CommandMetricsGuard),
    ApiBearerAuth(),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'Up to 200 printable characters. A retry with the same key returns the first result and has its effect once.',
    }),
    ApiHeader({ name: 'If-Match', required: false, description: 'The ETag the API returned ("<streamId>:<revision>"): refuse with 412 if the stream changed since.' }),
    ...ERROR_RESPONSES.map(([status, description]) => ApiResponse({ status, description, type: ErrorResponseDto })),
  );

const ERROR_RESPONSES: Array<[number, string]> = [
  [400, 'invalid input: `errors` lists each field and reason'],
  [401, 'missing or invalid bearer token'],
  [403, 'the role or scope may not do this'],
  [404, 'unknown target'],
  [409, 'refused by a rule of the current state (the message says which, with the numbers), or a conflict that survived retries'],
  [412, 'If-Match does not match the stream any more'],
  [422, 'Idempotency-Key already used for a different request'],
];
