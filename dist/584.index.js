export const id = 584;
export const ids = [584];
export const modules = {

/***/ 75684:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Pg: () => (/* binding */ chooseClient),
/* harmony export */   VW: () => (/* binding */ parseClientVersion),
/* harmony export */   ll: () => (/* binding */ newestFirst),
/* harmony export */   z: () => (/* binding */ serverMajorFromVersionNum)
/* harmony export */ });
/**
 * pg_dump N refuses a server newer than N, and a newer pg_dump reads older
 * servers: the newest candidate whose major is at least the server's. (An
 * explicit pg-dump-path is used as given, before any choice.)
 */
function chooseClient(candidates, serverMajor) {
    const sorted = newestFirst(candidates);
    const fitting = sorted.find((candidate) => candidate.major >= serverMajor);
    return fitting
        ? { kind: 'chosen', candidate: fitting }
        : { kind: 'none-fits', newest: sorted[0] };
}
/** The candidates, the newest version first. */
function newestFirst(candidates) {
    return [...candidates].sort((a, b) => b.major - a.major || compareVersions(b.version, a.version));
}
function compareVersions(a, b) {
    const parts = (v) => (/^(\d+)(?:\.(\d+))?/.exec(v) ?? []).slice(1).map((n) => Number(n ?? 0));
    const [a1 = 0, a2 = 0] = parts(a);
    const [b1 = 0, b2 = 0] = parts(b);
    return a1 - b1 || a2 - b2;
}
/** "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" → { major: 15, version: "15.18 (Debian …)" }. */
function parseClientVersion(output) {
    const match = /\(PostgreSQL\)\s+((\d+)(?:\.\d+)?\S*(?:\s.*)?)$/m.exec(output.trim());
    if (!match?.[1] || !match[2])
        return undefined;
    return { major: Number(match[2]), version: match[1].trim() };
}
/** server_version_num 150004 → 15; 90624 → 9 (9.6 and its clients compare as 9). */
function serverMajorFromVersionNum(versionNum) {
    return Math.floor(versionNum / 10000);
}


/***/ }),

/***/ 87763:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   SA: () => (/* binding */ NoPasswordGiven),
/* harmony export */   SQ: () => (/* binding */ libpqEnvironment),
/* harmony export */   rH: () => (/* binding */ prefersTls),
/* harmony export */   yO: () => (/* binding */ clientConfig)
/* harmony export */ });
/* unused harmony export DEFAULT_CONNECT_TIMEOUT_S */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var pgpass__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(13272);
/* harmony import */ var pgpass__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(pgpass__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _process_child_processes_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(48415);
/* harmony import */ var _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(10241);




/** Seconds to wait for a connection, unless the URL's connect_timeout says otherwise. */
const DEFAULT_CONNECT_TIMEOUT_S = 10;
/** libpq parameters from the URL's query that child processes receive as PG* variables. */
const LIBPQ_ENV = {
    sslmode: 'PGSSLMODE',
    sslrootcert: 'PGSSLROOTCERT',
    sslcert: 'PGSSLCERT',
    sslkey: 'PGSSLKEY',
    sslcrl: 'PGSSLCRL',
    sslnegotiation: 'PGSSLNEGOTIATION',
    connect_timeout: 'PGCONNECT_TIMEOUT',
    application_name: 'PGAPPNAME',
    options: 'PGOPTIONS',
    target_session_attrs: 'PGTARGETSESSIONATTRS',
    gssencmode: 'PGGSSENCMODE',
    channel_binding: 'PGCHANNELBINDING',
    krbsrvname: 'PGKRBSRVNAME',
    service: 'PGSERVICE',
    passfile: 'PGPASSFILE',
};
function connectTimeout(location) {
    const value = Number(location.params.connect_timeout ?? DEFAULT_CONNECT_TIMEOUT_S);
    return Number.isFinite(value) && value > 0 ? value : DEFAULT_CONNECT_TIMEOUT_S;
}
/**
 * The environment for pg_dump and psql: everything libpq needs, the password
 * in PGPASSWORD (never an argument), and from ours only what the allow-list
 * of libpq clients names (paths, locale, HOME for ~/.pgpass) — no other
 * secret of the run, and nothing that could redirect the connection.
 * A URL without a password leaves libpq's own PGPASSWORD / PGPASSFILE in use.
 */
function libpqEnvironment(location, database = location.database, base = process.env) {
    const env = (0,_process_child_processes_js__WEBPACK_IMPORTED_MODULE_2__/* .inheritedEnvironment */ .aJ)('libpq-client', base);
    env.PGHOST = location.host;
    env.PGPORT = String(location.port);
    env.PGUSER = location.user;
    env.PGDATABASE = database;
    env.PGCONNECT_TIMEOUT = String(connectTimeout(location));
    if (location.password)
        env.PGPASSWORD = location.password;
    else {
        if (base.PGPASSWORD)
            env.PGPASSWORD = base.PGPASSWORD;
        if (base.PGPASSFILE)
            env.PGPASSFILE = base.PGPASSFILE;
    }
    for (const [param, value] of Object.entries(location.params)) {
        const name = LIBPQ_ENV[param];
        if (name)
            env[name] = value;
    }
    return env;
}
/** libpq's sslmode semantics for node-postgres (which would otherwise verify for `require`). */
function sslFor(location) {
    const mode = location.params.sslmode ?? 'disable-or-prefer';
    if (mode === 'disable' || mode === 'disable-or-prefer' || mode === 'allow' || mode === 'prefer')
        return false;
    const ca = location.params.sslrootcert
        ? (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(location.params.sslrootcert, 'utf8')
        : undefined;
    const tls = {};
    if (ca)
        tls.ca = ca;
    if (location.params.sslcert)
        tls.cert = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(location.params.sslcert, 'utf8');
    if (location.params.sslkey)
        tls.key = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(location.params.sslkey, 'utf8');
    if (mode === 'require')
        return { ...tls, rejectUnauthorized: false };
    if (mode === 'verify-ca')
        return { ...tls, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    if (mode === 'verify-full')
        return { ...tls, rejectUnauthorized: true };
    throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`Unknown sslmode "${mode}": use disable, allow, prefer, require, verify-ca or verify-full.`);
}
/** The server asked for a password, and neither the URL nor libpq's own sources had one. */
class NoPasswordGiven extends Error {
    name = 'NoPasswordGiven';
}
/**
 * The password, asked for only when the server wants one, from libpq's
 * sources in libpq's order: the URL, PGPASSWORD, then ~/.pgpass (or the
 * file PGPASSFILE names). None at all is said as such, not as a SASL error.
 */
async function passwordFor(location, database) {
    if (location.password)
        return location.password;
    const fromEnvironment = process.env.PGPASSWORD;
    if (fromEnvironment !== undefined && fromEnvironment !== '')
        return fromEnvironment;
    const fromFile = await new Promise((resolve) => {
        pgpass__WEBPACK_IMPORTED_MODULE_1___default()({
            // libpq matches a Unix-domain socket as localhost.
            host: location.host.startsWith('/') ? 'localhost' : location.host,
            port: location.port,
            database,
            user: location.user,
        }, resolve);
    });
    if (fromFile !== undefined)
        return fromFile;
    throw new NoPasswordGiven('no password given');
}
/** node-postgres settings for the same connection. */
function clientConfig(location, database = location.database) {
    return {
        host: location.host,
        port: location.port,
        user: location.user,
        password: () => passwordFor(location, database),
        database,
        ssl: sslFor(location),
        connectionTimeoutMillis: connectTimeout(location) * 1000,
        application_name: location.params.application_name ?? 'db-backup',
        keepAlive: true,
    };
}
/** `sslmode=prefer` (libpq's default) tries TLS first; node-postgres cannot fall back, so we retry without. */
function prefersTls(location) {
    const mode = location.params.sslmode;
    return mode === 'prefer' || mode === 'allow';
}


/***/ }),

/***/ 474:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   w: () => (/* binding */ PARTITION_ANCESTORS)
/* harmony export */ });
/**
 * `up(child, ancestor)`: every partition with each partitioned table above it,
 * to the top of its tree, for the start of a `WITH RECURSIVE` query. The root
 * of a partition is its ancestor that is not a partition itself.
 */
const PARTITION_ANCESTORS = `
    up(child, ancestor) AS (
      SELECT c.oid, i.inhparent FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_inherits i ON i.inhrelid = c.oid WHERE c.relispartition
      UNION ALL
      SELECT up.child, i.inhparent FROM up
        JOIN pg_catalog.pg_class a ON a.oid = up.ancestor
        JOIN pg_catalog.pg_inherits i ON i.inhrelid = a.oid WHERE a.relispartition
    )`;


/***/ }),

/***/ 84584:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  q7: () => (/* binding */ assertTablesReadable),
  Ng: () => (/* binding */ connect),
  zF: () => (/* binding */ countTables),
  sR: () => (/* binding */ endpoint),
  jr: () => (/* binding */ foldIntoRoots),
  PB: () => (/* binding */ partitionsCountedAtRoot),
  v4: () => (/* binding */ quoteIdent),
  qh: () => (/* binding */ serverVersion),
  $e: () => (/* binding */ tableCounts),
  SV: () => (/* binding */ withClient)
});

// UNUSED EXPORTS: describeConnectError, describeUnreadable

// EXTERNAL MODULE: ./node_modules/pg/esm/index.mjs
var esm = __webpack_require__(83849);
// EXTERNAL MODULE: ./src/domain/errors.ts
var errors = __webpack_require__(10241);
// EXTERNAL MODULE: ./src/net/network-errors.ts
var network_errors = __webpack_require__(43641);
// EXTERNAL MODULE: ./src/domain/secrets.ts
var secrets = __webpack_require__(7513);
// EXTERNAL MODULE: ./src/engines/postgres/choose-client.ts
var choose_client = __webpack_require__(75684);
// EXTERNAL MODULE: ./src/engines/postgres/connection.ts
var connection = __webpack_require__(87763);
// EXTERNAL MODULE: ./src/engines/postgres/partition-ancestors.ts
var partition_ancestors = __webpack_require__(474);
// EXTERNAL MODULE: ./src/engines/postgres/sql-states.ts
var sql_states = __webpack_require__(48886);
;// CONCATENATED MODULE: ./src/engines/postgres/sql-keywords.ts
/**
 * The keywords PostgreSQL does not take as a bare identifier (every category
 * but "unreserved", as pg_get_keywords() lists them on PostgreSQL 15, with
 * those later versions added): a name that is one must be double-quoted,
 * as quote_ident() would.
 */
const NOT_BARE = new Set([
    'all',
    'analyse',
    'analyze',
    'and',
    'any',
    'array',
    'as',
    'asc',
    'asymmetric',
    'authorization',
    'between',
    'bigint',
    'binary',
    'bit',
    'boolean',
    'both',
    'case',
    'cast',
    'char',
    'character',
    'check',
    'coalesce',
    'collate',
    'collation',
    'column',
    'concurrently',
    'constraint',
    'create',
    'cross',
    'current_catalog',
    'current_date',
    'current_role',
    'current_schema',
    'current_time',
    'current_timestamp',
    'current_user',
    'dec',
    'decimal',
    'default',
    'deferrable',
    'desc',
    'distinct',
    'do',
    'else',
    'end',
    'except',
    'exists',
    'extract',
    'false',
    'fetch',
    'float',
    'for',
    'foreign',
    'freeze',
    'from',
    'full',
    'grant',
    'greatest',
    'group',
    'grouping',
    'having',
    'ilike',
    'in',
    'initially',
    'inner',
    'inout',
    'int',
    'integer',
    'intersect',
    'interval',
    'into',
    'is',
    'isnull',
    'join',
    'lateral',
    'leading',
    'least',
    'left',
    'like',
    'limit',
    'localtime',
    'localtimestamp',
    'national',
    'natural',
    'nchar',
    'none',
    'normalize',
    'not',
    'notnull',
    'null',
    'nullif',
    'numeric',
    'offset',
    'on',
    'only',
    'or',
    'order',
    'out',
    'outer',
    'overlaps',
    'overlay',
    'placing',
    'position',
    'precision',
    'primary',
    'real',
    'references',
    'returning',
    'right',
    'row',
    'select',
    'session_user',
    'setof',
    'similar',
    'smallint',
    'some',
    'substring',
    'symmetric',
    'table',
    'tablesample',
    'then',
    'time',
    'timestamp',
    'to',
    'trailing',
    'treat',
    'trim',
    'true',
    'union',
    'unique',
    'user',
    'using',
    'values',
    'varchar',
    'variadic',
    'verbose',
    'when',
    'where',
    'window',
    'with',
    'xmlattributes',
    'xmlconcat',
    'xmlelement',
    'xmlexists',
    'xmlforest',
    'xmlnamespaces',
    'xmlparse',
    'xmlpi',
    'xmlroot',
    'xmlserialize',
    'xmltable',
    // Added by PostgreSQL 16 and 17.
    'json',
    'json_array',
    'json_arrayagg',
    'json_exists',
    'json_object',
    'json_objectagg',
    'json_query',
    'json_scalar',
    'json_serialize',
    'json_table',
    'json_value',
    'merge_action',
    'system_user',
]);
/** An identifier as a person would type it in SQL: quoted only when it must be. */
function typedName(name, quote) {
    return /^[a-z_][a-z0-9_$]*$/.test(name) && !NOT_BARE.has(name) ? name : quote(name);
}

;// CONCATENATED MODULE: ./src/engines/postgres/server.ts









/** Where the connection went, for messages: never the password. */
function endpoint(location) {
    return `${location.host}:${location.port}`;
}
/** One line that says what went wrong and what to do, without any secret. */
function describeConnectError(error, location, database) {
    const err = error;
    const where = endpoint(location);
    const message = (0,secrets/* redact */.E$)(err.message ?? String(error));
    const network = (0,network_errors/* networkCodeOf */.JI)(error);
    if (error instanceof connection/* NoPasswordGiven */.SA) {
        return new errors/* UserError */.yo(`PostgreSQL at ${where} asks for a password for user "${location.user}", and none was given: put it in the URL (postgres://${location.user}:PASSWORD@${where}/${database}, special characters percent-encoded), set PGPASSWORD, or add a line to ~/.pgpass (or to the file PGPASSFILE names).`);
    }
    // The server's error stays the cause: decisions read its SQLSTATE (sqlstateOf), not these words.
    const cause = { cause: error };
    switch (err.code) {
        case sql_states/* SQLSTATE */.c.invalidPassword:
            return new errors/* UserError */.yo(`PostgreSQL at ${where} rejected the password for user "${location.user}": check the password ${location.password ? 'in the database URL' : 'in PGPASSWORD or ~/.pgpass (PGPASSFILE)'}.`, cause);
        case sql_states/* SQLSTATE */.c.invalidAuthorizationSpecification:
            return new errors/* UserError */.yo(`PostgreSQL at ${where} refused user "${location.user}": ${message}`, cause);
        case sql_states/* SQLSTATE */.c.invalidCatalogName:
            return new errors/* UserError */.yo(`The database "${database}" does not exist on ${where}.`, cause);
        default:
            if (network !== undefined && (0,network_errors/* isUnreachableCode */.kn)(network)) {
                return new errors/* JobFailure */.y3(`Cannot reach PostgreSQL at ${where} (${network}): check the host and port, and that the server accepts connections from here.`);
            }
            // A connection that broke (ECONNRESET, EPIPE), or node-postgres's words for one.
            if (network !== undefined ||
                /terminated unexpectedly|ECONNRESET|socket hang up/i.test(message)) {
                return new errors/* JobFailure */.y3(`Cannot reach PostgreSQL at ${where}: the connection was closed before the server answered; check the host, port and firewall.`);
            }
            if (/timeout/i.test(message)) {
                return new errors/* JobFailure */.y3(`Cannot reach PostgreSQL at ${where}: no answer within the connect timeout; check the host, port and firewall.`);
            }
            if (/does not support SSL/i.test(message)) {
                return new errors/* UserError */.yo(`PostgreSQL at ${where} does not accept TLS: remove sslmode=require from the URL, or enable SSL on the server.`);
            }
            return new errors/* UserError */.yo(`Cannot connect to PostgreSQL at ${where}: ${message}`, cause);
    }
}
/** A connected client; with sslmode=prefer it falls back to plain TCP as libpq does. */
async function connect(location, database = location.database) {
    const attempt = async (config) => {
        const client = new esm/* default.Client */.Ay.Client(config);
        client.on('error', () => undefined);
        try {
            await client.connect();
            return client;
        }
        catch (error) {
            await client.end().catch(() => undefined);
            throw error;
        }
    };
    const config = (0,connection/* clientConfig */.yO)(location, database);
    try {
        if ((0,connection/* prefersTls */.rH)(location)) {
            try {
                return await attempt({ ...config, ssl: { rejectUnauthorized: false } });
            }
            catch (error) {
                if (!/does not support SSL/i.test(error.message))
                    throw error;
            }
        }
        return await attempt(config);
    }
    catch (error) {
        throw describeConnectError(error, location, database);
    }
}
async function withClient(location, database, use) {
    const client = await connect(location, database);
    try {
        return await use(client);
    }
    finally {
        await client.end().catch(() => undefined);
    }
}
async function serverVersion(client) {
    const result = await client.query("SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS text");
    const row = result.rows[0];
    const num = Number(row?.num ?? 0);
    return { num, text: row?.text ?? 'unknown', major: (0,choose_client/* serverMajorFromVersionNum */.z)(num) };
}
function quoteIdent(name) {
    return `"${name.replace(/"/g, '""')}"`;
}
/**
 * Ordinary tables that pg_dump dumps data for: not system schemas, not
 * members of an extension. Partitioned parents hold no rows of their own
 * (their partitions are counted), and `ONLY` keeps inheritance children apart,
 * as pg_dump's COPY does.
 */
async function countTables(client) {
    const tables = await client.query(DUMPED_TABLES);
    const counts = new Map();
    for (const { schema, name } of tables.rows) {
        const result = await client.query(`SELECT count(*) AS rows FROM ONLY ${quoteIdent(schema)}.${quoteIdent(name)}`);
        counts.set(`${schema}.${name}`, Number(result.rows[0]?.rows ?? 0));
    }
    return counts;
}
/** An identifier as a person would type it in a GRANT: quoted only when it must be (a keyword too). */
function sqlName(name) {
    return typedName(name, quoteIdent);
}
/** How many of each kind a message names. */
const SHOWN = 5;
/**
 * Everything pg_dump will read that the user may not: decided from the
 * catalog the way the server decides when pg_dump asks, by OID (a name in
 * SQL_ASCII need not be UTF-8), in one statement that takes no lock.
 *
 * - A table needs SELECT on the whole table, for pg_dump's LOCK TABLE … IN
 *   ACCESS SHARE MODE: has_table_privilege, like LOCK, counts no column grant.
 * - Rows are copied with row_security off, which fails where a policy would
 *   apply: RLS on, and the user neither superuser nor BYPASSRLS nor the owner
 *   (or the owner too, with FORCE ROW LEVEL SECURITY).
 * - A sequence's state is read with SELECT.
 * - A large object is opened for reading, which lo_compat_privileges allows
 *   to all; else superusers may, and its ACL decides (none: its owner only),
 *   read as the server reads it (has_largeobject_privilege exists from
 *   PostgreSQL 17 only).
 */
const READ_CHECK = `
  WITH me AS (
    SELECT r.rolsuper AS super, r.rolsuper OR r.rolbypassrls AS bypass
    FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER
  ), relations AS (
    SELECT CASE c.relkind WHEN 'S' THEN 'sequence' ELSE 'table' END AS kind,
      n.nspname AS schema, c.relname::pg_catalog.text AS name,
      NOT pg_catalog.has_schema_privilege(c.relnamespace, 'USAGE') AS closed,
      NOT CASE c.relkind WHEN 'S' THEN pg_catalog.has_sequence_privilege(c.oid, 'SELECT')
        ELSE pg_catalog.has_table_privilege(c.oid, 'SELECT') END AS denied,
      c.oid = ANY ($2::pg_catalog.oid[]) AND c.relrowsecurity AND NOT me.bypass
        AND (c.relforcerowsecurity OR NOT pg_catalog.pg_has_role(c.relowner, 'USAGE')) AS row_security,
      c.relforcerowsecurity AS forced, pg_catalog.pg_get_userbyid(c.relowner)::pg_catalog.text AS owner,
      NULL::pg_catalog.oid AS lo, NULL::pg_catalog.int8 AS total
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace, me
    WHERE c.oid = ANY ($1::pg_catalog.oid[])
  ), large_objects AS (
    SELECT l.oid FROM pg_catalog.pg_largeobject_metadata l, me
    WHERE $3 AND NOT me.super AND NOT pg_catalog.current_setting('lo_compat_privileges')::pg_catalog.bool
      AND NOT CASE WHEN l.lomacl IS NULL THEN pg_catalog.pg_has_role(l.lomowner, 'USAGE')
        ELSE EXISTS (SELECT FROM pg_catalog.aclexplode(l.lomacl) a
                     WHERE a.privilege_type = 'SELECT'
                       AND CASE a.grantee WHEN 0 THEN true ELSE pg_catalog.pg_has_role(a.grantee, 'USAGE') END) END
  )
  SELECT kind, schema, name, closed, denied, row_security AS "rowSecurity", forced, owner, total
  FROM (
    SELECT * FROM relations WHERE closed OR denied OR row_security
    UNION ALL
    (SELECT 'large object', NULL, l.oid::pg_catalog.text, false, true, false, false, NULL, l.oid,
       pg_catalog.count(*) OVER ()
     FROM large_objects l ORDER BY l.oid LIMIT ${SHOWN})
  ) found
  ORDER BY kind DESC, schema, lo, name`;
/**
 * Everything the dump reads must be readable by the user, all of it: checked
 * in the dump's own snapshot before pg_dump starts, and named with what to do
 * — pg_dump would otherwise fail on the first such thing, part way through.
 */
async function assertTablesReadable(client, user, reads) {
    const found = await client.query(READ_CHECK, [
        [...reads.tables, ...reads.sequences],
        reads.rows,
        reads.largeObjects,
    ]);
    if (found.rows.length > 0)
        throw new errors/* UserError */.yo(describeUnreadable(found.rows, user));
}
/** `a, b, c, d, e and 3 more` */
function someOf(names, total = names.length) {
    const shown = names.slice(0, SHOWN).join(', ');
    return total > SHOWN ? `${shown} and ${total - SHOWN} more` : shown;
}
/** `a`, `a and b`, `a, b and c` */
function inWords(words) {
    return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}
/** A table or sequence as a person would type it in a GRANT; a large object by its OID. */
function qualified(entry) {
    return entry.schema === null ? entry.name : `${sqlName(entry.schema)}.${sqlName(entry.name)}`;
}
function sortFindings(found) {
    const unreadable = (kind) => found.filter((entry) => entry.kind === kind && (entry.closed || entry.denied));
    const largeObjects = unreadable('large object');
    const hidden = found.filter((entry) => entry.rowSecurity);
    return {
        tables: unreadable('table'),
        sequences: unreadable('sequence'),
        largeObjects,
        largeObjectCount: Number(largeObjects[0]?.total ?? largeObjects.length),
        hidden,
        forced: hidden.filter((entry) => entry.forced),
    };
}
/** `Permission denied for table …; for sequence …; row-level security applies to table …` */
function whatIsMissing(found) {
    const denials = [
        ...(found.tables.length > 0 ? [`table ${someOf(found.tables.map(qualified))}`] : []),
        ...(found.sequences.length > 0 ? [`sequence ${someOf(found.sequences.map(qualified))}`] : []),
        ...(found.largeObjects.length > 0
            ? [`large object ${someOf(found.largeObjects.map(qualified), found.largeObjectCount)}`]
            : []),
    ];
    const forced = found.forced.length > 0 ? ` (and to the owner of ${someOf(found.forced.map(qualified))})` : '';
    return [
        ...(denials.length > 0 ? [`Permission denied for ${denials.join('; for ')}`] : []),
        ...(found.hidden.length > 0
            ? [`row-level security applies to table ${someOf(found.hidden.map(qualified))}${forced}`]
            : []),
    ].join('; ');
}
/** The statements that give the user what it lacks, in the order they are needed. */
function whatToRun(found, role) {
    const schemas = new Set([...found.tables, ...found.sequences].flatMap((entry) => entry.closed && entry.schema !== null ? [entry.schema] : []));
    // Each statement runs as printed: more than a message names become every one of the kind in
    // their schemas, and the large objects not named are said after the statement.
    const grant = (what, every, entries, total) => {
        const denied = entries.filter((entry) => entry.denied);
        const count = total ?? denied.length;
        if (denied.length === 0)
            return [];
        if (count > SHOWN && every) {
            const inSchemas = [...new Set(denied.map((entry) => sqlName(entry.schema ?? '')))];
            return [`GRANT SELECT ON ALL ${every} IN SCHEMA ${inSchemas.join(', ')} TO ${role}`];
        }
        const named = `GRANT SELECT ON ${what}${denied.slice(0, SHOWN).map(qualified).join(', ')} TO ${role}`;
        return [count > SHOWN ? `${named}, and the same for ${count - SHOWN} more` : named];
    };
    return [
        ...[...schemas].map((schema) => `GRANT USAGE ON SCHEMA ${sqlName(schema)} TO ${role}`),
        ...grant('', 'TABLES', found.tables),
        ...grant('SEQUENCE ', 'SEQUENCES', found.sequences),
        ...grant('LARGE OBJECT ', undefined, found.largeObjects, found.largeObjectCount),
        ...(found.hidden.length > 0 ? [`ALTER ROLE ${role} BYPASSRLS`] : []),
    ];
}
/**
 * One line that names what the user may not read and what to do: the GRANTs
 * (USAGE on a schema it cannot enter, SELECT on tables, sequences and large
 * objects), and BYPASSRLS where row security would keep rows from pg_dump.
 */
function describeUnreadable(found, user) {
    const role = sqlName(user);
    const sorted = sortFindings(found);
    const kinds = inWords([
        ...(sorted.tables.length > 0 || sorted.hidden.length > 0 ? ['table'] : []),
        ...(sorted.sequences.length > 0 ? ['sequence'] : []),
        ...(sorted.largeObjects.length > 0 ? ['large object'] : []),
    ]);
    const every = sorted.hidden.length > 0 ? `every row of every ${kinds}` : `every ${kinds}`;
    // Row security does not apply to a table's owner unless forced: a way out worth naming.
    const owners = [...new Set(sorted.hidden.map((entry) => entry.owner ?? ''))];
    const owner = owners.length === 1 && sorted.forced.length === 0
        ? ` (row security does not apply to ${sqlName(owners[0] ?? '')}, the owner of ${sorted.hidden.length === 1 ? 'that table' : 'those tables'})`
        : '';
    const line = `${whatIsMissing(sorted)}: the user ${role} must be able to read ${every} it backs up (${whatToRun(sorted, role).join('; ')}), or back up as a role that can read them all${owner}. Nothing was kept or pruned.`;
    return line.charAt(0).toUpperCase() + line.slice(1);
}
/**
 * Ordinary tables that pg_dump dumps data for: not system schemas, not
 * members of an extension.
 */
const DUMPED_TABLES = `
    SELECT n.nspname AS schema, c.relname AS name
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r'
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname !~ '^pg_(toast|temp_)'
      AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_depend d
        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
    ORDER BY 1, 2`;
function tableCounts(counts) {
    return [...counts].map(([name, rows]) => ({ name, rows }));
}
/**
 * Partitions whose rows pg_dump loads through the top of their tree (hash
 * partitioning on an enum somewhere above them: enum OIDs, and so the hash,
 * change with every restore), as `schema.name` of the partition → of the
 * root. Which partition a row lands in is not kept by a restore, only the
 * tree's total: counts are compared for the root.
 */
async function partitionsCountedAtRoot(client) {
    const result = await client.query(`
    WITH RECURSIVE ${partition_ancestors/* PARTITION_ANCESTORS */.w}, unsafe AS (
      SELECT p.partrelid FROM pg_catalog.pg_partitioned_table p
      WHERE (SELECT c.oid FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_am a ON c.opcmethod = a.oid
             WHERE c.opcname = 'enum_ops' AND c.opcnamespace = 'pg_catalog'::pg_catalog.regnamespace
               AND a.amname = 'hash') = ANY (p.partclass)
    )
    SELECT pg_catalog.format('%s.%s', cn.nspname, c.relname) AS child,
           pg_catalog.format('%s.%s', rn.nspname, r.relname) AS root
    FROM up
    JOIN pg_catalog.pg_class c ON c.oid = up.child AND c.relkind = 'r'
    JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
    JOIN pg_catalog.pg_class r ON r.oid = up.ancestor AND NOT r.relispartition
    JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
    WHERE EXISTS (SELECT 1 FROM up u2 WHERE u2.child = up.child AND u2.ancestor IN (SELECT partrelid FROM unsafe))`);
    return new Map(result.rows.map((row) => [row.child, row.root]));
}
/** Counts of partitions counted at their root, summed into one entry for the root. */
function foldIntoRoots(tables, atRoot) {
    const folded = new Map();
    for (const table of tables) {
        const name = atRoot.get(table.name) ?? table.name;
        folded.set(name, (folded.get(name) ?? 0) + table.rows);
    }
    return [...folded]
        .map(([name, rows]) => ({ name, rows }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}


/***/ }),

/***/ 48886:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   R: () => (/* binding */ sqlstateOf),
/* harmony export */   c: () => (/* binding */ SQLSTATE)
/* harmony export */ });
/* harmony import */ var pg__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(83849);

/**
 * The SQLSTATE codes the tool decides on, named as PostgreSQL's manual names
 * them (Appendix A). Decisions read the code the server sends, never the
 * message text, which changes with the server's version and lc_messages.
 */
const SQLSTATE = {
    /** 28000: pg_hba.conf has no entry for us, or the role does not exist. */
    invalidAuthorizationSpecification: '28000',
    /** 28P01: the password is wrong. */
    invalidPassword: '28P01',
    /** 3D000: the database does not exist. */
    invalidCatalogName: '3D000',
    /** 42501: not allowed, such as a database without CONNECT for us. */
    insufficientPrivilege: '42501',
};
/** How deep to look through `cause`: our worded errors keep the server's error there. */
const MAX_DEPTH = 5;
/** The SQLSTATE the server sent, on a node-postgres error or on an error of ours that wraps one. */
function sqlstateOf(error) {
    for (let inner = error, depth = 0; inner && depth < MAX_DEPTH; depth += 1) {
        if (inner instanceof pg__WEBPACK_IMPORTED_MODULE_0__/* ["default"].DatabaseError */ .Ay.DatabaseError)
            return inner.code;
        inner = inner.cause;
    }
    return undefined;
}


/***/ })

};
