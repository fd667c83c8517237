import jwt from 'jsonwebtoken';
import { issueToken, parseTtl, verifyToken, TokenError } from './token';

const SECRET = 's'.repeat(32);

describe('tokens', () => {
  it('round-trips the claims', () => {
    const t = issueToken(SECRET, { sub: 'user-1', role: 'warehouse', member: 'bpbd-jambi', warehouses: ['w1', 'w2'] }, '1h');
    expect(verifyToken(SECRET, t)).toEqual({ sub: 'user-1', role: 'warehouse', member: 'bpbd-jambi', warehouses: ['w1', 'w2'] });
    const decoded = jwt.decode(t, { complete: true })!;
    expect(decoded.header.alg).toBe('HS256');
    const p = decoded.payload as jwt.JwtPayload;
    expect(p.iss).toBe('lumbung');
    expect(p.exp! - p.iat!).toBe(3600);
  });

  it('gives a principal an empty warehouse list when the token has none, and freezes it', () => {
    const p = verifyToken(SECRET, issueToken(SECRET, { sub: 'u', role: 'eoc' }));
    expect(p.warehouses).toEqual([]);
    expect(Object.isFrozen(p)).toBe(true);
  });

  it('refuses a token signed with another secret', () => {
    const t = issueToken('o'.repeat(32), { sub: 'u', role: 'eoc' });
    expect(() => verifyToken(SECRET, t)).toThrow(new TokenError('invalid token: invalid signature'));
  });

  it('refuses an expired token', () => {
    const t = jwt.sign({ sub: 'u', role: 'eoc', exp: Math.floor(Date.now() / 1000) - 120 }, SECRET, { algorithm: 'HS256', issuer: 'lumbung' });
    expect(() => verifyToken(SECRET, t)).toThrow(new TokenError('token expired'));
  });

  it('refuses tokens without expiry, of another issuer, or with another algorithm', () => {
    expect(() => verifyToken(SECRET, jwt.sign({ sub: 'u', role: 'eoc' }, SECRET, { algorithm: 'HS256', issuer: 'lumbung' }))).toThrow('no expiry');
    expect(() => verifyToken(SECRET, jwt.sign({ sub: 'u', role: 'eoc' }, SECRET, { algorithm: 'HS256', issuer: 'other', expiresIn: 60 }))).toThrow('jwt issuer invalid');
    expect(() => verifyToken(SECRET, jwt.sign({ sub: 'u', role: 'eoc' }, SECRET, { algorithm: 'HS512', issuer: 'lumbung', expiresIn: 60 }))).toThrow('invalid algorithm');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: 'u', role: 'admin', iss: 'lumbung', exp: Math.floor(Date.now() / 1000) + 60 }),
    ).toString('base64url')}.`;
    expect(() => verifyToken(SECRET, unsigned)).toThrow(TokenError);
    expect(() => verifyToken(SECRET, 'garbage')).toThrow('invalid token: jwt malformed');
  });

  it('refuses well-signed tokens with bad claims', () => {
    const sign = (payload: object): string => jwt.sign(payload, SECRET, { algorithm: 'HS256', issuer: 'lumbung', expiresIn: 60 });
    expect(() => verifyToken(SECRET, sign({ sub: 'u', role: 'root' }))).toThrow('invalid token claims: role: must be one of eoc, warehouse, member, site, commander, auditor, admin');
    expect(() => verifyToken(SECRET, sign({ role: 'eoc' }))).toThrow('sub: required');
    expect(() => verifyToken(SECRET, sign({ sub: 'u', role: 'eoc', warehouses: 'w1' }))).toThrow('warehouses: must be an array');
  });

  it('needs the scope of a scoped role', () => {
    expect(() => issueToken(SECRET, { sub: 'u', role: 'member' })).toThrow('cannot issue a token: member: required');
    expect(() => issueToken(SECRET, { sub: 'u', role: 'site' })).toThrow('site: required');
    expect(() => issueToken(SECRET, { sub: 'u', role: 'warehouse' })).toThrow('warehouses: a warehouse officer needs at least one warehouse');
    expect(() => issueToken(SECRET, { sub: 'u', role: 'member', member: 'm1' })).not.toThrow();
  });

  it.each([
    ['90s', 90],
    ['15m', 900],
    ['12h', 43200],
    ['7d', 604800],
    ['30', 30],
    [45, 45],
  ])('parses ttl %s', (ttl, seconds) => expect(parseTtl(ttl)).toBe(seconds));

  it.each(['0', '-1h', '1w', 'soon', '', '91d'])('refuses ttl %j', (ttl) => expect(() => parseTtl(ttl)).toThrow(/^ttl: /));
});
