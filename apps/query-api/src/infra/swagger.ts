import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** OpenAPI UI at /docs and its JSON at /docs-json (public, like the command API's). */
export function setupSwagger(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('lumbung query API')
    .setDescription(
      'Reads over the read models (stock, requests and their fulfilment, pledges, shipments, the gap matrix, readiness) and the audit ' +
        'endpoints over the event store. Every list pages with `limit`/`offset`, sorts with `sort=field:asc|desc`, and exports CSV with ' +
        '`Accept: text/csv` or `?format=csv`. Bearer tokens and roles as in the command API.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', customSiteTitle: 'lumbung query API' });
  return document;
}
