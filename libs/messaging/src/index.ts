export { createKafka, KafkaLogLevel, LumbungKafka } from './kafka-client';
export type { KafkaClientOptions } from './kafka-client';
export * from './wire-contract';
export * from './event-transport';
export * from './topic';
export * from './transport-logger';
export { kafkaLogCreator } from './kafka-log';
export { KafkaEventTransport, type KafkaTransportOptions } from './kafka.event-transport';
export { InProcessEventTransport, type InProcessTransportOptions } from './in-process.event-transport';
