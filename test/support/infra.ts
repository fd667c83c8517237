// Where the real services for *.int.spec.ts and *.e2e.spec.ts are, and what a suite does when one is
// missing. Locally a missing service skips its suites with a message; CI sets REQUIRE_INFRA=1, and
// then a missing service fails the run, so a green CI always means the suites really ran.

/** CI sets REQUIRE_INFRA=1: missing infrastructure is an error, not a reason to skip. */
export const REQUIRE_INFRA = process.env.REQUIRE_INFRA === '1';

/**
 * Brokers from KAFKA_BROKERS (comma separated). The jest global setup sets it after it has started
 * (or found) a broker and checked that it answers; empty means no Kafka for this run.
 */
export function kafkaBrokers(): string[] {
  return (process.env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}

export function kafkaAvailable(): boolean {
  return kafkaBrokers().length > 0;
}

export function postgresUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/**
 * The global setup connects once and records the outcome here, since `describe` must decide
 * synchronously. Without a global setup (a project that has none) we cannot know, so we assume the
 * database is there and let the suite's own connection error speak.
 */
export function postgresAvailable(): boolean {
  return process.env.LUMBUNG_POSTGRES_AVAILABLE !== '0';
}

/**
 * `describe` that needs a service. Available: runs as usual. Missing and REQUIRE_INFRA unset: the
 * suite is registered as skipped (so the skip shows in jest's summary) with a console message.
 * Missing and REQUIRE_INFRA=1: the suite fails with a test that names the missing service.
 */
export function describeIfInfra(
  name: string,
  available: boolean,
  fn: () => void,
  service = 'a required service',
): void {
  if (available) {
    describe(name, fn);
    return;
  }
  if (REQUIRE_INFRA) {
    describe(name, () => {
      it(`requires ${service}`, () => {
        throw new Error(`${service} is not available and REQUIRE_INFRA=1: "${name}" cannot run`);
      });
    });
    return;
  }
  console.warn(`[infra] skipping "${name}": ${service} is not available (set REQUIRE_INFRA=1 to fail instead)`);
  // Not describe.skip(name, fn): jest still runs a skipped describe's body to collect its tests, and
  // suite bodies that build clients for the missing service would throw there.
  describe.skip(name, () => {
    it(`requires ${service}`, () => undefined);
  });
}

export function describeWithKafka(name: string, fn: () => void): void {
  describeIfInfra(name, kafkaAvailable(), fn, 'Kafka (KAFKA_BROKERS is unset)');
}

export function describeWithPostgres(name: string, fn: () => void): void {
  describeIfInfra(name, postgresAvailable(), fn, `PostgreSQL at ${redactUrl(postgresUrl())}`);
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparsable DATABASE_URL>';
  }
}
