export const id = 809;
export const ids = [809];
export const modules = {

/***/ 77809:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   C7: () => (/* binding */ temporaryDatabaseName),
/* harmony export */   Ex: () => (/* binding */ existenceAndVersion),
/* harmony export */   G4: () => (/* binding */ sessionsThatStay),
/* harmony export */   Qf: () => (/* binding */ backendPid),
/* harmony export */   Qj: () => (/* binding */ swapDatabases),
/* harmony export */   Su: () => (/* binding */ leftoverDatabases),
/* harmony export */   TN: () => (/* binding */ databaseShape),
/* harmony export */   Zi: () => (/* binding */ dropDatabase),
/* harmony export */   _b: () => (/* binding */ assertMayCreateDatabases),
/* harmony export */   createScratchDatabase: () => (/* binding */ createScratchDatabase),
/* harmony export */   i4: () => (/* binding */ databaseExists),
/* harmony export */   j5: () => (/* binding */ assertMayReplaceDatabase),
/* harmony export */   kJ: () => (/* binding */ connectMaintenance),
/* harmony export */   pc: () => (/* binding */ createTemporaryDatabase),
/* harmony export */   vC: () => (/* binding */ cancelDatabaseCommand),
/* harmony export */   x2: () => (/* binding */ terminateSessions),
/* harmony export */   zH: () => (/* binding */ databaseSettings)
/* harmony export */ });
/* unused harmony exports createDatabase, temporaryMark */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_timers_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(58500);
/* harmony import */ var node_timers_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_timers_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _domain_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(10241);
/* harmony import */ var _server_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(84584);
/* harmony import */ var _sql_states_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(48886);





/** Databases to connect to for CREATE/DROP DATABASE, in order of preference. */
const MAINTENANCE_DATABASES = ['postgres', 'template1'];
/**
 * Why a maintenance database turns us away where another database may not:
 * it does not exist, pg_hba.conf has no line for it, or CONNECT on it is
 * revoked (as on some managed services).
 */
const NOT_FOR_US = new Set([
    _sql_states_js__WEBPACK_IMPORTED_MODULE_4__/* .SQLSTATE */ .c.invalidCatalogName,
    _sql_states_js__WEBPACK_IMPORTED_MODULE_4__/* .SQLSTATE */ .c.invalidAuthorizationSpecification,
    _sql_states_js__WEBPACK_IMPORTED_MODULE_4__/* .SQLSTATE */ .c.insufficientPrivilege,
]);
/** A connection to the server's maintenance database (never the target itself). */
async function connectMaintenance(location) {
    let lastError;
    for (const database of MAINTENANCE_DATABASES) {
        if (database === location.database)
            continue;
        try {
            return await (0,_server_js__WEBPACK_IMPORTED_MODULE_3__/* .connect */ .Ng)(location, database);
        }
        catch (error) {
            lastError = error;
            if (!NOT_FOR_US.has((0,_sql_states_js__WEBPACK_IMPORTED_MODULE_4__/* .sqlstateOf */ .R)(error)))
                throw error;
        }
    }
    throw lastError instanceof Error
        ? lastError
        : new _domain_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`Cannot connect to a maintenance database on ${(0,_server_js__WEBPACK_IMPORTED_MODULE_3__/* .endpoint */ .sR)(location)}.`);
}
async function existsOn(client, database) {
    const result = await client.query('SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1', [
        database,
    ]);
    return result.rowCount === 1;
}
async function databaseExists(location, database = location.database) {
    try {
        const client = await connectMaintenance(location);
        try {
            return await existsOn(client, database);
        }
        finally {
            await client.end().catch(() => undefined);
        }
    }
    catch (error) {
        // No access to a maintenance database (some managed services): try the database itself.
        if (!NOT_FOR_US.has((0,_sql_states_js__WEBPACK_IMPORTED_MODULE_4__/* .sqlstateOf */ .R)(error)))
            throw error;
        return (0,_server_js__WEBPACK_IMPORTED_MODULE_3__/* .withClient */ .SV)(location, database, () => Promise.resolve(true)).catch((inner) => {
            if ((0,_sql_states_js__WEBPACK_IMPORTED_MODULE_4__/* .sqlstateOf */ .R)(inner) === _sql_states_js__WEBPACK_IMPORTED_MODULE_4__/* .SQLSTATE */ .c.invalidCatalogName)
                return false;
            throw inner;
        });
    }
}
/**
 * Whether the location's database exists, and the server's version, asked on
 * one connection to a maintenance database. Where the server gives us none,
 * existence is asked as `databaseExists` asks it, and the version is not known.
 */
async function existenceAndVersion(location) {
    let client;
    try {
        client = await connectMaintenance(location);
    }
    catch (error) {
        if (!NOT_FOR_US.has((0,_sql_states_js__WEBPACK_IMPORTED_MODULE_4__/* .sqlstateOf */ .R)(error)))
            throw error;
        return { exists: await databaseExists(location) };
    }
    try {
        return {
            exists: await existsOn(client, location.database),
            version: await (0,_server_js__WEBPACK_IMPORTED_MODULE_3__/* .serverVersion */ .qh)(client),
        };
    }
    finally {
        await client.end().catch(() => undefined);
    }
}
/**
 * Sessions other than ours connected to `database`. Autovacuum's workers are
 * not counted: DROP DATABASE and ALTER DATABASE … RENAME end them themselves.
 */
async function otherSessions(client, database) {
    const result = await client.query(`SELECT count(*) AS n FROM pg_catalog.pg_stat_activity
     WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type IS DISTINCT FROM 'autovacuum worker'`, [database]);
    return Number(result.rows[0]?.n ?? 0);
}
/** What DROP DATABASE itself gives other sessions to leave before it fails. */
const SESSIONS_LEAVING_MS = 5000;
/**
 * Other sessions connected to `database` that are still there after up to 5 s:
 * a session that has just closed stays in pg_stat_activity until its process
 * has exited, and DROP DATABASE waits as long for such sessions.
 */
async function sessionsThatStay(client, database) {
    const deadline = Date.now() + SESSIONS_LEAVING_MS;
    let sessions = await otherSessions(client, database);
    while (sessions > 0 && Date.now() < deadline) {
        await (0,node_timers_promises__WEBPACK_IMPORTED_MODULE_1__.setTimeout)(100);
        sessions = await otherSessions(client, database);
    }
    return sessions;
}
async function terminateSessions(client, database) {
    await client.query('SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
}
async function databaseShape(client, database) {
    const result = await client.query(`SELECT pg_catalog.pg_encoding_to_char(d.encoding) AS encoding, d.datcollate AS collate, d.datctype AS ctype,
            pg_catalog.pg_get_userbyid(d.datdba) AS owner
     FROM pg_catalog.pg_database d WHERE d.datname = $1`, [database]);
    return result.rows[0];
}
/** `ALTER DATABASE … SET` / `ALTER ROLE … IN DATABASE … SET` settings, as "role: name=value" lines. */
async function databaseSettings(client, database) {
    const result = await client.query(`SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(s.setrole) END AS role, unnest(s.setconfig) AS setting
     FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
     WHERE d.datname = $1 ORDER BY 1, 2`, [database]);
    return result.rows.map((row) => (row.role ? `${row.role}: ${row.setting}` : row.setting));
}
/** Whether the connected role may create databases (CREATEDB, or a superuser); undefined when that cannot be read. */
async function mayCreateDatabases(client) {
    const result = await client
        .query('SELECT rolcreatedb OR rolsuper AS may FROM pg_catalog.pg_roles WHERE rolname = current_user')
        .catch(() => undefined);
    return result?.rows[0]?.may;
}
/**
 * Whether `error` from CREATE DATABASE is the role's missing CREATEDB: the
 * same SQLSTATE (42501) also comes for other refusals (template0 that may not
 * be copied), which pass through as they are.
 */
async function lacksCreatedb(client, error) {
    if ((0,_sql_states_js__WEBPACK_IMPORTED_MODULE_4__/* .sqlstateOf */ .R)(error) !== _sql_states_js__WEBPACK_IMPORTED_MODULE_4__/* .SQLSTATE */ .c.insufficientPrivilege)
        return false;
    return (await mayCreateDatabases(client)) === false;
}
function restoreCannotCreate(target) {
    return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .CannotCreateDatabases */ .Qb(`The role in the database URL may not create databases, and this restore makes a new one first (with --create-database, --drop-database, or --jobs above 1): give the role CREATEDB, or restore in place into a database that exists, without those options. Nothing was changed in "${target}".`);
}
/**
 * A restore that makes a new database refuses before any work (the safety
 * backup among it) when the role may not: CREATE DATABASE would refuse later.
 */
async function assertMayCreateDatabases(client, target) {
    if ((await mayCreateDatabases(client)) === false)
        throw restoreCannotCreate(target);
}
/**
 * The owner of `database` when the connected role may not rename or drop it,
 * as the swap must: only the owner, a member that inherits the owner's
 * privileges, or a superuser may (pg_has_role … 'USAGE' is true for all of
 * them, and false for a NOINHERIT member, whom the server refuses too).
 * Undefined when it may, or when that cannot be read.
 */
async function ownerWeMayNotReplace(client, database) {
    const result = await client
        .query(`SELECT pg_catalog.pg_get_userbyid(datdba) AS owner, pg_catalog.pg_has_role(current_user, datdba, 'USAGE') AS may
       FROM pg_catalog.pg_database WHERE datname = $1`, [database])
        .catch(() => undefined);
    const row = result?.rows[0];
    return row && row.may === false ? row.owner : undefined;
}
/**
 * A restore that replaces `target` refuses before any work (the safety
 * backup among it) when the role may not rename it: the swap would fail
 * after the whole restore was done.
 */
async function assertMayReplaceDatabase(client, target) {
    const owner = await ownerWeMayNotReplace(client, target);
    if (owner === undefined)
        return;
    throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`The role in the database URL does not own "${target}" (its owner is "${owner}"), and --drop-database replaces it by renaming and dropping it, which only the owner, a role that inherits the owner's privileges, or a superuser may do: restore as the database's owner, or in place without --drop-database. Nothing was changed in "${target}".`);
}
/** CREATE DATABASE from template0 (what pg_dump's documentation asks for), shaped like `like` when given. */
async function createDatabase(client, database, like) {
    const shape = like
        ? ` ENCODING ${literal(like.encoding)} LC_COLLATE ${literal(like.collate)} LC_CTYPE ${literal(like.ctype)}`
        : '';
    await client.query(`CREATE DATABASE ${(0,_server_js__WEBPACK_IMPORTED_MODULE_3__/* .quoteIdent */ .v4)(database)} WITH TEMPLATE template0${shape}`);
}
async function dropDatabase(client, database, force) {
    const version = Number((await client.query("SELECT current_setting('server_version_num') AS v")).rows[0]
        ?.v ?? 0);
    if (force && version >= 130000) {
        await client.query(`DROP DATABASE IF EXISTS ${(0,_server_js__WEBPACK_IMPORTED_MODULE_3__/* .quoteIdent */ .v4)(database)} WITH (FORCE)`);
        return;
    }
    if (force)
        await terminateSessions(client, database);
    await client.query(`DROP DATABASE IF EXISTS ${(0,_server_js__WEBPACK_IMPORTED_MODULE_3__/* .quoteIdent */ .v4)(database)}`);
}
function literal(text) {
    return `'${text.replace(/'/g, "''")}'`;
}
/** A name for a temporary database beside `base`, within PostgreSQL's 63-byte limit. */
function temporaryDatabaseName(base, purpose) {
    const suffix = `_${purpose}_${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(4).toString('hex')}`;
    return `${Buffer.from(base)
        .subarray(0, 63 - suffix.length)
        .toString('utf8')
        .replace(/\uFFFD$/, '')}${suffix}`;
}
/**
 * A uniquely named empty database on the server of `server`, for a test
 * restore. `named` hears of it before CREATE DATABASE is sent, so that a
 * signal from then on can drop it. With `create: false` only the name is
 * chosen: the restore creates it, or fails before it does.
 */
async function createScratchDatabase(server, purpose, create = true, named) {
    const name = temporaryDatabaseName('db_backup', purpose);
    // Settled once CREATE DATABASE has ended, whichever way: a drop before that would find nothing.
    let created = () => undefined;
    const creation = new Promise((resolve) => {
        created = resolve;
    });
    const scratch = {
        location: { ...server, database: name },
        drop: async () => {
            await creation;
            const maintenance = await connectMaintenance(server);
            try {
                // A parallel restore fills a database of its own, marked, before renaming it to this name.
                for (const filling of await leftoverDatabases(maintenance, name))
                    await dropDatabase(maintenance, filling, true);
                if (!(await existsOn(maintenance, name)))
                    return false;
                await dropDatabase(maintenance, name, true);
                return true;
            }
            finally {
                await maintenance.end().catch(() => undefined);
            }
        },
    };
    named?.(scratch);
    try {
        if (create)
            await createOn(server, name);
    }
    finally {
        created();
    }
    return scratch;
}
async function createOn(server, name) {
    const client = await connectMaintenance(server);
    try {
        await createDatabase(client, name);
    }
    catch (error) {
        if (!(await lacksCreatedb(client, error)))
            throw error;
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .CannotCreateDatabases */ .Qb(_domain_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .SCRATCH_ROLE_CANNOT_CREATE */ .Zc);
    }
    finally {
        await client.end().catch(() => undefined);
    }
}
/**
 * The comment that marks a database this tool created beside `target` for a
 * restore: only databases with exactly this comment are ever dropped as
 * leftovers of a killed run.
 */
function temporaryMark(target) {
    return `db-backup: temporary database of a restore of "${target}"; a later restore of "${target}" drops it`;
}
/**
 * The new empty database `name` beside `target` (same encoding and locale
 * when `like` is given), marked as temporary. CREATE DATABASE cannot share a
 * transaction with the mark: if the mark fails, the database goes at once,
 * since no later restore would know it for a leftover.
 */
async function createTemporaryDatabase(client, name, target, like) {
    try {
        await createDatabase(client, name, like);
    }
    catch (error) {
        if (!(await lacksCreatedb(client, error)))
            throw error;
        throw restoreCannotCreate(target);
    }
    try {
        await client.query(`COMMENT ON DATABASE ${(0,_server_js__WEBPACK_IMPORTED_MODULE_3__/* .quoteIdent */ .v4)(name)} IS ${literal(temporaryMark(target))}`);
    }
    catch (error) {
        await dropDatabase(client, name, true).catch(() => undefined);
        throw error;
    }
}
/** Databases a killed restore of `target` left behind (marked by temporaryMark). */
async function leftoverDatabases(client, target) {
    const result = await client.query(`SELECT d.datname AS name FROM pg_catalog.pg_database d
     JOIN pg_catalog.pg_shdescription s ON s.objoid = d.oid AND s.classoid = 'pg_catalog.pg_database'::regclass
     WHERE s.description = $1 ORDER BY 1`, [temporaryMark(target)]);
    return result.rows.map((row) => row.name);
}
/**
 * Puts `fresh` in the place of `target` in one transaction: the target (when
 * it exists) becomes `replaced`, marked as temporary, and `fresh` takes the
 * target's name and comment. Either both renames happen or neither does, so a
 * killed run never leaves the target's name empty or on a half-restored
 * database.
 */
async function swapDatabases(client, target, fresh, replaced, options = {}) {
    const comment = replaced
        ? ((await client.query(`SELECT pg_catalog.shobj_description(oid, 'pg_database') AS description
           FROM pg_catalog.pg_database WHERE datname = $1`, [target])).rows[0]?.description ?? null)
        : null;
    let ownerError;
    await client.query('BEGIN');
    try {
        // Another session's open change to either database's row would make the renames wait, silently.
        if (options.lockTimeoutMs !== undefined)
            await client.query(`SET LOCAL lock_timeout = ${options.lockTimeoutMs}`);
        if (replaced) {
            await client.query(`ALTER DATABASE ${(0,_server_js__WEBPACK_IMPORTED_MODULE_3__/* .quoteIdent */ .v4)(target)} RENAME TO ${(0,_server_js__WEBPACK_IMPORTED_MODULE_3__/* .quoteIdent */ .v4)(replaced)}`);
            await client.query(`COMMENT ON DATABASE ${(0,_server_js__WEBPACK_IMPORTED_MODULE_3__/* .quoteIdent */ .v4)(replaced)} IS ${literal(temporaryMark(target))}`);
        }
        await client.query(`ALTER DATABASE ${(0,_server_js__WEBPACK_IMPORTED_MODULE_3__/* .quoteIdent */ .v4)(fresh)} RENAME TO ${(0,_server_js__WEBPACK_IMPORTED_MODULE_3__/* .quoteIdent */ .v4)(target)}`);
        await client.query(`COMMENT ON DATABASE ${(0,_server_js__WEBPACK_IMPORTED_MODULE_3__/* .quoteIdent */ .v4)(target)} IS ${comment === null ? 'NULL' : literal(comment)}`);
        if (options.owner) {
            // A role that may not take it leaves the database with the restoring role, and a warning.
            await client.query('SAVEPOINT owner');
            try {
                await client.query(`ALTER DATABASE ${(0,_server_js__WEBPACK_IMPORTED_MODULE_3__/* .quoteIdent */ .v4)(target)} OWNER TO ${(0,_server_js__WEBPACK_IMPORTED_MODULE_3__/* .quoteIdent */ .v4)(options.owner)}`);
            }
            catch (error) {
                await client.query('ROLLBACK TO SAVEPOINT owner');
                ownerError = error;
            }
        }
        options.committing?.();
        await client.query('COMMIT');
    }
    catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
    }
    return ownerError ? { ownerError } : {};
}
/** The server process of `client`'s session: what another session cancels it by. */
async function backendPid(client) {
    const result = await client.query('SELECT pg_catalog.pg_backend_pid() AS pid');
    return Number(result.rows[0]?.pid);
}
/**
 * Cancels the `command` (`ALTER DATABASE`, `CREATE DATABASE`) that `pid` is
 * running, if it still is, from a session of its own (pg_cancel_backend): a
 * cancel that arrives late must not land on whatever statement came next,
 * such as the DROP that cleans up or the mark of a new database.
 */
async function cancelDatabaseCommand(location, pid, command) {
    const client = await connectMaintenance(location);
    try {
        await client.query(`SELECT pg_catalog.pg_cancel_backend(pid) FROM pg_catalog.pg_stat_activity
       WHERE pid = $1 AND state = 'active' AND query LIKE $2`, [pid, `${command} %`]);
    }
    finally {
        await client.end().catch(() => undefined);
    }
}


/***/ })

};
