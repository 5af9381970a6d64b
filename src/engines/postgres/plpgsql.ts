/** pg_language's row for PL/pgSQL, and the current user may use it. */
const PLPGSQL_ROW =
  "SELECT FROM pg_catalog.pg_language l WHERE l.lanname OPERATOR(pg_catalog.=) 'plpgsql' AND pg_catalog.has_language_privilege(l.oid, 'USAGE')";

/**
 * SQL that is true where PL/pgSQL is installed and the user may run it: DO
 * blocks work. Every database has it unless someone dropped the extension.
 */
export const PLPGSQL_USABLE = `EXISTS (${PLPGSQL_ROW})`;

/**
 * As PLPGSQL_USABLE, and every role may run it too (PUBLIC has USAGE, as by
 * default): a backup's SQL may go on as another role (SET SESSION
 * AUTHORIZATION, SET ROLE).
 */
export const PLPGSQL_USABLE_BY_ALL = `EXISTS (${PLPGSQL_ROW} AND (l.lanacl IS NULL OR EXISTS (SELECT FROM pg_catalog.aclexplode(l.lanacl) a WHERE a.grantee OPERATOR(pg_catalog.=) 0::pg_catalog.oid AND a.privilege_type OPERATOR(pg_catalog.=) 'USAGE')))`;
