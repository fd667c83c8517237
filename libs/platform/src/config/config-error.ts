/**
 * Every problem of a configuration at once: an operator fixing a deployment should not have to
 * restart once per mistake.
 */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
