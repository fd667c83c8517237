export { createKafka, KafkaLogLevel, LumbungKafka } from './kafka-client';
export type { KafkaClientOptions } from './kafka-client';
