// Reads a whole topic back with a throwaway consumer group, as any subscriber of the bus would.
import type { Consumer } from 'kafkajs';
import { decodeEvent, headerString, type LumbungKafka } from '../../../libs/messaging/src';
import type { RecordedEvent } from '../../../libs/event-store/src';
import { uniqueName, waitUntil } from '../../support/kafka';

export interface ReadBack {
  event: RecordedEvent;
  partition: number;
  offset: number;
  headers: Record<string, string | undefined>;
}

/** Everything in the topic until `distinct` different positions have been seen (duplicates kept). */
export async function readTopic(kafka: LumbungKafka, topic: string, distinct: number, timeoutMs = 60_000): Promise<ReadBack[]> {
  const out: ReadBack[] = [];
  const seen = new Set<number>();
  const consumer: Consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const event = decodeEvent(message);
        seen.add(event.position);
        const headers: Record<string, string | undefined> = {};
        for (const k of Object.keys(message.headers ?? {})) headers[k] = headerString(message.headers, k);
        out.push({ event, partition, offset: Number(message.offset), headers });
      },
    });
    await waitUntil(() => seen.size >= distinct, timeoutMs, `${distinct} distinct events in ${topic}`);
    await new Promise((r) => setTimeout(r, 300)); // a straggling duplicate would arrive now
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Per stream: the revisions in the order a consumer sees them, with duplicates. */
export function byStream(items: Array<{ event: RecordedEvent }>): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const { event } of items) {
    const l = m.get(event.streamId) ?? [];
    l.push(event.revision);
    m.set(event.streamId, l);
  }
  return m;
}

/** First occurrences must be 0,1,2,... (nothing lost or reordered); repeats are duplicates of earlier ones. */
export function checkStreamOrder(revisionsInOrder: number[]): { ok: boolean; duplicates: number; detail?: string } {
  let head = -1;
  let duplicates = 0;
  for (const r of revisionsInOrder) {
    if (r <= head) duplicates++;
    else if (r === head + 1) head = r;
    else return { ok: false, duplicates, detail: `revision ${r} after ${head}` };
  }
  return { ok: true, duplicates };
}

/** deleteTopics retries for ~15 s on a topic that is not there: look first. */
export async function deleteTopicIfExists(admin: import('kafkajs').Admin, topic: string): Promise<void> {
  if ((await admin.listTopics()).includes(topic)) await admin.deleteTopics({ topics: [topic], timeout: 10_000 }).catch(() => undefined);
}
