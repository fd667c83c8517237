/**
 * One stream per aggregate instance. The prefix is the stream's category; projections and the
 * relay route on it, so the prefixes are part of the stored contract and do not change.
 */
export const streamIds = {
  item: (id: string) => `item-${id}`,
  member: (id: string) => `member-${id}`,
  warehouse: (id: string) => `warehouse-${id}`,
  site: (id: string) => `site-${id}`,
  incident: (id: string) => `incident-${id}`,
  /** the capacity register of one member */
  capacity: (memberId: string) => `capacity-${memberId}`,
  operationsPlan: (id: string) => `opsplan-${id}`,
  request: (id: string) => `request-${id}`,
  pledge: (id: string) => `pledge-${id}`,
  /** all stock of one warehouse: the stream that owns its counts */
  stock: (warehouseId: string) => `stock-${warehouseId}`,
  dispatch: (id: string) => `dispatch-${id}`,
} as const;

export type StreamCategory = keyof typeof streamIds;

const prefixes: ReadonlyArray<[string, StreamCategory]> = (Object.keys(streamIds) as StreamCategory[]).map(
  (c) => [streamIds[c]('').slice(0, -1), c] as [string, StreamCategory],
);

/** Splits a stream id back into its category and the aggregate id ('stock-wh-1' → stock, 'wh-1'). */
export function parseStreamId(streamId: string): { category: StreamCategory; id: string } | null {
  const dash = streamId.indexOf('-');
  if (dash <= 0) return null;
  const prefix = streamId.slice(0, dash);
  const hit = prefixes.find(([p]) => p === prefix);
  return hit ? { category: hit[1], id: streamId.slice(dash + 1) } : null;
}
