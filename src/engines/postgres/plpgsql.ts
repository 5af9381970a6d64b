/**
 * SQL that is true where PL/pgSQL is installed and the user may run it: DO
 * blocks work. Every database has it unless someone dropped the extension.
 */
export const PLPGSQL_USABLE =
  "EXISTS (SELECT FROM pg_catalog.pg_language WHERE lanname = 'plpgsql' AND pg_catalog.has_language_privilege(oid, 'USAGE'))";
