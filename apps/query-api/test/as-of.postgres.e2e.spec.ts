import { createTestSchema, describeWithPostgres, type TestSchema } from '../../../test/support/postgres';
import { asOfSuite } from './as-of.suite';
import { startStack } from './support/query-api.harness';

describeWithPostgres('as-of reads on PostgreSQL', () => {
  let schema: TestSchema;
  afterAll(async () => schema?.drop());
  asOfSuite(async () => {
    schema = await createTestSchema('as_of_e2e');
    return startStack({
      LUMBUNG_STORE: 'postgres',
      DATABASE_URL: schema.connectionString,
      DATABASE_SCHEMA: schema.schema,
      LUMBUNG_TOKEN_SECRET: 'e2e-secret-that-is-long-enough-for-hs256',
      LOG_LEVEL: 'warn',
    });
  });
});
