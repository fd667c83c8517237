import { createHash } from 'node:crypto';

/**
 * Event ids derived from the command id and the event's index: a retried command produces the same
 * ids, so the store recognises the retry and writes nothing twice (DESIGN.md invariant 4).
 * Formatted as an RFC 4122 version-5-style UUID (name-based, SHA hash).
 */
export function deterministicUuid(...parts: Array<string | number>): string {
  const h = createHash('sha256').update(parts.join('\u001f')).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
