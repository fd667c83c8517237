// jest globalSetup of the int and e2e projects: make sure Kafka and PostgreSQL are there before any
// test worker starts, and tell the workers through process.env (they inherit it).
//
// jest calls this once per project that has tests to run, in the one main process, all before the
// first test: for int + e2e that is twice in a run. The env markers below make the second call a
// no-op. A unit-only run (`--selectProjects unit`, or only *.unit.spec.ts files) never calls it.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { Client } from 'pg';
// Relative, not @lumbung/messaging: jest loads global setup with Node's resolver, where the
// moduleNameMapper aliases do not apply.
import { createKafka, KafkaLogLevel } from '../../libs/messaging/src';
import { REQUIRE_INFRA, postgresUrl, redactUrl } from './infra';

export const KAFKA_SCRIPT = path.resolve(__dirname, '../../scripts/kafka.sh');
/** Set while this jest process holds a lease on a broker that scripts/kafka.sh manages. */
export const KAFKA_LEASE_ENV = 'LUMBUNG_KAFKA_LEASE';
const POSTGRES_ENV = 'LUMBUNG_POSTGRES_AVAILABLE';
/** Set after the first project's setup tried Kafka, so a failed start is not retried by the next. */
const KAFKA_TRIED_ENV = 'LUMBUNG_KAFKA_SETUP_TRIED';

export default async function globalSetup(): Promise<void> {
  await setUpKafka();
  await checkPostgres();
}

async function setUpKafka(): Promise<void> {
  if (process.env.KAFKA_BROKERS || process.env[KAFKA_TRIED_ENV]) return; // given, or tried by the first project
  process.env[KAFKA_TRIED_ENV] = '1';
  if (process.env.KAFKA_AUTOSTART === '0') {
    note('KAFKA_AUTOSTART=0 and KAFKA_BROKERS unset: Kafka suites will be skipped');
    if (REQUIRE_INFRA) throw new Error('REQUIRE_INFRA=1 but KAFKA_AUTOSTART=0 and KAFKA_BROKERS is unset');
    return;
  }
  const port = process.env.KAFKA_PORT ?? '9092';
  const brokers = [`127.0.0.1:${port}`];
  const holder = String(process.pid);
  try {
    // acquire: starts the broker unless one already runs (then reuses it), and records this run as a
    // user so that the teardown of a concurrent run does not stop it under us.
    await runScript('acquire', holder);
    process.env[KAFKA_LEASE_ENV] = holder;
    await checkKafka(brokers);
    process.env.KAFKA_BROKERS = brokers.join(',');
  } catch (err) {
    if (process.env[KAFKA_LEASE_ENV]) {
      await runScript('release', holder).catch(() => undefined);
      delete process.env[KAFKA_LEASE_ENV];
    }
    const message = `Kafka could not be started with ${KAFKA_SCRIPT}: ${(err as Error).message}`;
    if (REQUIRE_INFRA) throw new Error(message);
    note(`${message}\nKafka suites will be skipped (set REQUIRE_INFRA=1 to fail instead)`);
  }
}

/**
 * A metadata round trip through kafkajs (the port answering is not enough, the broker must serve),
 * then a warm-up. A fresh broker creates its internal topics on first use: the first idempotent
 * producer waits for a producer id and the first group for __consumer_offsets to load. kafkajs
 * retries through that but logs each retry as an ERROR; doing it here, silently, keeps that noise
 * (and the wait) out of the first test that happens to touch it.
 */
async function checkKafka(brokers: string[]): Promise<void> {
  const kafka = createKafka({
    brokers,
    clientId: 'lumbung-global-setup',
    logLevel: KafkaLogLevel.NOTHING,
    config: { retry: { retries: 10, initialRetryTime: 200 } },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('the broker reports no brokers in its cluster');
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.disconnect();
    await admin.describeGroups(['lumbung-global-setup-warm-up']);
  } finally {
    await admin.disconnect();
  }
}

async function checkPostgres(): Promise<void> {
  if (process.env[POSTGRES_ENV] !== undefined) return;
  const url = postgresUrl();
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
    process.env[POSTGRES_ENV] = '1';
  } catch (err) {
    process.env[POSTGRES_ENV] = '0';
    const message = `PostgreSQL is not reachable at ${redactUrl(url)}: ${(err as Error).message}`;
    if (REQUIRE_INFRA) throw new Error(message);
    note(`${message}\nPostgreSQL suites will be skipped (set REQUIRE_INFRA=1 to fail instead)`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function runScript(...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('bash', [KAFKA_SCRIPT, ...args], { maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`kafka.sh ${args[0]} failed (${err.code ?? err.signal}):\n${stderr.trim()}`));
      else resolve();
    });
    // The script's progress lines ("resolving ... first run only", "started ... in 9s") are worth
    // seeing while jest waits; stdout stays quiet.
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  });
}

function note(message: string): void {
  process.stderr.write(`[global-setup] ${message}\n`);
}
