import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@lumbung/event-store';
import { issueToken, loadConfig, type LumbungConfig, type TokenClaims } from '@lumbung/platform';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import { createCommandApi } from '../../src/app.factory';
import type { CommandApiOptions } from '../../src/app.module';
import { TestRoutesModule } from './test-routes.module';

export type LogLine = Record<string, unknown> & { msg?: string; level: number; correlationId?: string };

export interface RunningApi {
  app: NestExpressApplication;
  config: LumbungConfig;
  baseUrl: string;
  logs: LogLine[];
  token(claims: TokenClaims, ttl?: string): string;
  /** fetch relative to the app, with a bearer token when given */
  call(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Starts the command API in-process on a free port, its configuration read by loadConfig from `env`
 * (a temporary data directory unless env names one), with the test-only routes and its log lines
 * captured as parsed JSON.
 */
export async function startCommandApi(env: Record<string, string> = {}, options: CommandApiOptions = {}): Promise<RunningApi> {
  const ownDir = env.LUMBUNG_DATA ? undefined : mkdtempSync(join(tmpdir(), 'lumbung-e2e-'));
  const config = loadConfig({ LOG_LEVEL: 'debug', ...env, ...(ownDir ? { LUMBUNG_DATA: ownDir } : {}) });
  const logs: LogLine[] = [];
  // nestjs-pino keeps the logger for lines outside a request in a module global, set by the first
  // app of the process: reset it so that each test app's startup and shutdown lines reach its own stream.
  __resetOutOfContextForTests();
  const app = await createCommandApi(config, {
    shutdownHooks: false,
    logDestination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
    ...options,
    extraModules: [TestRoutesModule, ...(options.extraModules ?? [])],
  });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  let closed = false;
  return {
    app,
    config,
    baseUrl,
    logs,
    token: (claims, ttl = '1h') => issueToken(config.tokenSecret, claims, ttl),
    call: (path, init = {}) => {
      const { token, json, headers, ...rest } = init;
      const h = new Headers(headers);
      if (token) h.set('Authorization', `Bearer ${token}`);
      if (json !== undefined) h.set('Content-Type', 'application/json');
      return fetch(`${baseUrl}${path}`, { ...rest, headers: h, ...(json !== undefined ? { body: JSON.stringify(json), method: rest.method ?? 'POST' } : {}) });
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}

export type { EventStore };
