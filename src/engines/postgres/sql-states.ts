import pg from 'pg';

/**
 * The SQLSTATE codes the tool decides on, named as PostgreSQL's manual names
 * them (Appendix A). Decisions read the code the server sends, never the
 * message text, which changes with the server's version and lc_messages.
 */
export const SQLSTATE = {
  /** 28000: pg_hba.conf has no entry for us, or the role does not exist. */
  invalidAuthorizationSpecification: '28000',
  /** 28P01: the password is wrong. */
  invalidPassword: '28P01',
  /** 3D000: the database does not exist. */
  invalidCatalogName: '3D000',
  /** 42501: not allowed, such as a database without CONNECT for us. */
  insufficientPrivilege: '42501',
} as const;

/** How deep to look through `cause`: our worded errors keep the server's error there. */
const MAX_DEPTH = 5;

/** The SQLSTATE the server sent, on a node-postgres error or on an error of ours that wraps one. */
export function sqlstateOf(error: unknown): string | undefined {
  for (let inner = error, depth = 0; inner && depth < MAX_DEPTH; depth += 1) {
    if (inner instanceof pg.DatabaseError) return inner.code;
    inner = (inner as { cause?: unknown }).cause;
  }
  return undefined;
}
