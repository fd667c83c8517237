import { asOfSuite } from './as-of.suite';
import { startStack } from './support/query-api.harness';

describe('as-of reads on SQLite (embedded store and read models)', () => {
  asOfSuite(() => startStack({ LUMBUNG_STORE: 'sqlite', LUMBUNG_TOKEN_SECRET: 'e2e-secret-that-is-long-enough-for-hs256', LOG_LEVEL: 'warn' }));
});
