import type { Migration } from '../postgres.migration-runner';
import { eventLogMigration } from './001-event-log.migration';
import { correlationIndexMigration } from './002-correlation-index.migration';

/** Every migration, in the order they are applied. Append new ones; never edit an applied one. */
export const MIGRATIONS: readonly Migration[] = [eventLogMigration, correlationIndexMigration];
