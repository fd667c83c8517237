// jest globalTeardown of the int and e2e projects. Like the setup it runs once per project, so the
// lease marker makes the second call a no-op. The script stops the broker only if a test run started
// it and no other live test run still holds a lease: a broker started by hand (`npm run kafka start`)
// or one a concurrent jest run is still using stays up.
import { KAFKA_LEASE_ENV, runScript } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  delete process.env.LUMBUNG_KAFKA_SETUP_TRIED; // a --watch rerun tries again
  const holder = process.env[KAFKA_LEASE_ENV];
  if (!holder) return;
  delete process.env[KAFKA_LEASE_ENV];
  delete process.env.KAFKA_BROKERS;
  await runScript('release', holder);
}
