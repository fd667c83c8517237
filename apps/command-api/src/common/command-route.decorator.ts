import { applyDecorators, HttpCode } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { DomainCommandType } from '@lumbung/domain';
import { CommandEndpoint, Roles } from '@lumbung/platform';
import { rolesFor } from './authorization';
import { CommandResultDto } from './command-result';

/**
 * A command route: metrics and documented headers (CommandEndpoint), the roles the domain allows for
 * the command (checked by the guard before the body is even validated), and the OpenAPI answer.
 * `status` 201 for a command that creates something, 200 for one that acts on something existing.
 */
export function CommandRoute(command: DomainCommandType, summary: string, status: 200 | 201 = 200): MethodDecorator {
  const roles = rolesFor(command);
  return applyDecorators(
    CommandEndpoint(command),
    Roles(...roles),
    HttpCode(status),
    ApiOperation({ summary, description: `Command ${command}. Roles: ${roles.join(', ')}.` }),
    ApiResponse({ status, description: 'recorded (or already recorded by the same Idempotency-Key): ETag header "<streamId>:<revision>"', type: CommandResultDto }),
  );
}
