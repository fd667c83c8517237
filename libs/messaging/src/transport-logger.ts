/** The part of a pino logger the transports use; messaging does not depend on pino itself. */
export interface TransportLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const nothing = (): void => undefined;
export const NO_LOG: TransportLogger = { debug: nothing, info: nothing, warn: nothing, error: nothing };
