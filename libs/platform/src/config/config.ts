import { join, resolve } from 'node:path';
import { ConfigError } from './config-error';
import { MIN_TOKEN_SECRET_LENGTH, readOrCreateTokenSecret } from './token-secret';

export const STORE_KINDS = ['sqlite', 'postgres', 'eventstoredb', 'memory'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export const MODES = ['embedded', 'distributed'] as const;
export type Mode = (typeof MODES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type StoreConfig =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema: string }
  | { readonly kind: 'eventstoredb'; readonly url: string }
  | { readonly kind: 'memory' };

export interface LumbungConfig {
  readonly store: StoreConfig;
  /** absolute data directory (LUMBUNG_DATA): the SQLite file, the generated token secret */
  readonly dataDir: string;
  readonly port: number;
  readonly tokenSecret: string;
  /** where the secret came from: the environment, or the file kept in the data directory */
  readonly tokenSecretSource: 'env' | 'file' | 'generated';
  readonly logLevel: LogLevel;
  readonly kafkaBrokers: readonly string[];
  readonly mode: Mode;
  /** things an operator should know, logged once the logger exists (the config is read before it) */
  readonly warnings: readonly string[];
}

export type Env = Readonly<Record<string, string | undefined>>;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const EVENTSTORE_PROTOCOLS = ['esdb:', 'esdb+discover:', 'kurrentdb:', 'kurrentdb+discover:', 'kurrent:', 'kurrent+discover:'];

/** Empty and whitespace-only variables count as unset: `PORT= npm start` means "the default". */
function read(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T, problems: string[]): T {
  const v = read(env, name);
  if (v === undefined) return fallback;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  problems.push(`${name}: must be one of ${allowed.join(' | ')}, got ${JSON.stringify(v)}`);
  return fallback;
}

function urlWithProtocol(value: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/**
 * Reads and checks the whole configuration. Throws a ConfigError naming every problem; the result
 * is frozen so that no module can change it behind the others' backs.
 *
 * Side effect, on purpose: with the SQLite or in-memory store and no LUMBUNG_TOKEN_SECRET, the
 * secret is read from (or generated into) `<data>/token-secret`, so the embedded mode needs no setup.
 */
export function loadConfig(env: Env = process.env): LumbungConfig {
  const problems: string[] = [];
  const warnings: string[] = [];

  const kind = oneOf(env, 'LUMBUNG_STORE', STORE_KINDS, 'sqlite', problems);
  const mode = oneOf(env, 'LUMBUNG_MODE', MODES, 'embedded', problems);
  const logLevel = oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info', problems);
  const dataDir = resolve(read(env, 'LUMBUNG_DATA') ?? './data');

  const portRaw = read(env, 'PORT');
  let port = 3000;
  if (portRaw !== undefined) {
    const n = Number(portRaw);
    if (/^\d+$/.test(portRaw) && n >= 1 && n <= 65535) port = n;
    else problems.push(`PORT: must be an integer 1..65535, got ${JSON.stringify(portRaw)}`);
  }

  let store: StoreConfig = { kind: 'memory' };
  switch (kind) {
    case 'sqlite':
      store = { kind, file: join(dataDir, 'lumbung.db') };
      break;
    case 'memory':
      store = { kind };
      break;
    case 'postgres': {
      const url = read(env, 'DATABASE_URL');
      const schema = read(env, 'DATABASE_SCHEMA') ?? 'public';
      if (url === undefined) problems.push('DATABASE_URL: required with LUMBUNG_STORE=postgres (e.g. postgres://user@127.0.0.1:5432/lumbung)');
      else if (!urlWithProtocol(url, ['postgres:', 'postgresql:'])) problems.push('DATABASE_URL: must be a postgres:// or postgresql:// URL');
      if (!SCHEMA_NAME.test(schema)) problems.push(`DATABASE_SCHEMA: must be a lower-case SQL identifier (a-z, 0-9, _), got ${JSON.stringify(schema)}`);
      store = { kind, url: url ?? '', schema };
      break;
    }
    case 'eventstoredb': {
      const url = read(env, 'EVENTSTORE_URL');
      if (url === undefined) problems.push('EVENTSTORE_URL: required with LUMBUNG_STORE=eventstoredb (e.g. esdb://127.0.0.1:2113?tls=false)');
      else if (!urlWithProtocol(url, EVENTSTORE_PROTOCOLS)) problems.push(`EVENTSTORE_URL: must be an ${EVENTSTORE_PROTOCOLS.map((p) => `${p}//`).join(', ')} connection string`);
      store = { kind, url: url ?? '' };
      break;
    }
  }

  const brokersRaw = read(env, 'KAFKA_BROKERS');
  const kafkaBrokers = brokersRaw === undefined ? [] : brokersRaw.split(',').map((b) => b.trim()).filter((b) => b !== '');
  for (const b of kafkaBrokers) {
    if (!BROKER.test(b)) problems.push(`KAFKA_BROKERS: each broker must be host:port, got ${JSON.stringify(b)}`);
  }

  let tokenSecret = read(env, 'LUMBUNG_TOKEN_SECRET');
  let tokenSecretSource: LumbungConfig['tokenSecretSource'] = 'env';
  if (tokenSecret !== undefined) {
    if (tokenSecret.length < MIN_TOKEN_SECRET_LENGTH) {
      problems.push(`LUMBUNG_TOKEN_SECRET: must be at least ${MIN_TOKEN_SECRET_LENGTH} characters, got ${tokenSecret.length}`);
    }
  } else if (kind === 'sqlite' || kind === 'memory') {
    // Only worth touching the disk when everything else is right: a bad config must not leave files behind.
    if (problems.length === 0) {
      try {
        const persisted = readOrCreateTokenSecret(dataDir);
        tokenSecret = persisted.secret;
        tokenSecretSource = persisted.created ? 'generated' : 'file';
        warnings.push(
          persisted.created
            ? `LUMBUNG_TOKEN_SECRET is not set: generated a token secret into ${persisted.file} (mode 0600); set LUMBUNG_TOKEN_SECRET outside a single machine`
            : `LUMBUNG_TOKEN_SECRET is not set: using the token secret kept in ${persisted.file}`,
        );
      } catch (e) {
        problems.push(`LUMBUNG_TOKEN_SECRET: not set, and the secret file in ${dataDir} could not be used: ${(e as Error).message}`);
      }
    }
  } else {
    problems.push(`LUMBUNG_TOKEN_SECRET: required with LUMBUNG_STORE=${kind} (at least ${MIN_TOKEN_SECRET_LENGTH} characters)`);
  }

  if (mode === 'distributed' && kafkaBrokers.length === 0) {
    warnings.push('LUMBUNG_MODE=distributed without KAFKA_BROKERS: the relay and projector will have no broker to talk to');
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return deepFreeze({
    store,
    dataDir,
    port,
    tokenSecret: tokenSecret!,
    tokenSecretSource,
    logLevel,
    kafkaBrokers,
    mode,
    warnings,
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** For logs: the store without credentials (a DATABASE_URL may carry a password). */
export function describeStore(store: StoreConfig): string {
  switch (store.kind) {
    case 'sqlite':
      return `sqlite (${store.file})`;
    case 'memory':
      return 'memory (nothing is kept after the process ends)';
    case 'postgres':
      return `postgres (${redactUrl(store.url)}, schema ${store.schema})`;
    case 'eventstoredb':
      return `eventstoredb (${redactUrl(store.url)})`;
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}
