export const ROLES = ['eoc', 'warehouse', 'member', 'site', 'commander', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

/** Who is calling, as the verified token says. */
export interface Principal {
  /** user id */
  readonly sub: string;
  readonly role: Role;
  /** the member organisation the user acts for */
  readonly member?: string;
  /** a site officer's site */
  readonly site?: string;
  /** a warehouse officer's warehouses */
  readonly warehouses: readonly string[];
}

export interface TokenClaims {
  sub: string;
  role: Role;
  member?: string;
  site?: string;
  warehouses?: string[];
}

const MAX_CLAIM_LENGTH = 200;

/**
 * Checks claims, from a token being issued or one being verified: returns the problems (empty when
 * fine). A scoped role without its scope would be a token that can do nothing, or, worse, one whose
 * scope a careless check reads as "everything".
 */
export function claimProblems(c: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const str = (name: string, required: boolean): void => {
    const v = c[name];
    if (v === undefined) {
      if (required) problems.push(`${name}: required`);
    } else if (typeof v !== 'string' || v.trim() === '' || v.length > MAX_CLAIM_LENGTH) {
      problems.push(`${name}: must be a non-empty string of at most ${MAX_CLAIM_LENGTH} characters`);
    }
  };
  str('sub', true);
  if (!isRole(c.role)) problems.push(`role: must be one of ${ROLES.join(', ')}`);
  str('member', c.role === 'member');
  str('site', c.role === 'site');
  const w = c.warehouses;
  if (w !== undefined && (!Array.isArray(w) || !w.every((x) => typeof x === 'string' && x.trim() !== '' && x.length <= MAX_CLAIM_LENGTH))) {
    problems.push('warehouses: must be an array of non-empty strings');
  } else if (c.role === 'warehouse' && (!Array.isArray(w) || w.length === 0)) {
    problems.push('warehouses: a warehouse officer needs at least one warehouse');
  }
  return problems;
}

export function toPrincipal(c: TokenClaims): Principal {
  return Object.freeze({
    sub: c.sub,
    role: c.role,
    ...(c.member !== undefined ? { member: c.member } : {}),
    ...(c.site !== undefined ? { site: c.site } : {}),
    warehouses: Object.freeze([...(c.warehouses ?? [])]),
  });
}
