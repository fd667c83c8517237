import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';

/** The one route that takes its token in the query string. */
export const STREAM_PATH = '/events/stream';

/**
 * Browsers' EventSource cannot send an Authorization header, so the event stream (and only it) also
 * takes the bearer token as `?access_token=`. The token is moved into the Authorization header, where
 * the global AuthGuard checks it like any other (a header already there wins), and removed from the
 * URL the moment the request arrives: this runs as the HTTP server's first 'request' listener, before
 * any middleware, so the request log (which records the URL and query as the request starts), the
 * query validation and error messages never carry the token.
 */
@Injectable()
export class AccessTokenFromQuery implements OnModuleInit, OnModuleDestroy {
  private server: Server | undefined;
  private readonly listener = (req: IncomingMessage) => moveAccessToken(req);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    this.server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    this.server?.prependListener('request', this.listener);
  }

  onModuleDestroy(): void {
    this.server?.off('request', this.listener);
  }
}

/** For a request to the stream: token from the query string into the header, and out of the URL. */
export function moveAccessToken(req: IncomingMessage): void {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q < 0 || url.slice(0, q).replace(/\/+$/, '') !== STREAM_PATH) return;
  const stripped = stripAccessToken(url);
  if (!stripped) return;
  if (stripped.token && !req.headers.authorization) req.headers.authorization = `Bearer ${stripped.token}`;
  req.url = stripped.url;
}

/** The URL without its access_token parameter, and the token; undefined when there is none. */
export function stripAccessToken(url: string | undefined): { url: string; token: string | null } | undefined {
  if (!url) return undefined;
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  const params = new URLSearchParams(url.slice(q + 1));
  if (!params.has('access_token')) return undefined;
  const token = params.get('access_token');
  params.delete('access_token');
  const rest = params.toString();
  return { url: `${url.slice(0, q)}${rest ? `?${rest}` : ''}`, token };
}
