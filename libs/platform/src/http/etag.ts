import type { ServerResponse } from 'node:http';
import { ApiError } from './api-error';

/** Strong ETag naming the stream and its revision: `"stock-wh-1:41"`. */
export function formatEtag(streamId: string, revision: number): string {
  return `"${streamId}:${revision}"`;
}

export function setEtag(res: Pick<ServerResponse, 'setHeader'>, streamId: string, revision: number): void {
  res.setHeader('ETag', formatEtag(streamId, revision));
}

/**
 * The revision an If-Match header insists on, or undefined without one (or with `*`, which any
 * existing stream satisfies). A tag of another stream can never match: 412 at once. Weak tags never
 * match under If-Match's strong comparison (RFC 9110 13.1.1), and this API issues none: 400.
 */
export function parseIfMatch(header: string | string[] | undefined, streamId?: string): number | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '*') return undefined;
  if (value.includes(',')) throw ApiError.badRequest('invalid-if-match', 'If-Match: give one ETag, as returned by the API');
  if (value.startsWith('W/')) throw ApiError.badRequest('invalid-if-match', 'If-Match: weak ETags cannot match; use the ETag the API returned');
  const m = /^"?(.+):(\d+)"?$/.exec(value);
  if (!m || (value.startsWith('"') !== value.endsWith('"'))) {
    throw ApiError.badRequest('invalid-if-match', 'If-Match: expected "<streamId>:<revision>", the ETag the API returned');
  }
  const revision = Number(m[2]);
  if (!Number.isSafeInteger(revision)) throw ApiError.badRequest('invalid-if-match', 'If-Match: revision out of range');
  if (streamId !== undefined && m[1] !== streamId) {
    throw new ApiError(412, 'precondition-failed', `If-Match names stream ${m[1]}, but this request changes ${streamId}`, {
      streamId,
      ifMatch: value,
    });
  }
  return revision;
}
