import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

export const BEARER_SCHEME = 'bearer';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('lumbung command API')
    .setDescription(
      'Commands of the logistics cluster: requests, pledges, stock, dispatches and receipts, recorded as events. ' +
        'Every command takes a bearer token (`npm run token`), an optional Idempotency-Key and an optional If-Match. ' +
        'Errors are `{ statusCode, error, message, details?, errors?, correlationId }`.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** OpenAPI UI at /docs and its JSON at /docs-json (served outside the guards: public). */
export function setupSwagger(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', customSiteTitle: 'lumbung command API' });
  return document;
}
