import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MIN_TOKEN_SECRET_LENGTH = 32;
export const TOKEN_SECRET_FILE = 'token-secret';

export interface PersistedSecret {
  secret: string;
  file: string;
  /** true when this call created the file */
  created: boolean;
}

/**
 * The embedded mode's token secret: generated once and kept beside the data, so that `npm start`
 * works on a fresh machine and tokens stay valid across restarts. Created with the exclusive flag so
 * that two processes starting together on the same data directory end up with the same secret.
 */
export function readOrCreateTokenSecret(dataDir: string): PersistedSecret {
  const file = join(dataDir, TOKEN_SECRET_FILE);
  const existing = readSecret(file);
  if (existing !== undefined) return { secret: existing, file, created: false };
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    // mode is filtered by the umask; the secret must not be readable by others whatever the umask.
    chmodSync(file, 0o600);
    return { secret, file, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const raced = readSecret(file);
    if (raced === undefined) throw new Error(`${file} exists but holds no secret`);
    return { secret: raced, file, created: false };
  }
}

function readSecret(file: string): string | undefined {
  try {
    const s = readFileSync(file, 'utf8').trim();
    if (s.length < MIN_TOKEN_SECRET_LENGTH) {
      throw new Error(`${file} holds a secret shorter than ${MIN_TOKEN_SECRET_LENGTH} characters; delete it to generate a new one`);
    }
    return s;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
