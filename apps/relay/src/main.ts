// The relay as its own process (distributed mode): the event store's global log to Kafka.
// Configuration: libs/platform's loadConfig (LUMBUNG_STORE, DATABASE_URL, DATABASE_SCHEMA, LUMBUNG_DATA,
// KAFKA_BROKERS, LOG_LEVEL, ...) plus relay.config.ts. SIGTERM/SIGINT: the batch in hand is published and
// checkpointed, then the process exits 0.
import pino from 'pino';
import { loadConfig, describeStore } from '@lumbung/platform/config';
import { openCheckpointStore } from '@lumbung/platform/event-store/open-checkpoint-store';
import { openEventStore } from '@lumbung/platform/event-store/open-event-store';
import { createKafka, KafkaEventTransport, kafkaLogCreator } from '@lumbung/messaging';
import { relaySettingsFromEnv } from './relay.config';
import { RelayService } from './relay.service';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const settings = relaySettingsFromEnv(process.env);
  const logger = pino({ level: config.logLevel, base: { service: 'relay', pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
  for (const w of config.warnings) logger.warn(w);
  if (config.kafkaBrokers.length === 0) throw new Error('KAFKA_BROKERS is not set: the relay has nowhere to publish');

  const onError = (err: Error) => logger.warn({ err: err.message }, 'store connection error (recovering)');
  const store = await openEventStore(config.store, { onError });
  const checkpoints = await openCheckpointStore(config.store, { onError });
  const kafka = createKafka({
    brokers: [...config.kafkaBrokers],
    clientId: settings.clientId,
    config: { logCreator: kafkaLogCreator(logger.child({ component: 'kafkajs' })) },
  });
  const transport = new KafkaEventTransport({ kafka, topic: settings.topic, partitions: settings.partitions, logger });
  const relay = new RelayService({
    store,
    checkpoints,
    publisher: transport.publisher(),
    checkpointName: settings.checkpointName,
    batchSize: settings.batchSize,
    batchMs: settings.batchMs,
    logger,
  });
  logger.info({ store: describeStore(config.store), brokers: config.kafkaBrokers, ...settings }, 'relay starting');
  relay.start();

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: finishing the batch in hand');
    const force = setTimeout(() => {
      logger.error({ checkpoint: relay.stats.checkpoint }, 'shutdown took too long; exiting (the next start resumes from the checkpoint)');
      process.exit(1);
    }, 20_000);
    force.unref();
    void (async () => {
      await relay.stop();
      await Promise.allSettled([store.close(), checkpoints.close()]);
      logger.info({ checkpoint: relay.stats.checkpoint, events: relay.stats.events, restarts: relay.stats.restarts }, 'relay exited cleanly');
      logger.flush();
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: Error) => {
  // Before the logger exists (a bad configuration) the message still has to reach the operator.
  process.stderr.write(`relay failed to start: ${err.message}\n`);
  process.exit(1);
});
