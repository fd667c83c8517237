/**
 * Issues a bearer token for the command API, signed with the same secret the app uses (read the same
 * way: LUMBUNG_TOKEN_SECRET, or the secret kept in <LUMBUNG_DATA>/token-secret in embedded mode).
 *
 *   npm run token -- --role eoc --member bpbd-jambi --sub user-1 --ttl 12h
 *   npm run token -- --role warehouse --warehouse w1 --warehouse w2 --member bpbd-jambi
 *   npm run token -- --role site --site s1
 *
 * Prints only the token on stdout, so that `TOKEN=$(npm run -s token -- --role eoc)` works.
 */
import { parseArgs } from 'node:util';
import { ROLES, isRole } from '@lumbung/platform/auth/principal';
import { issueToken } from '@lumbung/platform/auth/token';
import { ConfigError, loadConfig } from '@lumbung/platform/config';

const USAGE = `usage: npm run token -- --role <${ROLES.join('|')}> [--sub <user id>] [--member <member id>]
                         [--site <site id>] [--warehouse <id>]... [--ttl 12h]`;

function fail(message: string): never {
  console.error(`token: ${message}\n${USAGE}`);
  process.exit(2);
}

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        role: { type: 'string' },
        sub: { type: 'string' },
        member: { type: 'string' },
        site: { type: 'string' },
        warehouse: { type: 'string', multiple: true },
        warehouses: { type: 'string', multiple: true },
        ttl: { type: 'string', default: '12h' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!isRole(values.role)) fail(`--role must be one of ${ROLES.join(', ')}`);

  let secret: string;
  try {
    const config = loadConfig();
    for (const w of config.warnings) console.error(`token: ${w}`);
    secret = config.tokenSecret;
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }

  const warehouses = [...(values.warehouse ?? []), ...(values.warehouses ?? [])].flatMap((w) => w.split(',')).map((w) => w.trim()).filter(Boolean);
  const sub = values.sub ?? `${values.role}-${values.member ?? values.site ?? warehouses[0] ?? 'user'}`;
  try {
    const token = issueToken(
      secret,
      {
        sub,
        role: values.role,
        ...(values.member ? { member: values.member } : {}),
        ...(values.site ? { site: values.site } : {}),
        ...(warehouses.length ? { warehouses } : {}),
      },
      values.ttl,
    );
    process.stdout.write(`${token}\n`);
  } catch (e) {
    fail((e as Error).message);
  }
}

main();
