import { createTestSchema, describeWithPostgres, type TestSchema } from '../../../test/support/postgres';
import { startCommandApi } from './support/command-api.harness';
import { commandFlowsSuite } from './support/command-flows.suite';

describeWithPostgres('command API flows on PostgreSQL', () => {
  let schema: TestSchema;
  afterAll(() => schema?.drop());

  commandFlowsSuite(async () => {
    schema = await createTestSchema('command_flows_e2e');
    return startCommandApi({
      LUMBUNG_STORE: 'postgres',
      DATABASE_URL: schema.connectionString,
      DATABASE_SCHEMA: schema.schema,
      LUMBUNG_TOKEN_SECRET: 'e2e-secret-that-is-long-enough-for-hs256',
      LOG_LEVEL: 'warn',
    });
  });
});
