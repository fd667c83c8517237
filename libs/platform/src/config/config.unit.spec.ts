import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, describeStore } from '.';

const SECRET = 'x'.repeat(32);

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lumbung-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const problemsOf = (env: Record<string, string>): readonly string[] => {
    try {
      loadConfig(env);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).problems;
    }
    throw new Error('expected a ConfigError');
  };

  it('defaults to the embedded SQLite store in ./data on port 3000', () => {
    const c = loadConfig({ LUMBUNG_DATA: dir, LUMBUNG_TOKEN_SECRET: SECRET });
    expect(c.store).toEqual({ kind: 'sqlite', file: join(dir, 'lumbung.db') });
    expect(c.port).toBe(3000);
    expect(c.mode).toBe('embedded');
    expect(c.logLevel).toBe('info');
    expect(c.kafkaBrokers).toEqual([]);
    expect(c.tokenSecretSource).toBe('env');
    expect(c.warnings).toEqual([]);
  });

  it('resolves the default data directory against the working directory', () => {
    const c = loadConfig({ LUMBUNG_TOKEN_SECRET: SECRET });
    expect(c.dataDir).toBe(join(process.cwd(), 'data'));
  });

  it('is frozen, deeply', () => {
    const c = loadConfig({ LUMBUNG_DATA: dir, LUMBUNG_TOKEN_SECRET: SECRET, KAFKA_BROKERS: 'a:9092' });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.store)).toBe(true);
    expect(Object.isFrozen(c.kafkaBrokers)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('reads postgres settings, with the public schema by default', () => {
    const c = loadConfig({ LUMBUNG_STORE: 'postgres', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', LUMBUNG_TOKEN_SECRET: SECRET });
    expect(c.store).toEqual({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/test', schema: 'public' });
    const s = loadConfig({ LUMBUNG_STORE: 'postgres', DATABASE_URL: 'postgresql://u:p@h/db', DATABASE_SCHEMA: 'lumbung_1', LUMBUNG_TOKEN_SECRET: SECRET });
    expect(s.store).toMatchObject({ schema: 'lumbung_1' });
  });

  it('reads the EventStoreDB url', () => {
    const c = loadConfig({ LUMBUNG_STORE: 'eventstoredb', EVENTSTORE_URL: 'esdb://127.0.0.1:2113?tls=false', LUMBUNG_TOKEN_SECRET: SECRET });
    expect(c.store).toEqual({ kind: 'eventstoredb', url: 'esdb://127.0.0.1:2113?tls=false' });
  });

  it('reads port, log level, mode and brokers', () => {
    const c = loadConfig({
      LUMBUNG_DATA: dir, LUMBUNG_TOKEN_SECRET: SECRET, PORT: '8080', LOG_LEVEL: 'debug', LUMBUNG_MODE: 'distributed', KAFKA_BROKERS: ' k1:9092, k2:9093 ,',
    });
    expect(c).toMatchObject({ port: 8080, logLevel: 'debug', mode: 'distributed', kafkaBrokers: ['k1:9092', 'k2:9093'] });
  });

  it('treats empty variables as unset', () => {
    const c = loadConfig({ LUMBUNG_DATA: dir, LUMBUNG_TOKEN_SECRET: SECRET, PORT: '', LUMBUNG_STORE: ' ' });
    expect(c.port).toBe(3000);
    expect(c.store.kind).toBe('sqlite');
  });

  it.each([
    ['abc', 'PORT: must be an integer 1..65535, got "abc"'],
    ['0', 'PORT: must be an integer 1..65535, got "0"'],
    ['65536', 'PORT: must be an integer 1..65535, got "65536"'],
    ['80.5', 'PORT: must be an integer 1..65535, got "80.5"'],
  ])('refuses PORT=%s', (port, message) => {
    expect(problemsOf({ LUMBUNG_DATA: dir, LUMBUNG_TOKEN_SECRET: SECRET, PORT: port })).toEqual([message]);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({ LUMBUNG_STORE: 'postgres', PORT: 'abc', LOG_LEVEL: 'loud', LUMBUNG_MODE: 'cluster', KAFKA_BROKERS: 'nohost', DATABASE_SCHEMA: 'Bad-Name' });
    expect(problems).toEqual([
      'LUMBUNG_MODE: must be one of embedded | distributed, got "cluster"',
      'LOG_LEVEL: must be one of fatal | error | warn | info | debug | trace | silent, got "loud"',
      'PORT: must be an integer 1..65535, got "abc"',
      expect.stringMatching(/^DATABASE_URL: required with LUMBUNG_STORE=postgres/),
      'DATABASE_SCHEMA: must be a lower-case SQL identifier (a-z, 0-9, _), got "Bad-Name"',
      'KAFKA_BROKERS: each broker must be host:port, got "nohost"',
      expect.stringMatching(/^LUMBUNG_TOKEN_SECRET: required with LUMBUNG_STORE=postgres/),
    ]);
    try {
      loadConfig({ PORT: 'abc', LUMBUNG_TOKEN_SECRET: SECRET, LUMBUNG_DATA: dir });
    } catch (e) {
      expect((e as Error).message).toBe('invalid configuration:\n  - PORT: must be an integer 1..65535, got "abc"');
    }
  });

  it('refuses an unknown store, a bad url and a short secret', () => {
    expect(problemsOf({ LUMBUNG_STORE: 'mysql', LUMBUNG_TOKEN_SECRET: SECRET })).toEqual([
      'LUMBUNG_STORE: must be one of sqlite | postgres | eventstoredb | memory, got "mysql"',
    ]);
    expect(problemsOf({ LUMBUNG_STORE: 'postgres', DATABASE_URL: 'mysql://h/db', LUMBUNG_TOKEN_SECRET: SECRET })).toEqual([
      'DATABASE_URL: must be a postgres:// or postgresql:// URL',
    ]);
    expect(problemsOf({ LUMBUNG_STORE: 'eventstoredb', LUMBUNG_TOKEN_SECRET: SECRET })).toEqual([expect.stringMatching(/^EVENTSTORE_URL: required/)]);
    expect(problemsOf({ LUMBUNG_STORE: 'eventstoredb', EVENTSTORE_URL: 'http://h:2113', LUMBUNG_TOKEN_SECRET: SECRET })).toEqual([
      expect.stringMatching(/^EVENTSTORE_URL: must be an esdb:\/\//),
    ]);
    expect(problemsOf({ LUMBUNG_DATA: dir, LUMBUNG_TOKEN_SECRET: 'short' })).toEqual(['LUMBUNG_TOKEN_SECRET: must be at least 32 characters, got 5']);
  });

  it('generates the embedded token secret once, mode 0600, and reuses it', () => {
    const first = loadConfig({ LUMBUNG_DATA: dir });
    expect(first.tokenSecretSource).toBe('generated');
    expect(first.tokenSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.warnings).toEqual([expect.stringContaining(join(dir, 'token-secret'))]);
    const file = join(dir, 'token-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.tokenSecret);

    const second = loadConfig({ LUMBUNG_DATA: dir, LUMBUNG_STORE: 'memory' });
    expect(second.tokenSecretSource).toBe('file');
    expect(second.tokenSecret).toBe(first.tokenSecret);
  });

  it('prefers LUMBUNG_TOKEN_SECRET to the file and writes nothing when it is set', () => {
    const c = loadConfig({ LUMBUNG_DATA: join(dir, 'sub'), LUMBUNG_TOKEN_SECRET: SECRET });
    expect(c.tokenSecret).toBe(SECRET);
    expect(() => statSync(join(dir, 'sub'))).toThrow();
  });

  it('refuses a secret file that holds too short a secret', () => {
    writeFileSync(join(dir, 'token-secret'), 'abc\n');
    expect(problemsOf({ LUMBUNG_DATA: dir })).toEqual([expect.stringMatching(/^LUMBUNG_TOKEN_SECRET: not set, and the secret file .* shorter than 32/)]);
  });

  it('writes no secret file when the rest of the configuration is wrong', () => {
    problemsOf({ LUMBUNG_DATA: dir, PORT: 'x' });
    expect(() => statSync(join(dir, 'token-secret'))).toThrow();
  });

  it('describes the store without the password', () => {
    const c = loadConfig({ LUMBUNG_STORE: 'postgres', DATABASE_URL: 'postgres://lumbung:hunter2@db:5432/lumbung', LUMBUNG_TOKEN_SECRET: SECRET });
    expect(describeStore(c.store)).toBe('postgres (postgres://lumbung:***@db:5432/lumbung, schema public)');
  });
});
