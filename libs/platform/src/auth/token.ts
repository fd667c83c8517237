import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { claimProblems, toPrincipal, type Principal, type TokenClaims } from './principal';

export const TOKEN_ISSUER = 'lumbung';
export const TOKEN_ALGORITHM = 'HS256' as const;
/** Longest lifetime a token may be issued for: a lost laptop should not hold a key for a season. */
export const MAX_TTL_SECONDS = 90 * 24 * 3600;
/** Tolerated clock skew between the machine that issued a token and the one checking it. */
export const CLOCK_TOLERANCE_SECONDS = 30;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** '90s', '15m', '12h', '7d' or a number of seconds. */
export function parseTtl(ttl: string | number): number {
  const m = typeof ttl === 'number' ? [String(ttl), String(ttl), 's'] : /^(\d+)\s*([smhd]?)$/.exec(ttl.trim());
  const seconds = m ? Number(m[1]) * UNITS[m[2] || 's'] : NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) throw new Error(`ttl: must be a positive duration like 90s, 15m, 12h or 7d, got ${JSON.stringify(ttl)}`);
  if (seconds > MAX_TTL_SECONDS) throw new Error(`ttl: at most ${MAX_TTL_SECONDS / 86400}d, got ${JSON.stringify(ttl)}`);
  return seconds;
}

/** Signs a bearer token (HS256) for these claims; throws on claims the API would refuse. */
export function issueToken(secret: string, claims: TokenClaims, ttl: string | number = '12h'): string {
  const problems = claimProblems(claims as unknown as Record<string, unknown>);
  if (problems.length) throw new Error(`cannot issue a token: ${problems.join('; ')}`);
  const payload: TokenClaims = {
    sub: claims.sub,
    role: claims.role,
    ...(claims.member !== undefined ? { member: claims.member } : {}),
    ...(claims.site !== undefined ? { site: claims.site } : {}),
    ...(claims.warehouses?.length ? { warehouses: [...claims.warehouses] } : {}),
  };
  return jwt.sign(payload, secret, { algorithm: TOKEN_ALGORITHM, expiresIn: parseTtl(ttl), issuer: TOKEN_ISSUER });
}

export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

// jsonwebtoken 9 tries createPublicKey() on a string secret on every verify (it throws, then falls
// back to a secret key): ~0.7 ms per request. A KeyObject made once per secret avoids it (~25 µs).
let keyCache: { secret: string; key: KeyObject } | undefined;
function secretKey(secret: string): KeyObject {
  if (keyCache?.secret !== secret) keyCache = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  return keyCache.key;
}

/** Verifies signature, algorithm, issuer and expiry, then the claims. Throws TokenError saying why. */
export function verifyToken(secret: string, token: string): Principal {
  return verifyTokenAt(secret, token).principal;
}

/**
 * verifyToken, also giving the token's expiry (seconds since the epoch), judged at `nowMs` (default
 * now): what VerifiedTokens needs to know how long a verified token may be taken as it is.
 */
export function verifyTokenAt(secret: string, token: string, nowMs: number = Date.now()): { principal: Principal; exp: number } {
  let payload: string | jwt.JwtPayload;
  try {
    // The algorithm list is pinned so that a token cannot choose 'none' or another algorithm.
    payload = jwt.verify(token, secretKey(secret), {
      algorithms: [TOKEN_ALGORITHM],
      issuer: TOKEN_ISSUER,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      clockTimestamp: Math.floor(nowMs / 1000),
    });
  } catch (e) {
    if (e instanceof jwt.TokenExpiredError) throw new TokenError('token expired');
    if (e instanceof jwt.NotBeforeError) throw new TokenError('token not yet valid');
    if (e instanceof jwt.JsonWebTokenError) throw new TokenError(`invalid token: ${e.message}`);
    throw e;
  }
  if (typeof payload !== 'object' || payload === null) throw new TokenError('invalid token: payload is not an object');
  if (typeof payload.exp !== 'number') throw new TokenError('invalid token: no expiry');
  const problems = claimProblems(payload as Record<string, unknown>);
  if (problems.length) throw new TokenError(`invalid token claims: ${problems.join('; ')}`);
  return { principal: toPrincipal(payload as unknown as TokenClaims), exp: payload.exp };
}
