// Helpers for tests against the real broker that the global setup provides (see infra.ts).
import { randomBytes } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { createKafka, LumbungKafka } from '../../libs/messaging/src';
import { kafkaBrokers } from './infra';

export function testKafka(clientId: string): LumbungKafka {
  const brokers = kafkaBrokers();
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is unset: wrap the suite in describeWithKafka');
  return createKafka({ brokers, clientId });
}

/** A topic or group name no other test (or earlier run against a reused broker) has used. */
export function uniqueName(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}.${randomBytes(4).toString('hex')}`;
}

/**
 * Creates a topic and waits until every partition has a leader, so the first produce does not race
 * the controller. Auto-creation is off on the test broker: topics exist only when made here.
 */
export async function createTopic(admin: Admin, topic: string, numPartitions: number): Promise<void> {
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  if (!created) throw new Error(`topic ${topic} already exists`);
}

export async function deleteTopics(admin: Admin, topics: string[]): Promise<void> {
  if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10000 });
}

/** Polls until `done()` or the deadline; for consumers, whose progress arrives by callback. */
export async function waitUntil(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
