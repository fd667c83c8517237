import { logLevel, type logCreator } from 'kafkajs';
import type { TransportLogger } from './transport-logger';

/**
 * Routes kafkajs's own log lines into the app's structured logger (pass it as createKafka's
 * config.logCreator), so that a broker outage shows up in the same JSON stream as the relay's lines.
 */
export function kafkaLogCreator(logger: TransportLogger): logCreator {
  return () => ({ level, log }) => {
    const { message, ...rest } = log;
    const fields = { kafkajs: rest.namespace ?? log.namespace, ...rest };
    switch (level) {
      case logLevel.ERROR:
      case logLevel.NOTHING:
        logger.error(fields, message);
        break;
      case logLevel.WARN:
        logger.warn(fields, message);
        break;
      case logLevel.INFO:
        logger.info(fields, message);
        break;
      default:
        logger.debug(fields, message);
    }
  };
}
