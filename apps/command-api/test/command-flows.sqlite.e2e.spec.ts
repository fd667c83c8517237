import { startCommandApi } from './support/command-api.harness';
import { commandFlowsSuite } from './support/command-flows.suite';

describe('command API flows on SQLite', () => {
  commandFlowsSuite(() => startCommandApi({ LUMBUNG_STORE: 'sqlite', LOG_LEVEL: 'warn' }));
});
