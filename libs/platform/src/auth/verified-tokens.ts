import type { Principal } from './principal';
import { CLOCK_TOLERANCE_SECONDS, verifyTokenAt } from './token';

/** Distinct tokens remembered: far more than the users of one cluster, a few hundred KB at most. */
export const VERIFIED_TOKENS_CAPACITY = 1000;

/**
 * Tokens already verified with one secret, and their principals, so that a client sending the same
 * bearer token on every request has it checked once, not once per request: jsonwebtoken's decode,
 * JSON parsing and HMAC cost ~60 µs of a light read's ~1 ms in the API. Keyed by the whole raw token,
 * so a token that differs in any byte (another signature, claims, expiry) is verified afresh; an entry
 * is used only until the token's own expiry (with the clock tolerance verifyToken allows), after which
 * the token goes back to verifyToken, which refuses it as expired. Refused tokens are never kept.
 * Bounded: least recently used entries go first.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, { principal: Principal; validUntilMs: number }>();

  constructor(
    private readonly secret: string,
    private readonly capacity = VERIFIED_TOKENS_CAPACITY,
    private readonly now: () => number = Date.now,
  ) {}

  /** The token's principal; throws TokenError (as verifyToken) when it is not valid now. */
  principal(token: string): Principal {
    return this.verify(token).principal;
  }

  /**
   * The token's principal and until when the token is taken (its expiry with the clock tolerance, in
   * epoch ms): what a long-lived answer (an event stream) needs to end when its credentials do.
   */
  verify(token: string): { principal: Principal; validUntilMs: number } {
    const hit = this.entries.get(token);
    if (hit !== undefined) {
      this.entries.delete(token);
      if (this.now() < hit.validUntilMs) {
        this.entries.set(token, hit);
        return hit;
      }
    }
    const { principal, exp } = verifyTokenAt(this.secret, token, this.now());
    const entry = { principal, validUntilMs: (exp + CLOCK_TOLERANCE_SECONDS) * 1000 };
    this.entries.set(token, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }
}
