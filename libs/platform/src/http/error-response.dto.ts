import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI description of the error body the HttpErrorFilter writes (ErrorBody). */
export class FieldErrorDto {
  @ApiProperty({ example: 'lines[0].quantity' }) field!: string;
  @ApiProperty({ example: 'must be a positive integer' }) reason!: string;
}

export class ErrorResponseDto {
  @ApiProperty({ example: 409 }) statusCode!: number;
  @ApiProperty({ description: 'stable kebab-case code', example: 'insufficient-stock' }) error!: string;
  @ApiProperty({ example: 'requested 120, available 40' }) message!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { requested: 120, available: 40 } }) details?: Record<string, unknown>;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldErrorDto[];
  @ApiProperty({ description: 'quote it when reporting a problem; also in the X-Correlation-Id header', example: '5f0c...' }) correlationId!: string;
}
