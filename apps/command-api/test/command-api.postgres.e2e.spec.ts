import { createTestSchema, describeWithPostgres, type TestSchema } from '../../../test/support/postgres';
import { startCommandApi } from './support/command-api.harness';
import { platformSuite } from './support/platform.suite';

describeWithPostgres('command API platform on PostgreSQL', () => {
  let schema: TestSchema;
  afterAll(() => schema?.drop());

  platformSuite(async () => {
    schema = await createTestSchema('command_api_e2e');
    return startCommandApi({
      LUMBUNG_STORE: 'postgres',
      DATABASE_URL: schema.connectionString,
      DATABASE_SCHEMA: schema.schema,
      LUMBUNG_TOKEN_SECRET: 'e2e-secret-that-is-long-enough-for-hs256',
    });
  }, 'postgres');
});
