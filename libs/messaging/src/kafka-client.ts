import { Kafka, KafkaConfig, logLevel, Partitioners, Producer, ProducerConfig } from 'kafkajs';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  /** Defaults to WARN: kafkajs logs every connection and group join at INFO. */
  logLevel?: logLevel;
  /** Anything else kafkajs accepts (retry, timeouts, ssl, sasl, logCreator). */
  config?: Omit<KafkaConfig, 'brokers' | 'clientId' | 'logLevel'>;
}

/**
 * kafkajs's client with our producer default. kafkajs 2.x warns on every first producer unless a
 * partitioner is chosen explicitly; we choose DefaultPartitioner, the murmur2 partitioner the Java
 * client uses, so an event keyed by stream id lands on the same partition whichever client wrote it.
 * kafkajs has had no release since 2.2.4: this is the one place that builds it, so the transport can
 * be swapped without touching callers beyond libs/messaging.
 */
export class LumbungKafka extends Kafka {
  override producer(config: ProducerConfig = {}): Producer {
    return super.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config });
  }
}

export function createKafka(options: KafkaClientOptions): LumbungKafka {
  if (options.brokers.length === 0) throw new Error('createKafka: no brokers given');
  return new LumbungKafka({
    ...options.config,
    brokers: options.brokers,
    clientId: options.clientId,
    logLevel: options.logLevel ?? logLevel.WARN,
  });
}

export { logLevel as KafkaLogLevel };
