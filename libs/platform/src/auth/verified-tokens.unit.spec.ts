import jwt from 'jsonwebtoken';
import { CLOCK_TOLERANCE_SECONDS, issueToken, TokenError } from './token';
import { VerifiedTokens } from './verified-tokens';

const SECRET = 'v'.repeat(40);

/** A clock the test moves; starts now, since the tokens are issued with the real clock. */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = Date.now();
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('VerifiedTokens', () => {
  it('verifies a token once and answers its principal from memory after that', () => {
    const tokens = new VerifiedTokens(SECRET);
    const t = issueToken(SECRET, { sub: 'u1', role: 'warehouse', member: 'm', warehouses: ['w1'] }, '1h');
    const first = tokens.principal(t);
    expect(first).toEqual({ sub: 'u1', role: 'warehouse', member: 'm', warehouses: ['w1'] });
    // The very same (frozen) principal: not verified again.
    expect(tokens.principal(t)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(tokens.size).toBe(1);
  });

  it('stops taking a remembered token at its expiry (with the clock tolerance) and refuses it as verifyToken does', () => {
    const c = clock();
    const tokens = new VerifiedTokens(SECRET, 10, c.now);
    const t = issueToken(SECRET, { sub: 'u', role: 'eoc' }, '60s');
    const exp = (jwt.decode(t) as jwt.JwtPayload).exp!;
    const p = tokens.principal(t);
    c.advance((exp + CLOCK_TOLERANCE_SECONDS) * 1000 - c.now() - 1);
    expect(tokens.principal(t)).toBe(p);
    c.advance(1);
    expect(() => tokens.principal(t)).toThrow(new TokenError('token expired'));
    expect(tokens.size).toBe(0);
  });

  it('keeps no refused token', () => {
    const tokens = new VerifiedTokens(SECRET);
    const other = issueToken('o'.repeat(40), { sub: 'u', role: 'eoc' });
    expect(() => tokens.principal(other)).toThrow(new TokenError('invalid token: invalid signature'));
    expect(() => tokens.principal(other)).toThrow(TokenError);
    // The same claims signed with the right secret are another token: verified on their own.
    expect(tokens.principal(issueToken(SECRET, { sub: 'u', role: 'eoc' }))).toMatchObject({ sub: 'u' });
    expect(tokens.size).toBe(1);
  });

  it('is bounded, forgetting the least recently used token first', () => {
    const tokens = new VerifiedTokens(SECRET, 2);
    const [a, b, c] = ['a', 'b', 'c'].map((sub) => issueToken(SECRET, { sub, role: 'eoc' }));
    const pa = tokens.principal(a);
    const pb = tokens.principal(b);
    tokens.principal(a);
    tokens.principal(c);
    expect(tokens.size).toBe(2);
    expect(tokens.principal(a)).toBe(pa);
    // b was forgotten: verified again, a new (equal) principal.
    const pb2 = tokens.principal(b);
    expect(pb2).not.toBe(pb);
    expect(pb2).toEqual(pb);
  });
});
