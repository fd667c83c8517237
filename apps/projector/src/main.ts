// The projector as its own process (distributed mode): Kafka to the read models, one member of a
// consumer group. Configuration: libs/platform's loadConfig plus projector.config.ts.
// /metrics (Prometheus: lag in events and ms per partition, freshness) and /health on PROJECTOR_METRICS_PORT.
// SIGTERM/SIGINT: the batch in hand is committed (rows, checkpoint, Kafka offset), then exit 0.
import { createServer, type Server } from 'node:http';
import pino from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadConfig } from '@lumbung/platform/config';
import { openEventStore } from '@lumbung/platform/event-store';
import { createKafka, KafkaEventTransport, kafkaLogCreator } from '@lumbung/messaging';
import { openReadModel, readModelChangesFor, ReadModelWriter } from '@lumbung/read-model';
import { projectorSettingsFromEnv } from './projector.config';
import { ProjectorService } from './projector.service';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const settings = projectorSettingsFromEnv(process.env, 3002);
  const logger = pino({ level: config.logLevel, base: { service: 'projector', pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
  for (const w of config.warnings) logger.warn(w);
  if (config.kafkaBrokers.length === 0) throw new Error('KAFKA_BROKERS is not set: the projector has nothing to read');

  const dataSource = await openReadModel(
    config.store.kind === 'sqlite'
      ? { type: 'better-sqlite3', file: config.store.file }
      : (() => {
          if (!settings.readModelUrl) throw new Error('READ_MODEL_URL (or DATABASE_URL) is required for the read models');
          return { type: 'postgres' as const, url: settings.readModelUrl, schema: settings.readModelSchema };
        })(),
  );
  // Each committed batch is announced: NOTIFY in its transaction on PostgreSQL (a query API's event
  // stream LISTENs); on SQLite a reader in another process polls the checkpoints instead.
  const changes = readModelChangesFor(dataSource);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const kafka = createKafka({
    brokers: [...config.kafkaBrokers],
    clientId: settings.clientId,
    config: { logCreator: kafkaLogCreator(logger.child({ component: 'kafkajs' })) },
  });
  const transport = new KafkaEventTransport({ kafka, topic: settings.topic, partitions: settings.partitions, logger, sessionTimeoutMs: settings.sessionTimeoutMs });
  // Read only for the lag behind the store (lumbung_projector_store_lag_*): its head position.
  const store = await openEventStore(config.store, { onError: (err) => logger.warn({ err: err.message }, 'event store (lag metrics)') });
  const projector = new ProjectorService({
    storeHead: () => store.headPosition(),
    transport,
    sink: new ReadModelWriter(dataSource, { changes }),
    groupId: settings.groupId,
    maxBatchEvents: settings.maxBatchEvents,
    registry,
    logger,
    onFatal: (err) => {
      logger.fatal({ err: err.message }, 'projector stopped: cannot go on');
      logger.flush();
      process.exit(1);
    },
  });

  let server: Server | undefined;
  if (settings.metricsPort > 0) {
    server = createServer((req, res) => {
      if (req.url === '/metrics') {
        registry.metrics().then(
          (body) => {
            res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
            res.end(body);
          },
          (err: Error) => {
            res.writeHead(500);
            res.end(err.message);
          },
        );
      } else if (req.url === '/health') {
        const lag = projector.metrics.totalLag();
        res.writeHead(projector.failure ? 503 : 200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ status: projector.failure ? 'failed' : 'ok', lagEvents: lag.events, lagMs: lag.ms }));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server!.listen(settings.metricsPort, resolve));
  }

  // The relay normally creates the topic; a projector started first creates it the same way rather
  // than subscribing to a topic that does not exist.
  await transport.prepareTopic().catch((err: Error) => logger.warn({ err: err.message }, 'could not make sure the topic exists'));
  await projector.start();
  logger.info({ ...settings, readModelUrl: undefined, metrics: settings.metricsPort || 'off' }, 'projector running');

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) process.exit(1);
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: finishing the batch in hand');
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    void (async () => {
      await projector.stop();
      await changes.close().catch(() => undefined);
      await store.close().catch(() => undefined);
      await dataSource.destroy().catch(() => undefined);
      server?.close();
      logger.info('projector exited cleanly');
      logger.flush();
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: Error) => {
  process.stderr.write(`projector failed to start: ${err.message}\n`);
  process.exit(1);
});
