export * from './sqlite.event-store';
export { MIGRATIONS, type Migration } from './sqlite.schema';
