import { eventsTopicFromEnv } from '@lumbung/messaging';

type Env = Readonly<Record<string, string | undefined>>;

export interface ProjectorSettings {
  topic: string;
  partitions: number;
  groupId: string;
  clientId: string;
  maxBatchEvents: number;
  /** read-model database: PostgreSQL URL and schema (distributed mode) */
  readModelUrl?: string;
  readModelSchema?: string;
  /** port of the /metrics and /health endpoint; 0 = none */
  metricsPort: number;
  sessionTimeoutMs: number;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}: must be an integer ${min}..${max}, got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * The projector's own settings, beside loadConfig's (store, brokers, log level, PORT):
 *   LUMBUNG_EVENTS_TOPIC         topic (default lumbung.events)
 *   PROJECTOR_GROUP              consumer group (default lumbung-projector); processes of one group share partitions
 *   PROJECTOR_MAX_BATCH          events per read-model transaction at most (default 1000)
 *   READ_MODEL_URL               read-model PostgreSQL (default DATABASE_URL)
 *   READ_MODEL_SCHEMA            its schema (default DATABASE_SCHEMA, else public)
 *   PROJECTOR_METRICS_PORT       /metrics and /health (default PORT, else 3002; 0 = off)
 *   PROJECTOR_SESSION_TIMEOUT_MS how long a dead member keeps its partitions (default 10000, min 6000)
 */
export function projectorSettingsFromEnv(env: Env, defaultPort: number): ProjectorSettings {
  const { topic, partitions } = eventsTopicFromEnv(env);
  return {
    topic,
    partitions,
    groupId: env.PROJECTOR_GROUP?.trim() || 'lumbung-projector',
    clientId: env.KAFKA_CLIENT_ID?.trim() || 'lumbung-projector',
    maxBatchEvents: int(env, 'PROJECTOR_MAX_BATCH', 1000, 1, 100_000),
    readModelUrl: env.READ_MODEL_URL?.trim() || env.DATABASE_URL?.trim() || undefined,
    readModelSchema: env.READ_MODEL_SCHEMA?.trim() || env.DATABASE_SCHEMA?.trim() || undefined,
    metricsPort: int(env, 'PROJECTOR_METRICS_PORT', defaultPort, 0, 65535),
    sessionTimeoutMs: int(env, 'PROJECTOR_SESSION_TIMEOUT_MS', 10_000, 6_000, 300_000),
  };
}
