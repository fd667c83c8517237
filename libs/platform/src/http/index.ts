export * from './api-error';
export * from './error-mapping';
export * from './http-error.filter';
export * from './validation';
export * from './idempotency';
export * from './etag';
export * from './command-context';
export * from './error-response.dto';
