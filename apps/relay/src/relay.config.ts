import { eventsTopicFromEnv } from '@lumbung/messaging';

export interface RelaySettings {
  topic: string;
  partitions: number;
  checkpointName: string;
  batchSize: number;
  batchMs: number;
  clientId: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}: must be an integer ${min}..${max}, got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * The relay's own settings, beside the shared configuration (store, brokers, log level) that
 * libs/platform's loadConfig reads:
 *   LUMBUNG_EVENTS_TOPIC       topic (default lumbung.events)
 *   LUMBUNG_EVENTS_PARTITIONS  partitions when the relay creates the topic (default 6)
 *   RELAY_CHECKPOINT           checkpoint name (default relay:<topic>)
 *   RELAY_BATCH_SIZE           events per Kafka request at most (default 500)
 *   RELAY_BATCH_MS             how long a batch waits for more events (default 5)
 */
export function relaySettingsFromEnv(env: Env): RelaySettings {
  const { topic, partitions } = eventsTopicFromEnv(env);
  return {
    topic,
    partitions,
    checkpointName: env.RELAY_CHECKPOINT?.trim() || `relay:${topic}`,
    batchSize: int(env, 'RELAY_BATCH_SIZE', 500, 1, 100_000),
    batchMs: int(env, 'RELAY_BATCH_MS', 5, 0, 60_000),
    clientId: env.KAFKA_CLIENT_ID?.trim() || 'lumbung-relay',
  };
}
