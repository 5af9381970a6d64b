export const id = 954;
export const ids = [954,809];
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


/***/ }),

/***/ 26954:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  PostgresEngine: () => (/* binding */ PostgresEngine)
});

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: external "node:stream/promises"
var promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: ./src/domain/errors.ts
var errors = __webpack_require__(10241);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:fs/promises"
var external_node_fs_promises_ = __webpack_require__(51455);
var external_node_fs_promises_default = /*#__PURE__*/__webpack_require__.n(external_node_fs_promises_);
// EXTERNAL MODULE: external "node:events"
var external_node_events_ = __webpack_require__(78474);
// EXTERNAL MODULE: ./src/fs/files.ts
var files = __webpack_require__(18176);
;// CONCATENATED MODULE: ./src/fs/tar.ts








/**
 * A flat directory (pg_dump -Fd's toc.dat and NNNN.dat files) as one ustar
 * stream, and back. Only what such a directory holds is written or accepted:
 * one top directory and the regular files in it, with plain names; anything
 * else in an archive (a link, a path with `..`, a nested directory, an
 * extension header) is refused, so that extracting can never write outside
 * its target. `tar -x` reads what `tarDirectory` writes.
 */
const BLOCK = 512;
/** Octal in 11 digits holds up to 8 GiB - 1; larger sizes use GNU's base-256 form, which tar reads. */
const OCTAL_SIZE_LIMIT = 8 ** 11;
/** A file name inside the top directory: letters, digits and `._-`, as pg_dump names them. */
const PLAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;
function writeString(header, offset, length, value) {
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length > length)
        throw new Error(`tar: "${value}" does not fit in ${length} bytes`);
    bytes.copy(header, offset);
}
function writeOctal(header, offset, length, value) {
    writeString(header, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}
function writeSize(header, size) {
    if (size < OCTAL_SIZE_LIMIT) {
        writeOctal(header, 124, 12, size);
        return;
    }
    header[124] = 0x80;
    let rest = BigInt(size);
    for (let i = 135; i > 124; i -= 1) {
        header[i] = Number(rest & 0xffn);
        rest >>= 8n;
    }
}
function checksum(header) {
    let sum = 0;
    for (let i = 0; i < BLOCK; i += 1)
        sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
    return sum;
}
function headerFor(name, type, size, mtime) {
    const header = Buffer.alloc(BLOCK);
    writeString(header, 0, 100, name);
    writeOctal(header, 100, 8, type === 'file' ? files/* FILE_MODE */.rE : files/* DIR_MODE */._j);
    writeOctal(header, 108, 8, 0);
    writeOctal(header, 116, 8, 0);
    writeSize(header, size);
    writeOctal(header, 136, 12, Math.floor(mtime.getTime() / 1000));
    header[156] = type === 'file' ? 0x30 : 0x35;
    writeString(header, 257, 6, 'ustar\0');
    writeString(header, 263, 2, '00');
    writeString(header, 148, 8, `${checksum(header).toString(8).padStart(6, '0')}\0 `);
    return header;
}
/**
 * `dir`'s regular files, sorted, under the top directory `top/`, then tar's
 * two zero blocks. A file that changes size while it is read fails the stream.
 */
function tarDirectory(dir, top) {
    return external_node_stream_.Readable.from((async function* () {
        const entries = await external_node_fs_promises_default().readdir(dir, { withFileTypes: true });
        yield headerFor(`${top}/`, 'directory', 0, new Date());
        for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
            if (!entry.isFile() || !PLAIN_NAME.test(entry.name)) {
                throw new Error(`tar: ${entry.name} in ${dir} is not a plain file`);
            }
            const file = external_node_path_default().join(dir, entry.name);
            const stat = await external_node_fs_promises_default().stat(file);
            yield headerFor(`${top}/${entry.name}`, 'file', stat.size, stat.mtime);
            let read = 0;
            for await (const chunk of (0,external_node_fs_.createReadStream)(file)) {
                read += chunk.length;
                yield chunk;
            }
            if (read !== stat.size)
                throw new Error(`tar: ${file} changed while it was read`);
            const padding = (BLOCK - (read % BLOCK)) % BLOCK;
            if (padding > 0)
                yield Buffer.alloc(padding);
        }
        yield Buffer.alloc(BLOCK * 2);
    })(), { objectMode: false });
}
/** Reads exact byte counts from a stream of chunks. */
class ByteReader {
    iterator;
    buffered = [];
    length = 0;
    done = false;
    constructor(iterator) {
        this.iterator = iterator;
    }
    async fill() {
        if (this.done)
            return false;
        const next = await this.iterator.next();
        if (next.done === true) {
            this.done = true;
            return false;
        }
        this.buffered.push(next.value);
        this.length += next.value.length;
        return true;
    }
    /** Exactly `n` bytes, or fewer when the stream ends first. */
    async read(n) {
        while (this.length < n && (await this.fill()))
            ;
        const all = Buffer.concat(this.buffered);
        const taken = all.subarray(0, n);
        const rest = all.subarray(taken.length);
        this.buffered = rest.length > 0 ? [rest] : [];
        this.length = rest.length;
        return taken;
    }
    /** Up to `n` bytes in the pieces they came in (none once the stream ended). */
    async *pieces(n) {
        let left = n;
        while (left > 0) {
            if (this.length === 0 && !(await this.fill()))
                return;
            const chunk = this.buffered.shift() ?? Buffer.alloc(0);
            this.length -= chunk.length;
            const piece = chunk.subarray(0, left);
            if (piece.length < chunk.length) {
                this.buffered.unshift(chunk.subarray(piece.length));
                this.length += chunk.length - piece.length;
            }
            left -= piece.length;
            yield piece;
        }
    }
}
function readString(header, offset, length) {
    const field = header.subarray(offset, offset + length);
    const end = field.indexOf(0);
    return field.subarray(0, end === -1 ? length : end).toString('utf8');
}
function readNumber(header, offset, length) {
    const field = header.subarray(offset, offset + length);
    if ((field[0] ?? 0) & 0x80) {
        let value = 0n;
        for (let i = 1; i < length; i += 1)
            value = (value << 8n) | BigInt(field[i] ?? 0);
        return Number(value);
    }
    const text = readString(header, offset, length).trim();
    if (!/^[0-7]+$/.test(text))
        return Number.NaN;
    return parseInt(text, 8);
}
/**
 * Unpacks a tar stream written by `tarDirectory` into `target` (which must
 * not exist yet) and returns the path of its top directory. The stream must
 * end with tar's two zero blocks: a truncated or damaged archive fails.
 */
async function extractTar(source, target, name) {
    const damaged = (why) => new errors/* UserError */.yo(`The backup ${name} is damaged: ${why}. Use another backup.`);
    const reader = new ByteReader(source[Symbol.asyncIterator]());
    await external_node_fs_promises_default().mkdir(target, { mode: files/* DIR_MODE */._j });
    let top;
    const seen = new Set();
    for (;;) {
        const header = await reader.read(BLOCK);
        if (header.length < BLOCK)
            throw damaged('its tar archive ends early');
        if (header.every((byte) => byte === 0)) {
            const second = await reader.read(BLOCK);
            if (second.length < BLOCK || !second.every((byte) => byte === 0))
                throw damaged('its tar archive ends early');
            // Read to the very end (a decryption checks its integrity there); tar pads with zeros only.
            for await (const piece of reader.pieces(Number.MAX_SAFE_INTEGER)) {
                if (!piece.every((byte) => byte === 0))
                    throw damaged('bytes follow the end of its tar archive');
            }
            break;
        }
        if (readNumber(header, 148, 8) !== checksum(header))
            throw damaged('a tar header fails its checksum');
        if (readString(header, 257, 6) !== 'ustar')
            throw damaged('a tar header is not ustar');
        const entry = readString(header, 0, 100);
        const type = String.fromCharCode(header[156] ?? 0);
        const size = readNumber(header, 124, 12);
        if (!Number.isSafeInteger(size) || size < 0)
            throw damaged('a tar header has no valid size');
        if (top === undefined) {
            const match = /^([A-Za-z0-9_][A-Za-z0-9_.-]*)\/$/.exec(entry);
            if (type !== '5' || !match?.[1])
                throw damaged('its tar archive does not start with a directory');
            top = match[1];
            await external_node_fs_promises_default().mkdir(external_node_path_default().join(target, top), { mode: files/* DIR_MODE */._j });
            continue;
        }
        const base = entry.startsWith(`${top}/`) ? entry.slice(top.length + 1) : '';
        if ((type !== '0' && type !== '\0') || !PLAIN_NAME.test(base) || seen.has(base)) {
            throw damaged(`its tar archive holds ${JSON.stringify(entry)}, which a pg_dump directory never does`);
        }
        seen.add(base);
        const output = (0,external_node_fs_.createWriteStream)(external_node_path_default().join(target, top, base), {
            flags: 'wx',
            mode: files/* FILE_MODE */.rE,
        });
        let written = 0;
        try {
            for await (const piece of reader.pieces(size)) {
                written += piece.length;
                if (!output.write(piece))
                    await (0,external_node_events_.once)(output, 'drain');
            }
        }
        finally {
            output.end();
            await (0,promises_.finished)(output);
        }
        if (written < size)
            throw damaged(`its tar archive ends inside ${base}`);
        const padding = (BLOCK - (size % BLOCK)) % BLOCK;
        if ((await reader.read(padding)).length < padding)
            throw damaged('its tar archive ends early');
    }
    if (top === undefined)
        throw damaged('its tar archive is empty');
    return external_node_path_default().join(target, top);
}

;// CONCATENATED MODULE: ./src/engines/postgres/archive-listing.ts
const ENTRY = /^\d+; \d+ (\d+) TABLE DATA /;
function parseArchiveListing(text) {
    let format;
    const tableData = new Map();
    for (const line of text.split('\n')) {
        const declared = /^;\s+Format: (\S+)/.exec(line);
        if (declared)
            format = declared[1];
        const entry = ENTRY.exec(line);
        if (entry?.[1])
            tableData.set(entry[1], (tableData.get(entry[1]) ?? 0) + 1);
    }
    return { format, tableData };
}
/**
 * Every table whose data the dump must hold has exactly one TABLE DATA entry;
 * an entry for a table the snapshot does not hold is a problem, one for a
 * table not expected is reported (its rows are in the archive, so they count).
 */
function checkArchiveCompleteness(expected, listing) {
    const problems = [];
    const byOid = new Map(expected.map((table) => [table.oid, table]));
    const unexpected = [];
    for (const [oid, entries] of listing.tableData) {
        const table = byOid.get(oid);
        if (!table) {
            problems.push(`the archive holds data for OID ${oid}, a table the snapshot does not hold`);
        }
        else if (!table.data) {
            unexpected.push(table);
        }
        if (table && entries > 1)
            problems.push(`the archive holds the data of ${table.label} ${entries} times`);
    }
    for (const table of expected) {
        if (table.data && !listing.tableData.has(table.oid)) {
            const rows = table.snapshotRows === undefined ? '' : ` (the snapshot holds ${table.snapshotRows} rows)`;
            problems.push(`the archive has no TABLE DATA entry for ${table.label}${rows}`);
        }
    }
    const tables = expected
        .filter((table) => table.listed || (table.ordinary && unexpected.includes(table)))
        .map((table) => ({ name: table.label, rows: table.data ? (table.snapshotRows ?? 0) : 0 }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { tables, problems, unexpected };
}

// EXTERNAL MODULE: ./src/domain/dump-format.ts
var dump_format = __webpack_require__(47082);
// EXTERNAL MODULE: ./src/process/interruptions.ts
var interruptions = __webpack_require__(36301);
// EXTERNAL MODULE: ./src/process/memory-guard.ts
var memory_guard = __webpack_require__(10954);
// EXTERNAL MODULE: ./src/process/child-processes.ts
var child_processes = __webpack_require__(48415);
// EXTERNAL MODULE: ./src/domain/secrets.ts
var secrets = __webpack_require__(7513);
;// CONCATENATED MODULE: ./src/engines/postgres/child-process.ts




const STDERR_LIMIT = 8 * 1024;
/** Keeps the last few KiB a child wrote to stderr, for the error message. */
function collectStderr(child) {
    let text = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk) => {
        text = (text + chunk).slice(-STDERR_LIMIT);
    });
    return () => (0,secrets/* redact */.E$)(text.trim());
}
function describeExit(program, code, signal, stderr) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? '?'}`;
    const detail = stderr ? `: ${stderr.split('\n').filter(Boolean).slice(-6).join(' | ')}` : '';
    return `${program} ${how}${detail}`;
}
function spawnError(program, file, error) {
    if (error.code === 'ENOENT')
        return new errors/* UserError */.yo(`Cannot run ${program}: ${file} does not exist.`);
    if (error.code === 'EACCES')
        return new errors/* UserError */.yo(`Cannot run ${program}: ${file} is not executable.`);
    return new errors/* UserError */.yo(`Cannot run ${program} (${file}): ${error.message}`);
}
/**
 * The stdout of a dump program as a stream that ends only when the program
 * exited 0. A non-zero exit or a signal makes the stream fail (with the
 * program's stderr, secrets masked), so the pipeline reading it fails too and
 * no partial dump is ever taken for a whole one. If the reader goes away
 * first, the program is stopped.
 */
function spawnOutputStream(program, file, args, env) {
    const child = (0,child_processes/* startChild */.v0)('libpq-client', file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr = collectStderr(child);
    const output = new external_node_stream_.PassThrough({ highWaterMark: 1024 * 1024 });
    child.stdout?.pipe(output, { end: false });
    child.on('error', (error) => output.destroy(spawnError(program, file, error)));
    child.on('close', (code, signal) => {
        if (code === 0 && !signal)
            output.end();
        else
            output.destroy(new errors/* JobFailure */.y3(describeExit(program, code, signal, stderr())));
    });
    output.on('close', () => {
        if (child.exitCode === null && child.signalCode === null)
            child.kill('SIGTERM');
    });
    return { stream: output, child };
}
/**
 * Runs a client program to its end and returns its stdout as text (a
 * listing: bounded by `limit`). Fails as `spawnOutputStream` does.
 */
async function runToEnd(program, file, args, env, 
/** Told the child at once (to stop it when the job is abandoned). */
onStart, limit = 256 * 1024 * 1024) {
    const { stream, child } = spawnOutputStream(program, file, args, env);
    onStart?.(child);
    const chunks = [];
    let size = 0;
    for await (const chunk of stream) {
        size += chunk.length;
        if (size > limit) {
            stream.destroy();
            throw new errors/* JobFailure */.y3(`${program} printed more than ${limit} bytes.`);
        }
        chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
}
/**
 * A client program reading its stdin (`input`), whose stdout comes back as
 * text once it exited 0 (bounded by `limit`); a non-zero exit or a signal
 * fails `output` as `spawnOutputStream` does. The program may stop reading
 * before the input ends: writes after that fail with EPIPE, which the caller
 * takes as the program having read all it wanted.
 */
function spawnWithInput(program, file, args, env, limit = 256 * 1024 * 1024) {
    const child = (0,child_processes/* startChild */.v0)('libpq-client', file, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stderr = collectStderr(child);
    const output = new Promise((resolve, reject) => {
        const chunks = [];
        let size = 0;
        child.stdout?.on('data', (chunk) => {
            size += chunk.length;
            if (size > limit) {
                child.kill('SIGTERM');
                reject(new errors/* JobFailure */.y3(`${program} printed more than ${limit} bytes.`));
            }
            else
                chunks.push(chunk);
        });
        child.on('error', (error) => reject(spawnError(program, file, error)));
        child.on('close', (code, signal) => {
            if (code === 0 && !signal)
                resolve(Buffer.concat(chunks).toString('utf8'));
            else
                reject(new errors/* JobFailure */.y3(describeExit(program, code, signal, stderr())));
        });
    });
    return { input: child.stdin, output, child };
}

// EXTERNAL MODULE: ./src/engines/postgres/connection.ts
var connection = __webpack_require__(87763);
;// CONCATENATED MODULE: ./src/engines/postgres/archive-restore.ts











/** The directory inside a directory archive's tar file: `tar -x` makes `dump/`. */
const ARCHIVE_TOP = 'dump';
class EnoughRead extends Error {
}
/** What the backup's decoded content is, from its first bytes (not its name). */
async function contentFormat(source) {
    const head = [];
    let length = 0;
    try {
        await source.decodeInto(async (chunks) => {
            for await (const chunk of chunks) {
                head.push(chunk);
                length += chunk.length;
                if (length >= dump_format/* FORMAT_SNIFF_BYTES */.$F)
                    throw new EnoughRead();
            }
        });
    }
    catch (error) {
        const enough = error instanceof EnoughRead || error.cause instanceof EnoughRead;
        if (!enough)
            throw error;
    }
    return (0,dump_format/* formatOfContent */.UD)(Buffer.concat(head));
}
/**
 * The backup decoded into `workDir`: a custom archive as one file, a
 * directory archive unpacked from its tar. The whole backup is read (and its
 * encryption and compression checked to their end) before anything uses it;
 * {@link chooseArchiveReader} then finds a pg_restore that reads it.
 */
async function unpackArchive(source, format, workDir) {
    if (format === 'directory') {
        await source.decodeInto(async (chunks) => {
            await extractTar(chunks, external_node_path_default().join(workDir, 'unpacked'), source.name);
        });
        return external_node_path_default().join(workDir, 'unpacked', ARCHIVE_TOP);
    }
    const archive = external_node_path_default().join(workDir, 'backup.dump');
    await source.decodeToFile(archive);
    return archive;
}
/**
 * The archive's format version from its header ("PGDMP", then major, minor and
 * revision bytes), as pg_restore prints it: "1.16". Undefined when the header
 * is not there (a damaged archive: pg_restore says more).
 */
async function archiveVersion(archive, format) {
    const file = format === 'directory' ? external_node_path_default().join(archive, 'toc.dat') : archive;
    const handle = await external_node_fs_promises_default().open(file, 'r').catch(() => undefined);
    if (!handle)
        return undefined;
    try {
        const { buffer, bytesRead } = await handle.read(Buffer.alloc(8), 0, 8, 0);
        if (bytesRead < 8 || buffer.subarray(0, 5).toString('latin1') !== 'PGDMP')
            return undefined;
        return `${buffer[5]}.${buffer[6]}`;
    }
    finally {
        await handle.close();
    }
}
/**
 * The first PostgreSQL major whose pg_dump writes each archive version: a
 * pg_restore of that major or newer reads it. (1.13 also came to older majors'
 * minor releases in 2018; 11 is a major that surely reads it.)
 */
const FIRST_WRITER = {
    '1.12': 9,
    '1.13': 11,
    '1.14': 12,
    '1.15': 16,
    '1.16': 17,
};
/** The PostgreSQL major whose pg_restore surely reads this archive version; undefined for one newer than we know. */
function readerMajorFor(version) {
    return FIRST_WRITER[version];
}
/**
 * The first of `readers` (the one beside pg-dump-path first, then the newest
 * first) for which `pg_restore --list` reads the archive as the format its
 * content has; one that cannot (an older pg_restore: "unsupported version in
 * file header"), fails, or prints anything else is passed over. When every
 * one here is too old, `install` may fetch a client of the major that reads
 * it. Refused (nothing changed) when no pg_restore reads it: the message says
 * which version to install, or that the archive is damaged. A signal stops
 * the pg_restore being tried, a hung one too.
 */
async function chooseArchiveReader(source, archive, format, readers, install) {
    const version = await archiveVersion(archive, format);
    if (version?.startsWith('0.')) {
        throw new errors/* UserError */.yo(`The backup ${source.name} is a ${format} archive whose header gives version ${version}, which no pg_dump writes: it is damaged. Nothing was changed; use another backup.`);
    }
    const needed = version === undefined ? undefined : readerMajorFor(version);
    const trial = new ListingTrial(archive, format);
    try {
        for (const reader of readers)
            if (await trial.reads(reader))
                return reader;
        const tooNew = tooNewForAll(version, trial.misses);
        if (install && needed !== undefined && (readers.length === 0 || tooNew)) {
            const installed = await install(needed);
            if (installed && (await trial.reads(installed)))
                return installed;
        }
        throw noReader(source, format, version, needed, trial.misses);
    }
    finally {
        trial.end();
    }
}
/**
 * Asks one pg_restore after another to `--list` the archive, and keeps why
 * each did not read it. SIGTERM or SIGINT stops the one running (a hung one
 * too), and no other is tried after.
 */
class ListingTrial {
    archive;
    format;
    misses = [];
    stopped = false;
    current;
    stopWatching = (0,interruptions/* onInterrupt */.nA)(() => {
        this.stopped = true;
        const child = this.current;
        if (child && child.exitCode === null && child.signalCode === null)
            child.kill('SIGTERM');
        return Promise.resolve(undefined);
    });
    constructor(archive, format) {
        this.archive = archive;
        this.format = format;
    }
    /** Whether `reader` lists the archive as the format its content has. */
    async reads(reader) {
        if (this.stopped)
            throw new errors/* JobFailure */.y3('Stopped before pg_restore read the archive.');
        try {
            const listing = parseArchiveListing(await runToEnd('pg_restore', reader.path, ['--list', this.archive], reader.env, (child) => {
                this.current = child;
            }));
            if (listing.format === this.format.toUpperCase())
                return true;
            this.misses.push({
                reader,
                why: 'listing',
                detail: listing.format
                    ? `its --list says ${listing.format}`
                    : 'its --list names no archive format',
            });
        }
        catch (error) {
            if (this.stopped)
                throw error;
            const detail = error.message;
            this.misses.push({
                reader,
                why: /unsupported version/i.test(detail) ? 'version' : 'failed',
                detail,
            });
        }
        return false;
    }
    end() {
        this.stopWatching();
    }
}
/** Too new for this machine: some pg_restore here said so, and none failed otherwise. */
function tooNewForAll(version, misses) {
    return (version !== undefined &&
        misses.some((miss) => miss.why === 'version') &&
        !misses.some((miss) => miss.why === 'failed'));
}
/** Why no pg_restore reads the archive, in one line: what to install, or that it is damaged. */
function noReader(source, format, version, needed, misses) {
    const client = needed === undefined ? 'a newer PostgreSQL client' : `postgresql-client-${needed} or newer`;
    if (misses.length === 0) {
        return new errors/* UserError */.yo(`Restoring the ${format} archive ${source.name} needs pg_restore, and this machine has none: install ${client}, or set pg-dump-path to such a client. Nothing was changed.`);
    }
    if (tooNewForAll(version, misses)) {
        const newest = misses
            .filter((miss) => miss.why === 'version')
            .reduce((a, b) => (b.reader.major > a.reader.major ? b : a)).reader;
        return new errors/* UserError */.yo(`The backup ${source.name} is a ${format} archive of version ${version}${needed === undefined ? '' : `, written by pg_dump ${needed} or newer`}, and the newest pg_restore here (${newest.version} at ${newest.path}) cannot read it: install ${client}, or set pg-dump-path to such a client. Nothing was changed.`);
    }
    // What a pg_restore that ran and failed said tells most; one that printed nonsense, least.
    const telling = misses.filter((miss) => miss.why !== 'listing').at(-1) ?? misses.at(-1);
    const said = telling.why === 'listing'
        ? `pg_restore ${telling.reader.version} at ${telling.reader.path}: ${telling.detail}`
        : telling.detail;
    return new errors/* UserError */.yo(`The backup ${source.name} is not a readable ${format} archive (${said}): nothing was changed. Use another backup; if a pg_dump newer than pg_restore ${telling.reader.version} made it, install that PostgreSQL version's client.`);
}
/**
 * The archive as SQL (`pg_restore --file=-`, with --clean --if-exists as a
 * plain backup has them), offered as a restore source: the plain restore's
 * one-transaction path (psql, the restore filter, the outcome check) applies
 * it unchanged. pg_restore reads a file and writes into our pipe only, so
 * nothing it does reaches the server but through that transaction.
 */
function archiveAsSql(source, archive, pgRestore, pick, checksumVerified) {
    const args = ['--file=-', '--clean', '--if-exists', ...pick, archive];
    const decodeInto = async (sink) => {
        const { stream } = spawnOutputStream('pg_restore', pgRestore.path, args, pgRestore.env);
        let bytes = 0;
        const counted = async function* (chunks) {
            for await (const chunk of chunks) {
                bytes += chunk.length;
                // pg_restore's SQL is bulk bytes through this process, as a decoded backup is: kept flat.
                (0,memory_guard/* bytesMoved */.v)(chunk.length);
                yield chunk;
            }
        };
        try {
            if (typeof sink === 'function')
                await sink(counted(stream));
            else
                await (0,promises_.pipeline)(stream, counted, sink);
        }
        catch (error) {
            stream.destroy();
            if (error instanceof errors/* JobFailure */.y3 && /^pg_restore /.test(error.message)) {
                throw new errors/* UserError */.yo(`The backup ${source.name} could not be read to its end (${error.message}): it is damaged. Nothing was changed; use another backup.`);
            }
            throw error;
        }
        return bytes;
    };
    return {
        name: source.name,
        checksumVerified,
        decodeInto,
        decodeToFile: () => Promise.reject(new Error('an archive is applied as SQL, not unpacked')),
        check: () => decodeInto(async (chunks) => {
            for await (const chunk of chunks)
                void chunk;
        }),
        probe: () => Promise.resolve(),
    };
}
/**
 * `pg_restore --jobs N --exit-on-error` into `database` (a new database
 * beside the target: with several jobs there is no one transaction, so the
 * target is replaced only afterwards, by a swap). A signal stops pg_restore.
 */
async function restoreInParallel(options) {
    const args = [
        `--dbname=dbname='${options.database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
        `--jobs=${options.jobs}`,
        '--exit-on-error',
        '--no-password',
        ...(options.owner ? [] : ['--no-owner']),
        ...(options.privileges ? [] : ['--no-privileges']),
        ...options.pick,
        options.archive,
    ];
    let child;
    const remove = (0,interruptions/* onInterrupt */.nA)(() => {
        if (child && child.exitCode === null && child.signalCode === null)
            child.kill('SIGTERM');
        return Promise.resolve(undefined);
    });
    try {
        await runToEnd('pg_restore', options.pgRestore.path, args, { ...(0,connection/* libpqEnvironment */.SQ)(options.location, options.database), ...options.pgRestore.env }, (started) => {
            child = started;
        });
    }
    finally {
        remove();
    }
}

;// CONCATENATED MODULE: ./src/engines/postgres/archive-companions.ts
/**
 * The entries that belong to a picked table, by what they depend on in the
 * archive's table of contents: pg_restore's `--table` takes a table and its
 * rows only, so a table restored so lost its primary key, indexes,
 * constraints, defaults, identity and owned sequences, triggers, comments and
 * grants, and a partitioned table its partitions (and, in place, their rows:
 * dropping the parent drops them). pg_dump's own `--table` takes them along.
 */
/** Relations whose own entries come with them: `--tables` picks views and materialized views too. */
const RELATIONS = ['TABLE', 'VIEW', 'MATERIALIZED VIEW', 'FOREIGN TABLE'];
/** For each kind, the kinds of picked entry it belongs to. */
const BELONGS_TO = {
    // A partition depends on its parent (told apart by its TABLE ATTACH entry: a table whose
    // column has another table's row type, or that inherits from it, depends on it too, and
    // is not that table's to replace); its rows on it.
    TABLE: ['TABLE'],
    'TABLE DATA': ['TABLE'],
    'TABLE ATTACH': ['TABLE'],
    'MATERIALIZED VIEW DATA': ['MATERIALIZED VIEW'],
    // An identity or owned (serial) sequence depends on its table; its value and owner on it.
    SEQUENCE: ['TABLE'],
    'SEQUENCE OWNED BY': ['SEQUENCE'],
    'SEQUENCE SET': ['SEQUENCE'],
    DEFAULT: RELATIONS,
    CONSTRAINT: RELATIONS,
    'CHECK CONSTRAINT': RELATIONS,
    'FK CONSTRAINT': ['TABLE'],
    INDEX: RELATIONS,
    // A partition's index joins its parent's; a key's index is its CONSTRAINT entry.
    'INDEX ATTACH': ['INDEX', 'CONSTRAINT'],
    TRIGGER: RELATIONS,
    RULE: RELATIONS,
    POLICY: RELATIONS,
    'ROW SECURITY': RELATIONS,
    STATISTICS: RELATIONS,
    'PUBLICATION TABLE': ['TABLE'],
    COMMENT: ['*'],
    'SECURITY LABEL': ['*'],
    ACL: ['*'],
};
/** Kinds whose name pg_dump writes as "<relation> <name>" ("orders orders_pkey"). */
const NAMED_AFTER_RELATION = new Set([
    'DEFAULT',
    'CONSTRAINT',
    'CHECK CONSTRAINT',
    'FK CONSTRAINT',
    'TRIGGER',
    'RULE',
    'POLICY',
]);
/** Kinds that are one relation's own, found by {@link companionsOf}'s ownRelation. */
const OWNED = new Set([...NAMED_AFTER_RELATION, 'INDEX', 'ROW SECURITY', 'STATISTICS']);
/**
 * What comes with the picked entries. In place (`into: 'existing'`) an entry
 * comes whatever else it needs, which the database has (or the one
 * transaction fails and nothing changes). Into a new database, which has only
 * what is restored, an entry comes only when all it needs does; schemas are
 * left to the caller, which brings those of everything kept.
 */
function companionsOf(entries, picked, into) {
    const byId = new Map(entries.map((entry) => [entry.id, entry]));
    const keep = new Set(picked);
    const kindOf = (id) => byId.get(id)?.desc;
    /** The entry `id` is the object `entry` names (a TABLE ATTACH's partition, a ROW SECURITY's table). */
    const isNamedBy = (id, entry) => byId.get(id)?.tag === entry.tag && byId.get(id)?.namespace === entry.namespace;
    // Each partition's parents, from the TABLE ATTACH entries: [partition, parent].
    const parents = new Map();
    for (const entry of entries) {
        if (entry.desc !== 'TABLE ATTACH')
            continue;
        const tables = entry.dependencies.filter((id) => kindOf(id) === 'TABLE');
        const child = tables.find((id) => isNamedBy(id, entry));
        if (child === undefined)
            continue;
        parents.set(child, [...(parents.get(child) ?? []), ...tables.filter((id) => id !== child)]);
    }
    const isRelation = (id) => RELATIONS.includes(kindOf(id) ?? '');
    const relationsOf = (ids) => ids.filter(isRelation);
    /**
     * The relation an entry is its own. A constraint's, foreign key's, trigger's, policy's,
     * rule's or default's name starts with its relation's ("orders orders_pkey"): the one such
     * relation among those it depends on, for a foreign key not counting the one it references;
     * when two are left (tables "a" and "a b", and a name "a b p1") it is unclear. An index's or
     * statistics object's is the one relation it depends on. None: the entry is no relation's
     * (a domain's constraint that uses a table's row type). Another table's foreign key, policy
     * or trigger that merely refers to a picked table is that other table's and never comes
     * along: in place its definition stays as the database has it, or PostgreSQL refuses to
     * drop the table.
     */
    const ownRelation = (entry) => {
        const relations = [...new Set(relationsOf(entry.dependencies))];
        if (entry.desc === 'ROW SECURITY')
            return relations.find((id) => isNamedBy(id, entry));
        if (!NAMED_AFTER_RELATION.has(entry.desc)) {
            if (relations.length > 1)
                return 'unclear';
            return relations[0];
        }
        let named = relations.filter((id) => {
            const relation = byId.get(id);
            return relation.namespace === entry.namespace && entry.tag.startsWith(`${relation.tag} `);
        });
        if (entry.desc === 'FK CONSTRAINT' && named.length > 1) {
            const referenced = entry.dependencies
                .filter((id) => kindOf(id) === 'CONSTRAINT' || kindOf(id) === 'INDEX')
                .flatMap((id) => relationsOf(byId.get(id)?.dependencies ?? []));
            const own = named.filter((id) => !referenced.includes(id));
            if (own.length > 0)
                named = own;
        }
        // Two left ("a b p1" on table "a b", or a policy "b p1" on table "a" that uses "a b"): unclear.
        return named.length > 1 ? 'unclear' : named[0];
    };
    /**
     * For each entry that can come along, the entries it would come with: its own relation,
     * or every relation it depends on when which is its own is unclear. Fixed by the archive,
     * so worked out once, not on every pass below.
     */
    const ownersOf = new Map();
    const unclearIds = new Set();
    for (const entry of entries) {
        if (BELONGS_TO[entry.desc] === undefined)
            continue;
        if (entry.desc === 'TABLE') {
            ownersOf.set(entry.id, parents.get(entry.id) ?? []);
        }
        else if (!OWNED.has(entry.desc)) {
            ownersOf.set(entry.id, entry.dependencies);
        }
        else {
            const own = ownRelation(entry);
            if (own === 'unclear')
                unclearIds.add(entry.id);
            ownersOf.set(entry.id, own === 'unclear' ? relationsOf(entry.dependencies) : own === undefined ? [] : [own]);
        }
    }
    const belongs = (entry) => {
        const owners = BELONGS_TO[entry.desc] ?? [];
        return (ownersOf.get(entry.id) ?? []).some((id) => keep.has(id) && (owners.includes('*') || owners.includes(kindOf(id) ?? '')));
    };
    const isUnclear = (entry) => unclearIds.has(entry.id);
    const needsOnlyKept = (entry) => entry.dependencies.every((id) => keep.has(id) || !byId.has(id) || kindOf(id) === 'SCHEMA');
    // Until nothing more comes: a partition brings its own indexes, a sequence its value.
    for (let more = true; more;) {
        more = false;
        for (const entry of entries) {
            if (keep.has(entry.id) || !belongs(entry))
                continue;
            // Into a new database only what all it needs comes too; in place, one whose relation
            // is unclear only once all the relations it depends on come.
            if (into === 'new' && !needsOnlyKept(entry))
                continue;
            if (into === 'existing' &&
                isUnclear(entry) &&
                !relationsOf(entry.dependencies).every((id) => keep.has(id))) {
                continue;
            }
            keep.add(entry.id);
            more = true;
        }
    }
    const added = entries.filter((entry) => keep.has(entry.id) && !picked.has(entry.id));
    // What a picked relation's own (or may be) stayed out: named into a new database, refused in place.
    const missing = entries.filter((entry) => !keep.has(entry.id) && belongs(entry));
    return {
        added,
        leftOut: into === 'new' ? missing : [],
        unclear: into === 'existing' ? missing.filter(isUnclear) : [],
    };
}
/** How a log line counts each kind that came along; kinds left unsaid go with another. */
const LABELS = {
    TABLE: ['partition or inheriting table', 'partitions or inheriting tables'],
    SEQUENCE: ['sequence', 'sequences'],
    DEFAULT: ['default', 'defaults'],
    CONSTRAINT: ['constraint', 'constraints'],
    'CHECK CONSTRAINT': ['constraint', 'constraints'],
    'FK CONSTRAINT': ['foreign key', 'foreign keys'],
    INDEX: ['index', 'indexes'],
    TRIGGER: ['trigger', 'triggers'],
    RULE: ['rule', 'rules'],
    POLICY: ['policy', 'policies'],
    STATISTICS: ['statistics object', 'statistics objects'],
    'PUBLICATION TABLE': ['publication membership', 'publication memberships'],
    COMMENT: ['comment', 'comments'],
    'SECURITY LABEL': ['security label', 'security labels'],
    ACL: ['set of grants', 'sets of grants'],
};
/** "2 constraints, 1 index, 1 sequence": what came along, by kind, for a log line. */
function describeCompanions(added) {
    const counts = new Map();
    for (const entry of added) {
        const label = LABELS[entry.desc];
        if (!label)
            continue;
        const [one, many] = label;
        counts.set(one, { many, count: (counts.get(one)?.count ?? 0) + 1 });
    }
    return [...counts]
        .map(([one, { many, count }]) => `${count} ${count === 1 ? one : many}`)
        .join(', ');
}
/** An entry as a log line names it: its kind and name, the name as a JSON string. */
function describeEntry(entry) {
    const label = LABELS[entry.desc]?.[0] ?? entry.desc.toLowerCase();
    return `${label} ${JSON.stringify(entry.tag)}`;
}

;// CONCATENATED MODULE: ./src/engines/postgres/archive-toc.ts


/**
 * Reading a pg_dump archive's header and table of contents, field by field,
 * as pg_restore does (src/bin/pg_dump/pg_backup_archiver.c, ReadHead and
 * ReadToc), archive versions 1.12 to 1.16. A custom archive holds them at its
 * start; a directory archive in its toc.dat. Anything unexpected throws
 * {@link UnexpectedArchive}: callers then leave the archive to pg_restore.
 */
const READ_SIZE = 1024 * 1024;
/**
 * pg_backup.h's ArchiveFormat, as the header's format byte gives it: a
 * directory archive's toc.dat says archTar (3), "the directory is compatible
 * with 'tar'" (pg_backup_directory.c, _CloseArchive).
 */
const FORMAT_BYTE = { custom: 1, directory: 3 };
/** Archive versions whose layout this reads, as major * 1000 + minor: 1.12 (PostgreSQL 9.x) to 1.16 (17 and 18). */
const OLDEST = 1012;
const NEWEST = 1016;
class UnexpectedArchive extends Error {
}
/** Reads an archive front to back through a buffer; fields that straddle its end refill it. */
class ArchiveReader {
    handle;
    buffer = Buffer.allocUnsafe(READ_SIZE);
    /** File position of buffer[0], and how many bytes from there are loaded. */
    bufferStart = 0;
    loaded = 0;
    /** File position of the next byte to read. */
    position = 0;
    intSize = 4;
    offSize = 8;
    /** major * 1000 + minor */
    version = 0;
    constructor(handle) {
        this.handle = handle;
    }
    /** Whether `count` bytes from the position are loaded already. */
    has(count) {
        return (this.position >= this.bufferStart && this.position + count <= this.bufferStart + this.loaded);
    }
    /** True once `count` bytes from the position are loaded; false when the file ends first. */
    async ensure(count) {
        if (this.has(count))
            return true;
        const { bytesRead } = await this.handle.read(this.buffer, 0, READ_SIZE, this.position);
        this.bufferStart = this.position;
        this.loaded = bytesRead;
        return count <= bytesRead;
    }
    async need(count) {
        if (!(await this.ensure(count)))
            throw new UnexpectedArchive('the archive ends early');
    }
    async byte() {
        await this.need(1);
        return this.byteLoaded();
    }
    byteLoaded() {
        const value = this.buffer[this.position - this.bufferStart] ?? 0;
        this.position += 1;
        return value;
    }
    async int() {
        await this.need(1 + this.intSize);
        return this.intLoaded();
    }
    /** pg_dump's integer, already loaded: a sign byte, then `intSize` bytes, least significant first. */
    intLoaded() {
        const negative = this.byteLoaded() !== 0;
        let value = 0;
        for (let i = 0; i < this.intSize; i += 1) {
            const byte = this.byteLoaded();
            if (i >= 4 && byte !== 0)
                throw new UnexpectedArchive('an integer too large');
            value += byte * 2 ** (8 * i);
        }
        return negative ? -value : value;
    }
    /** A string: its length (negative for none), then its bytes; only skipped here. */
    async skipString() {
        const length = await this.int();
        if (length < 0)
            return false;
        this.position += length;
        return true;
    }
    /** A string's text (UTF-8, as pg_dump writes names); undefined for none. */
    async text() {
        const length = await this.int();
        if (length < 0)
            return undefined;
        if (length === 0)
            return '';
        await this.need(length);
        const start = this.position - this.bufferStart;
        this.position += length;
        return this.buffer.toString('utf8', start, start + length);
    }
}
/** Reads the header, up to the table of contents; the format byte must be `format`'s. */
async function readHeader(reader, format) {
    const magic = [];
    for (let i = 0; i < 5; i += 1)
        magic.push(await reader.byte());
    if (Buffer.from(magic).toString('latin1') !== 'PGDMP') {
        throw new UnexpectedArchive('not an archive');
    }
    reader.version = (await reader.byte()) * 1000 + (await reader.byte());
    await reader.byte(); // revision
    if (reader.version < OLDEST || reader.version > NEWEST) {
        throw new UnexpectedArchive('an archive version this does not know');
    }
    reader.intSize = await reader.byte();
    reader.offSize = await reader.byte();
    if (reader.intSize < 1 || reader.intSize > 8 || reader.offSize < 1 || reader.offSize > 8) {
        throw new UnexpectedArchive('unusual integer sizes');
    }
    if ((await reader.byte()) !== FORMAT_BYTE[format]) {
        throw new UnexpectedArchive(`not a ${format} archive`);
    }
    // The compression: an algorithm byte since 1.15, a level before.
    if (reader.version >= 1015)
        await reader.byte();
    else
        await reader.int();
    for (let i = 0; i < 7; i += 1)
        await reader.int(); // the creation time
    await reader.skipString(); // database name
    await reader.skipString(); // server version
    await reader.skipString(); // pg_dump version
}
/**
 * Reads the entry's fields up to its format's own part (a custom archive's
 * data offset, a directory archive's file name), which is left unread.
 */
async function readEntryFields(reader) {
    const id = await reader.int();
    await reader.int(); // had a data dumper
    await reader.skipString(); // table oid
    await reader.skipString(); // oid
    const tag = (await reader.text()) ?? '';
    const desc = (await reader.text()) ?? '';
    await reader.int(); // section
    // The definition: read for a schema (a line or two), skipped for the rest.
    let createsSchema = false;
    if (desc === 'SCHEMA')
        createsSchema = /^CREATE SCHEMA\b/m.test((await reader.text()) ?? '');
    else
        await reader.skipString();
    await reader.skipString(); // drop statement
    await reader.skipString(); // copy statement
    const namespace = (await reader.text()) ?? '';
    await reader.skipString(); // tablespace
    if (reader.version >= 1014)
        await reader.skipString(); // table access method
    if (reader.version >= 1016)
        await reader.int(); // relkind
    await reader.skipString(); // owner
    if ((await reader.text()) !== 'false')
        throw new UnexpectedArchive('an entry with OIDs');
    const dependencies = [];
    for (let dependency = await reader.text(); dependency !== undefined;) {
        const value = Number(dependency);
        if (!Number.isSafeInteger(value))
            throw new UnexpectedArchive('a dependency that is no id');
        dependencies.push(value);
        dependency = await reader.text();
    }
    return { id, desc, tag, namespace, dependencies, createsSchema };
}
/**
 * Every entry of an archive's table of contents (a custom archive's file, or
 * a directory archive's directory); undefined when the archive is not laid
 * out as this expects.
 */
async function readTableOfContents(archive, format) {
    const file = format === 'directory' ? external_node_path_default().join(archive, 'toc.dat') : archive;
    const handle = await external_node_fs_promises_default().open(file, 'r');
    try {
        const reader = new ArchiveReader(handle);
        await readHeader(reader, format);
        const count = await reader.int();
        const entries = [];
        for (let i = 0; i < count; i += 1) {
            entries.push(await readEntryFields(reader));
            // The format's own part: a custom archive's offset (a flag byte and offSize
            // bytes), a directory archive's data file name.
            if (format === 'custom')
                reader.position += 1 + reader.offSize;
            else
                await reader.skipString();
        }
        return entries;
    }
    catch (error) {
        if (error instanceof UnexpectedArchive)
            return undefined;
        throw error;
    }
    finally {
        await handle.close();
    }
}

;// CONCATENATED MODULE: ./src/engines/postgres/archive-selection.ts







function isSelective(selection) {
    return selection.tables.length > 0 || selection.schemas.length > 0;
}
/** The selection as pg_restore's `--schema` and `--table`. */
function selectionArguments(selection) {
    return [
        ...selection.schemas.map((schema) => `--schema=${schema}`),
        ...selection.tables.map((table) => `--table=${table}`),
    ];
}
/**
 * Every name of `--tables` and `--schemas` is in the archive: pg_restore
 * itself checks (`--strict-names`, with a schema-only restore into nothing,
 * which reads only the table of contents). Otherwise a name it does not know,
 * such as `public.orders` (pg_restore --table takes the bare name), would
 * restore nothing and report success. Refused before anything changes.
 */
async function assertSelectionInArchive(source, archive, format, pgRestore, selection) {
    let names = selection;
    let entries;
    while (isSelective(names)) {
        const args = [
            '--strict-names',
            '--schema-only',
            '--file=/dev/null',
            ...selectionArguments(names),
            archive,
        ];
        try {
            await runToEnd('pg_restore', pgRestore.path, args, pgRestore.env);
            return;
        }
        catch (error) {
            const missing = /(table|schema) "(.*)" not found/.exec(error.message);
            if (!missing)
                throw error;
            const [, kind, name] = missing;
            // --strict-names knows a schema by what is in it: an empty one is still in the backup.
            if (kind === 'schema') {
                entries ??= (await readTableOfContents(archive, format)) ?? [];
                if (entries.some((entry) => isSchemaEntry(entry) && entry.tag === name)) {
                    names = { ...names, schemas: names.schemas.filter((schema) => schema !== name) };
                    // --tables looks only in the schemas named: in empty ones alone it finds nothing.
                    if (names.schemas.length === 0 && names.tables.length > 0) {
                        throw new errors/* UserError */.yo(`${source.name} holds no table named "${names.tables[0]}" in the schema(s) given with --schemas: they hold nothing. Nothing was changed.`);
                    }
                    continue;
                }
            }
            const qualified = kind === 'table' && name?.includes('.');
            throw new errors/* UserError */.yo(`${source.name} holds no ${kind} named "${name}"${qualified
                ? ": --tables takes a table's name without its schema (pick the schema with --schemas)"
                : ''}. Nothing was changed.`);
        }
    }
}
const isSchemaEntry = (entry) => entry.desc === 'SCHEMA' && entry.namespace === '';
/**
 * Whether restoring `picked` of the archive runs `CREATE SCHEMA public`:
 * pg_dump writes it when `--schema` named public, and a new database (made
 * from template0) has public already, so pg_restore would stop at "schema
 * "public" already exists". pg_dump's usual entry for public makes nothing
 * (its SQL is a comment saying so).
 */
async function createsPublicSchema(archive, format, picked) {
    const entries = await readTableOfContents(archive, format);
    const entry = entries?.find((candidate) => candidate.desc === 'SCHEMA' &&
        candidate.tag === 'public' &&
        candidate.namespace === '' &&
        candidate.createsSchema);
    if (!entry)
        return false;
    // pg_restore's --schema and --table never take a schema entry itself.
    if (picked.arguments.length === 0)
        return true;
    return picked.restores?.has(entry.id) ?? false;
}
/** The kinds of entry pg_restore makes after the rows: keys, indexes and what follows them. */
const POST_DATA = new Set([
    'CONSTRAINT',
    'CHECK CONSTRAINT',
    'INDEX',
    'INDEX ATTACH',
    'STATISTICS',
    'RULE',
    'TRIGGER',
    'FK CONSTRAINT',
    'POLICY',
    'ROW SECURITY',
    'PUBLICATION TABLE',
    'MATERIALIZED VIEW DATA',
]);
/** Entries that belong to a schema entry without being in it: its comment, label and grants. */
const ATTACHED = new Set(['COMMENT', 'SECURITY LABEL', 'ACL']);
const listedId = (line) => {
    const id = /^(\d+);/.exec(line)?.[1];
    return id === undefined ? undefined : Number(id);
};
/**
 * What to pick from an archive. pg_restore's `--table` takes a table and its
 * rows only; what belongs to a picked table (its keys, indexes, defaults,
 * sequences, triggers, partitions, comments and grants) comes with it, as
 * with pg_dump's own `--table` (archive-companions.ts).
 *
 * Into a new database, `--schema` and `--table` take what is in a schema but
 * never the schema itself, which a new database (made from template0) does
 * not have, so every picked object outside `public` failed with "schema …
 * does not exist". There the picked entries also come with the schema
 * entries they live in, and those schemas' comments, security labels and
 * grants.
 *
 * The result is a list for `--use-list` in the archive's order (pg_restore
 * restores a list in its order). Each entry's schema and dependencies are
 * read from the archive's table of contents field by field: `pg_restore
 * --list` prints names unquoted, so a name with a space cannot be told from
 * the next field there. An archive not laid out as expected gets the plain
 * `--schema`/`--table` arguments.
 */
async function pickEntries(archive, format, pgRestore, selection, workDir, into) {
    const plain = {
        arguments: selectionArguments(selection),
        schemas: [],
        companions: [],
        leftOut: [],
        unclear: [],
    };
    if (!isSelective(selection))
        return plain;
    const entries = await readTableOfContents(archive, format);
    if (!entries)
        return plain;
    const list = (args) => runToEnd('pg_restore', pgRestore.path, ['--list', ...args, archive], pgRestore.env);
    const picked = new Set((await list(plain.arguments))
        .split('\n')
        .map(listedId)
        .filter((id) => id !== undefined));
    const { added, leftOut, unclear } = companionsOf(entries, picked, into);
    const keep = new Set([...picked, ...added.map((entry) => entry.id)]);
    const schemas = into === 'new' ? schemasOf(entries, keep, selection.schemas) : [];
    const byId = new Map(entries.map((entry) => [entry.id, entry]));
    const joins = into === 'existing' ? joiningExistingParents(entries, byId, keep) : { first: [], attach: [] };
    if (schemas.length === 0 && added.length === 0 && joins.attach.length === 0)
        return { ...plain, leftOut, unclear };
    const ids = new Set(schemas.map((entry) => entry.id));
    for (const id of ids)
        keep.add(id);
    for (const entry of entries) {
        if (ATTACHED.has(entry.desc) &&
            entry.namespace === '' &&
            entry.dependencies.some((id) => ids.has(id))) {
            keep.add(entry.id);
        }
    }
    // pg_restore's own listing, one line an entry, of the entries to keep.
    const listed = new Map();
    for (const line of (await list([])).split('\n')) {
        const id = listedId(line);
        if (id !== undefined && keep.has(id))
            listed.set(id, line);
    }
    // Every entry to keep must be in pg_restore's own listing; otherwise leave the choice to it.
    if (listed.size !== keep.size)
        return plain;
    // pg_restore restores a list in its order (see joiningExistingParents): the indexes and keys
    // that join the database's parents come before the other post-data entries; the attach
    // entries after those indexes, and before the foreign keys (which may need the partition's
    // rows in its parent).
    const moved = new Set([...joins.first, ...joins.attach]);
    const kindOf = (id) => byId.get(id)?.desc ?? '';
    const rest = [...listed.keys()].filter((id) => !moved.has(id));
    const firstPostData = rest.findIndex((id) => POST_DATA.has(kindOf(id)));
    const preData = firstPostData === -1 ? rest.length : firstPostData;
    const beforeForeignKeys = rest.slice(preData).findIndex((id) => kindOf(id) === 'FK CONSTRAINT');
    const at = beforeForeignKeys === -1 ? rest.length : preData + beforeForeignKeys;
    const order = [
        ...rest.slice(0, preData),
        ...joins.first,
        ...rest.slice(preData, at),
        ...joins.attach,
        ...rest.slice(at),
    ];
    const lines = order.flatMap((id) => listed.get(id) ?? []);
    const file = external_node_path_default().join(workDir, 'picked.list');
    await external_node_fs_promises_default().writeFile(file, `${lines.join('\n')}\n`, { mode: files/* FILE_MODE */.rE, flag: 'wx' });
    return {
        arguments: [`--use-list=${file}`],
        // template0 has public already: pg_dump's entry for it creates nothing.
        schemas: schemas.map((entry) => entry.tag).filter((name) => name !== 'public'),
        companions: added,
        leftOut,
        unclear,
        restores: new Set(listed.keys()),
    };
}
/**
 * In place, a partition picked without its parent joins the parent the
 * database has: pg_dump's order (the partition's TABLE ATTACH right after its
 * CREATE TABLE) would have PostgreSQL make the partition's indexes and keys
 * for the parent's at once, and the backup's own then fail with "relation
 * … already exists". Attached once its rows, keys and indexes are in, the
 * partition's indexes are the ones PostgreSQL takes for the parent's (the
 * oldest that matches: those go first), and the INDEX ATTACH entries that
 * follow find them attached already.
 *
 * @returns `attach`: the TABLE ATTACH entries whose parent is not restored,
 * then the INDEX ATTACH entries whose parent index is not; `first`: the
 * indexes and keys those INDEX ATTACH entries attach. Where an index's own
 * entry cannot be told, its INDEX ATTACH stays where it is: PostgreSQL then
 * refuses it, and the restore rolls back.
 */
function joiningExistingParents(entries, byId, keep) {
    const kept = entries.filter((entry) => keep.has(entry.id));
    const notRestored = (id, kinds) => !keep.has(id) && kinds.includes(byId.get(id)?.desc ?? '');
    // A TABLE ATTACH's dependencies are the partition and its parent.
    const tables = kept.filter((entry) => entry.desc === 'TABLE ATTACH' && entry.dependencies.some((id) => notRestored(id, ['TABLE'])));
    if (tables.length === 0)
        return { first: [], attach: [] };
    // An INDEX ATTACH depends on its index's ancestors too: its parent is what its index depends on.
    const ownIndex = (attach) => attach.dependencies.find((id) => {
        const entry = byId.get(id);
        return (entry?.namespace === attach.namespace &&
            ((entry.desc === 'INDEX' && entry.tag === attach.tag) ||
                (entry.desc === 'CONSTRAINT' && entry.tag.endsWith(` ${attach.tag}`))));
    });
    const joining = kept.flatMap((entry) => {
        if (entry.desc !== 'INDEX ATTACH')
            return [];
        const own = ownIndex(entry);
        const parents = own === undefined ? [] : byId.get(own).dependencies;
        return parents.some((id) => notRestored(id, ['INDEX', 'CONSTRAINT']))
            ? [{ attach: entry.id, own: own }]
            : [];
    });
    return {
        first: joining.map(({ own }) => own),
        attach: [...tables.map((entry) => entry.id), ...joining.map(({ attach }) => attach)],
    };
}
/** The schema entries that hold any of the picked entries, and those of the named schemas (empty ones too). */
function schemasOf(entries, picked, named) {
    const namespaces = new Set([
        ...named,
        ...entries
            .filter((entry) => picked.has(entry.id) && entry.namespace !== '')
            .map((entry) => entry.namespace),
    ]);
    return entries.filter((entry) => isSchemaEntry(entry) && namespaces.has(entry.tag));
}

;// CONCATENATED MODULE: ./src/engines/postgres/archive-offsets.ts


/**
 * pg_dump -Fc writing to a pipe cannot go back and note in its table of
 * contents where each table's data starts, so every pg_restore --jobs worker
 * looks for its tables by reading the archive from the start: on a 1 GB
 * database, stock `pg_restore -j2` of such an archive took 13.8 s and 13 s of
 * CPU, against 8.9 s and 1.4 s for one pg_dump wrote to a file.
 *
 * This writes those offsets into a decoded copy of the archive, in the places
 * pg_dump leaves for them (a flag byte and `offSize` bytes per entry, so
 * nothing moves): what pg_dump itself does when its output can seek. The
 * data blocks are found by reading the archive once, as pg_restore would.
 *
 * It changes nothing unless the whole archive read as expected: any surprise
 * (a layout it does not know, a block no entry owns) leaves the file as it
 * was, and pg_restore finds the data by reading, as before. pg_restore checks
 * the block it finds at each offset against the entry's id, so a wrong offset
 * would fail the restore, never restore the wrong data.
 *
 * The table of contents is read as archive-toc.ts reads it; the data blocks
 * as pg_backup_custom.c's _ReadExtraToc and _readBlockHeader lay them out.
 */
const OFFSET_NOT_SET = 1;
const OFFSET_SET = 2;
const NO_DATA = 3;
const BLOCK_DATA = 1;
const BLOCK_LARGE_OBJECTS = 3;
/** Each entry whose data has no offset: its id, and where its offset field is. */
async function entriesWithoutOffsets(reader) {
    const count = await reader.int();
    const unset = new Map();
    for (let i = 0; i < count; i += 1) {
        const { id } = await readEntryFields(reader);
        const field = reader.position;
        const state = await reader.byte();
        reader.position += reader.offSize;
        if (state === OFFSET_NOT_SET)
            unset.set(id, field);
        else if (state !== OFFSET_SET && state !== NO_DATA) {
            throw new UnexpectedArchive('an unknown offset state');
        }
    }
    return unset;
}
/** Skips one block's data: chunks, each its length then its bytes, ended by a length of 0. */
async function skipData(reader) {
    const width = 1 + reader.intSize;
    for (;;) {
        // A chunk per row is usual: read what is loaded without a trip through the event loop.
        if (!reader.has(width))
            await reader.need(width);
        const length = reader.intLoaded();
        if (length === 0)
            return;
        if (length < 0)
            throw new UnexpectedArchive('a negative chunk length');
        reader.position += length;
    }
}
/** Where each data block starts, by the id of the entry it belongs to. */
async function findBlocks(reader) {
    const blocks = new Map();
    while (await reader.ensure(1)) {
        const start = reader.position;
        const type = await reader.byte();
        const id = await reader.int();
        if (blocks.has(id))
            throw new UnexpectedArchive('a block twice');
        blocks.set(id, start);
        if (type === BLOCK_DATA)
            await skipData(reader);
        else if (type === BLOCK_LARGE_OBJECTS) {
            while ((await reader.int()) !== 0)
                await skipData(reader);
        }
        else
            throw new UnexpectedArchive('an unknown block type');
    }
    return blocks;
}
/** The offset field as pg_dump writes it: the "set" flag, then offSize bytes, least significant first. */
function offsetField(offset, offSize) {
    const field = Buffer.alloc(1 + offSize);
    field[0] = OFFSET_SET;
    let rest = offset;
    for (let i = 1; i <= offSize; i += 1) {
        field[i] = rest % 256;
        rest = Math.floor(rest / 256);
    }
    if (rest !== 0)
        throw new UnexpectedArchive('an offset too large for the field');
    return field;
}
/**
 * Notes in a custom archive's table of contents where each entry's data
 * starts. Returns how many entries it gave an offset; 0 when it left the file
 * as it was.
 */
async function writeDataOffsets(archive) {
    const handle = await external_node_fs_promises_default().open(archive, 'r+');
    try {
        const reader = new ArchiveReader(handle);
        let fields;
        let places;
        try {
            await readHeader(reader, 'custom');
            const unset = await entriesWithoutOffsets(reader);
            if (unset.size === 0)
                return 0;
            const blocks = await findBlocks(reader);
            for (const id of blocks.keys()) {
                if (!unset.has(id))
                    throw new UnexpectedArchive('a block no entry waits for');
            }
            places = [];
            fields = [];
            for (const [id, field] of unset) {
                const start = blocks.get(id);
                if (start === undefined)
                    continue;
                places.push(field);
                fields.push(offsetField(start, reader.offSize));
            }
        }
        catch (error) {
            if (error instanceof UnexpectedArchive)
                return 0;
            throw error;
        }
        for (const [i, field] of fields.entries()) {
            await handle.write(field, 0, field.length, places[i]);
        }
        return fields.length;
    }
    finally {
        await handle.close();
    }
}

// EXTERNAL MODULE: ./src/engines/postgres/choose-client.ts
var choose_client = __webpack_require__(75684);
;// CONCATENATED MODULE: ./src/engines/postgres/client-tools.ts





/** Where PostgreSQL client programs live besides PATH (Debian/Ubuntu, Homebrew). */
const VERSIONED_DIRS = ['/usr/lib/postgresql', '/opt/homebrew/opt', '/usr/local/opt'];
async function probeClient(file, env = {}) {
    try {
        // Nothing of ours but paths and locale: `--version` needs no connection, let alone a secret.
        const { stdout } = await (0,child_processes/* runChild */.w$)('version-probe', file, ['--version'], {
            timeoutMs: 10_000,
            env: { ...(0,child_processes/* inheritedEnvironment */.aJ)('version-probe'), ...env },
        });
        const parsed = (0,choose_client/* parseClientVersion */.VW)(stdout);
        return parsed ? { path: file, ...parsed, env } : undefined;
    }
    catch {
        return undefined;
    }
}
async function isExecutable(file) {
    return external_node_fs_promises_default().access(file, (external_node_fs_promises_default()).constants.X_OK).then(() => true, () => false);
}
/** `program` in the directory of `file` (a client program given by its path), when one runs there. */
async function clientBeside(file, program) {
    const beside = external_node_path_default().join(external_node_path_default().dirname(file), program);
    return (await isExecutable(beside)) ? probeClient(beside) : undefined;
}
/**
 * Debian's and Ubuntu's /usr/bin/pg_dump, psql … are one Perl script,
 * postgresql-common's pg_wrapper, which runs one of the programs under
 * /usr/lib/postgresql/<N>/bin: those are probed themselves, without a Perl
 * start (about 0.1 s of CPU) for each name the wrapper goes by.
 */
function isDebianWrapper(realPath) {
    return external_node_path_default().basename(realPath) === 'pg_wrapper';
}
/**
 * Every distinct `program` on PATH and in the usual versioned directories,
 * in that order; one file reached by two paths (/bin → /usr/bin) once. Debian's
 * wrapper is asked only when no program of its own answers.
 */
async function findClientCandidates(program, extraDirs = [], versionedDirs = VERSIONED_DIRS) {
    const dirs = [...extraDirs, ...(process.env.PATH ?? '').split((external_node_path_default()).delimiter).filter(Boolean)];
    for (const root of versionedDirs) {
        const entries = await external_node_fs_promises_default().readdir(root).catch(() => []);
        for (const entry of entries) {
            if (/^\d+$/.test(entry))
                dirs.push(external_node_path_default().join(root, entry, 'bin'));
            else if (/^(libpq|postgresql@\d+)$/.test(entry))
                dirs.push(external_node_path_default().join(root, entry, 'bin'));
        }
    }
    const seen = new Set();
    const programs = [];
    const wrappers = [];
    for (const dir of dirs) {
        const file = external_node_path_default().join(dir, program);
        if (seen.has(file) || !(await isExecutable(file)))
            continue;
        const real = await external_node_fs_promises_default().realpath(file).catch(() => file);
        if (seen.has(real))
            continue;
        seen.add(file).add(real);
        (isDebianWrapper(real) ? wrappers : programs).push(file);
    }
    const probed = async (files) => (await Promise.all(files.map((file) => probeClient(file)))).filter((tool) => tool !== undefined);
    const found = await probed(programs);
    return found.length > 0 ? found : probed(wrappers);
}
/** `program` of the client the installer fetches for `major` (GitHub-hosted runners), if it can. */
async function installedClient(installer, program, major) {
    const installed = await installer?.(major);
    return installed ? probeClient(external_node_path_default().join(installed.binDir, program), installed.env) : undefined;
}
/**
 * The client program to use for a server of `serverMajor`: an explicit path,
 * else the newest fitting candidate, else one the installer provides, else a
 * clear error naming what to install.
 */
async function resolveClient(program, serverMajor, options) {
    if (options.explicitPath) {
        const explicit = await probeClient(options.explicitPath);
        if (!explicit) {
            throw new errors/* UserError */.yo(`${options.explicitPath} is not a runnable ${program} (it did not answer --version).`);
        }
        return explicit;
    }
    const candidates = await findClientCandidates(program, options.preferDir ? [options.preferDir] : []);
    const choice = (0,choose_client/* chooseClient */.Pg)(candidates, serverMajor);
    if (choice.kind === 'chosen')
        return choice.candidate;
    // psql of an older major still runs a plain SQL dump; only pg_dump must fit.
    if (options.requireFit === false && choice.newest)
        return choice.newest;
    const installed = await installedClient(options.installer, program, serverMajor);
    if (installed && installed.major >= serverMajor)
        return installed;
    const found = choice.newest
        ? `${program} ${choice.newest.version} at ${choice.newest.path}`
        : `no ${program}`;
    const flag = program === 'psql' ? '' : ' or set pg-dump-path';
    throw new errors/* UserError */.yo(`${program} must be version ${serverMajor} or newer for this PostgreSQL ${serverMajor} server, and this machine has ${found}: install postgresql-client-${serverMajor}${flag}.`);
}

// EXTERNAL MODULE: ./src/engines/postgres/sql-states.ts
var sql_states = __webpack_require__(48886);
// EXTERNAL MODULE: ./src/engines/postgres/databases.ts
var databases = __webpack_require__(77809);
// EXTERNAL MODULE: ./src/engines/postgres/options.ts
var options = __webpack_require__(2161);
;// CONCATENATED MODULE: ./src/engines/postgres/name-patterns.ts
/**
 * pg_dump's name patterns (--schema, --table, ...) turned into the regular
 * expressions pg_dump itself sends to the server, so that this tool selects
 * exactly the tables pg_dump selects. The rules are those of libpq's
 * `patternToSQLRegex` (PostgreSQL 14 and later): unquoted letters fold to
 * lower case, `*` and `?` are wildcards, `"…"` quotes (with `""` for a quote),
 * an unquoted `.` separates the parts, `$` is always literal, other regular
 * expression characters pass through outside quotes (except `[]`), and every
 * part is anchored as `^(…)$`.
 */
/** The regular expression `^(.*)$`, which pg_dump leaves out of its query. */
const MATCH_ANYTHING = '^(.*)$';
const REGEX_SPECIALS = '|*+?()[]{}.^$\\';
/**
 * One pattern into up to `parts` regular expressions (1: a schema pattern,
 * which never splits; 3: a table pattern, database.schema.table). Extra dots
 * beyond the parts are kept as they are (an unescaped `.`, any character),
 * as libpq does.
 */
function patternToRegexes(pattern, parts) {
    const buffers = ['^('];
    let literalDatabase = '';
    let left = true;
    let inQuotes = false;
    let dots = 0;
    const chars = [...pattern];
    const append = (regex, literal) => {
        buffers[buffers.length - 1] += regex;
        if (left)
            literalDatabase += literal;
    };
    for (let i = 0; i < chars.length; i += 1) {
        const ch = chars[i];
        if (ch === '"') {
            if (inQuotes && chars[i + 1] === '"') {
                append('"', '"');
                i += 1;
            }
            else {
                inQuotes = !inQuotes;
            }
        }
        else if (!inQuotes && ch >= 'A' && ch <= 'Z') {
            // isupper() on single bytes: ASCII letters only, in C and UTF-8 locales.
            append(ch.toLowerCase(), ch.toLowerCase());
        }
        else if (!inQuotes && ch === '*') {
            append('.*', '*');
        }
        else if (!inQuotes && ch === '?') {
            append('.', '?');
        }
        else if (!inQuotes && ch === '.') {
            left = false;
            dots += 1;
            if (buffers.length < parts) {
                buffers[buffers.length - 1] += ')$';
                buffers.push('^(');
            }
            else {
                buffers[buffers.length - 1] += '.';
            }
        }
        else if (ch === '$') {
            append('\\$', '$');
        }
        else {
            let regex = ch;
            if (inQuotes && REGEX_SPECIALS.includes(ch))
                regex = `\\${ch}`;
            else if (ch === '[' && chars[i + 1] === ']')
                regex = `\\${ch}`;
            append(regex, ch);
        }
    }
    buffers[buffers.length - 1] += ')$';
    const name = buffers.pop();
    const schema = buffers.pop();
    const hasDatabase = buffers.length > 0;
    return {
        ...(hasDatabase ? { database: literalDatabase } : {}),
        ...(schema !== undefined ? { schema } : {}),
        name,
        dots,
    };
}
/** A --schema / --exclude-schema pattern: one name, never split (pg_dump refuses a dotted one). */
function schemaPatternRegexes(pattern) {
    return patternToRegexes(pattern, 1);
}
/** A --table / --exclude-table / --exclude-table-data pattern: [[database.]schema.]table. */
function tablePatternRegexes(pattern) {
    return patternToRegexes(pattern, 3);
}

// EXTERNAL MODULE: ./src/engines/postgres/partition-ancestors.ts
var partition_ancestors = __webpack_require__(474);
;// CONCATENATED MODULE: ./src/engines/postgres/dump-catalog.ts





/**
 * Catalog reads for a dump, made in the dump's own snapshot (the exported
 * transaction pg_dump joins), so they describe exactly what pg_dump sees.
 */
/** Initdb's objects have OIDs below FirstNormalObjectId (16384): pg_dump's g_last_builtin_oid. */
const LAST_BUILTIN_OID = 16383;
/**
 * The dump's own session waits as long as pg_dump runs, idle in its
 * transaction after the count: it must not be ended by the timeouts a role or
 * database may set (statement_timeout, idle_in_transaction_session_timeout,
 * transaction_timeout from PostgreSQL 17), which pg_dump turns off for its
 * session as well. Lock waits end as pg_dump's do.
 */
async function disableSessionTimeouts(client) {
    // First and alone: the statements after it may take longer than a short statement_timeout.
    await client.query('SET statement_timeout = 0');
    await client.query(`SELECT pg_catalog.set_config(name, '0', false) FROM pg_catalog.pg_settings
     WHERE name IN ('idle_in_transaction_session_timeout', 'transaction_timeout')`);
    await client.query(`SET lock_timeout = ${options/* LOCK_WAIT_TIMEOUT_MS */.P0}`);
}
/**
 * A SQL_ASCII database holds names as raw bytes, not always valid UTF-8,
 * which the server refuses to send to a UTF-8 client: read them unconverted,
 * as pg_dump does (its client encoding is the database's). Such a name then
 * shows in messages and the manifest with U+FFFD for the bytes that are not
 * UTF-8; it is compared with the dump byte for byte all the same.
 */
async function readNamesUnconvertedFromSqlAscii(client) {
    const result = await client.query("SELECT pg_catalog.current_setting('server_encoding') AS encoding");
    if (result.rows[0]?.encoding === 'SQL_ASCII')
        await client.query("SET client_encoding = 'SQL_ASCII'");
}
/**
 * Ordinary, partitioned and foreign tables and sequences (with the table that
 * owns each, as pg_dump's getTables reads it), their schemas, and the
 * extensions that own any of them.
 */
async function readDumpCatalog(client) {
    const namespaces = await client.query(`
    SELECT n.oid::pg_catalog.text AS oid, n.nspname AS name,
      EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
              WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND d.objid = n.oid
                AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e') AS member
    FROM pg_catalog.pg_namespace n`);
    const tables = await client.query(`
    WITH RECURSIVE ${partition_ancestors/* PARTITION_ANCESTORS */.w}, roots AS (
      SELECT up.child, up.ancestor FROM up JOIN pg_catalog.pg_class a ON a.oid = up.ancestor
      WHERE NOT a.relispartition
    )
    SELECT c.oid::pg_catalog.text AS oid, c.relnamespace::pg_catalog.text AS nsoid,
      n.nspname AS schema, c.relname AS name, c.relkind::pg_catalog.text AS relkind,
      (SELECT d.refobjid::pg_catalog.text FROM pg_catalog.pg_depend d
        WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
          AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
        LIMIT 1) AS extension,
      (SELECT r.ancestor::pg_catalog.text FROM roots r WHERE r.child = c.oid LIMIT 1) AS root,
      o.refobjid::pg_catalog.text AS owner, o.deptype OPERATOR(pg_catalog.=) 'i' AS identity
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_catalog.pg_depend o ON c.relkind OPERATOR(pg_catalog.=) 'S'
        AND o.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND o.objid = c.oid AND o.objsubid = 0
        AND o.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND o.deptype IN ('a', 'i')
    WHERE c.relkind IN ('r', 'p', 'f', 'S')
    ORDER BY n.nspname, c.relname`);
    const extensions = await client.query(`
    SELECT e.oid::pg_catalog.text AS oid, e.extconfig::pg_catalog.text[] AS config,
      e.extcondition AS conditions
    FROM pg_catalog.pg_extension e`);
    return {
        namespaces: namespaces.rows.map((row) => ({
            oid: row.oid,
            name: row.name,
            extensionMember: row.member,
        })),
        tables: tables.rows.map((row) => ({
            oid: row.oid,
            namespaceOid: row.nsoid,
            schema: row.schema,
            name: row.name,
            relkind: row.relkind,
            extensionOid: row.extension ?? undefined,
            partitionRootOid: row.root ?? undefined,
            ownerTableOid: row.owner ?? undefined,
            identity: row.identity ?? undefined,
        })),
        extensions: extensions.rows.map((row) => ({
            oid: row.oid,
            builtin: Number(row.oid) <= LAST_BUILTIN_OID,
            config: (row.config ?? []).map((tableOid, index) => ({
                tableOid,
                condition: row.conditions?.[index] ?? '',
            })),
        })),
    };
}
/** `name OPERATOR(~) $n COLLATE default`, as pg_dump writes it (no COLLATE before PostgreSQL 12). */
function regexCondition(column, parameter, serverVersionNum) {
    const collate = serverVersionNum >= 120000 ? ' COLLATE pg_catalog.default' : '';
    return `${column} OPERATOR(pg_catalog.~) $${parameter}::pg_catalog.text${collate}`;
}
async function schemaMatches(client, patterns, serverVersionNum) {
    const oids = new Set();
    for (const pattern of patterns) {
        const { name } = schemaPatternRegexes(pattern);
        const where = name === MATCH_ANYTHING ? '' : `WHERE ${regexCondition('n.nspname', 1, serverVersionNum)}`;
        const result = await client.query(`SELECT n.oid::pg_catalog.text AS oid FROM pg_catalog.pg_namespace n ${where}`, name === MATCH_ANYTHING ? [] : [name]);
        for (const row of result.rows)
            oids.add(row.oid);
    }
    return oids;
}
/**
 * pg_dump's expand_table_name_patterns: tables, sequences, views,
 * materialized views, foreign and partitioned tables whose names match; a
 * pattern without a schema matches only tables visible on the search path.
 */
async function tableMatches(client, patterns, serverVersionNum) {
    const oids = new Set();
    for (const pattern of patterns) {
        const regexes = tablePatternRegexes(pattern);
        const conditions = [];
        const parameters = [];
        if (regexes.name !== MATCH_ANYTHING) {
            parameters.push(regexes.name);
            conditions.push(regexCondition('c.relname', parameters.length, serverVersionNum));
        }
        if (regexes.schema === undefined) {
            conditions.push('pg_catalog.pg_table_is_visible(c.oid)');
        }
        else if (regexes.schema !== MATCH_ANYTHING) {
            parameters.push(regexes.schema);
            conditions.push(regexCondition('n.nspname', parameters.length, serverVersionNum));
        }
        // pg_dump matches with the session's own search_path, not the empty one it dumps with.
        await client.query('RESET search_path');
        const result = await client.query(`SELECT c.oid::pg_catalog.text AS oid
       FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'S', 'v', 'm', 'f', 'p']::pg_catalog."char"[])
       ${conditions.map((condition) => `AND ${condition}`).join('\n')}`, parameters);
        for (const row of result.rows)
            oids.add(row.oid);
    }
    return oids;
}
/** What the user's --schema, --table, ... patterns match in the snapshot. */
async function readFilterMatches(client, options, serverVersionNum) {
    return {
        schemaInclude: options.schemas.length > 0
            ? await schemaMatches(client, options.schemas, serverVersionNum)
            : undefined,
        schemaExclude: await schemaMatches(client, options.excludeSchemas, serverVersionNum),
        tableInclude: options.tables.length > 0
            ? await tableMatches(client, options.tables, serverVersionNum)
            : undefined,
        tableExclude: await tableMatches(client, options.excludeTables, serverVersionNum),
        tableDataExclude: await tableMatches(client, options.excludeTableData, serverVersionNum),
    };
}
/** Tables counted per statement; each batch's locks are let go before the next one is taken. */
const COUNT_BATCH = 100;
/**
 * Rows of every table whose data is dumped, counted in the snapshot (for an
 * extension's configuration table, with the extension's own filter, as pg_dump
 * applies it). Keyed by table OID.
 *
 * Counted as pg_dump reads: with row security off, so a role that a policy
 * hides rows from fails here as pg_dump does, instead of counting only what
 * it may see. Each batch runs in a savepoint that is rolled back, which lets
 * go of its table locks: pg_dump holds a lock on every table already, and
 * holding a second set would need twice the server's lock table (out of
 * shared memory with many tables) and would queue pg_dump behind any DDL
 * waiting for ours. Tables are named by OID on the server (format %I), so a
 * name in any encoding, SQL_ASCII's raw bytes included, is counted exactly.
 */
async function countSelectedRows(client, selected) {
    const counts = new Map();
    const tables = selected.filter((entry) => entry.data);
    for (let from = 0; from < tables.length; from += COUNT_BATCH) {
        const batch = tables.slice(from, from + COUNT_BATCH);
        let result;
        try {
            await client.query('SAVEPOINT db_backup_count; SET LOCAL row_security = off');
            result = await client.query(`SELECT t.oid::pg_catalog.text AS oid,
           pg_catalog.query_to_xml(pg_catalog.format(
             'SELECT pg_catalog.count(*) AS n FROM ONLY %I.%I %s', n.nspname, c.relname, t.condition),
             false, true, '')::pg_catalog.text AS counted
         FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.oid[]), pg_catalog.unnest($2::pg_catalog.text[]))
             AS t(oid, condition)
           JOIN pg_catalog.pg_class c ON c.oid = t.oid
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace`, [batch.map((entry) => entry.table.oid), batch.map((entry) => entry.condition ?? '')]);
            await client.query('ROLLBACK TO SAVEPOINT db_backup_count');
        }
        catch (error) {
            throw countingFailure(error);
        }
        for (const row of result.rows) {
            const rows = /<n>(\d+)<\/n>/.exec(row.counted)?.[1];
            if (rows === undefined)
                throw new errors/* JobFailure */.y3(`Cannot read a row count: ${row.counted}`);
            counts.set(row.oid, Number(rows));
        }
    }
    return counts;
}
function countingFailure(error) {
    const message = (0,secrets/* redact */.E$)((0,errors/* errorMessage */.gJ)(error));
    const hint = /row-level security/i.test(message)
        ? ": pg_dump reads every row, so back up as the tables' owner, a superuser or a role with BYPASSRLS"
        : '';
    return new errors/* JobFailure */.y3(`Cannot count the rows of the tables in the dump's snapshot (${message})${hint}. The backup was discarded and nothing was pruned.`);
}
/** Schema and name of each relation as bytes in `encoding`: how the dump spells them. */
async function namesInEncoding(client, oids, encoding) {
    const result = await client.query(`SELECT c.oid::pg_catalog.text AS oid,
       pg_catalog.convert_to(n.nspname::pg_catalog.text, e.encoding) AS schema,
       pg_catalog.convert_to(c.relname::pg_catalog.text, e.encoding) AS name
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace,
       (SELECT COALESCE($2::pg_catalog.text, pg_catalog.current_setting('server_encoding')) AS encoding) e
     WHERE c.oid = ANY ($1::pg_catalog.oid[])`, [oids, encoding ?? null]);
    return new Map(result.rows.map((row) => [row.oid, { schema: row.schema, name: row.name }]));
}

;// CONCATENATED MODULE: ./src/engines/postgres/dump-completeness.ts
function key(schema, name) {
    return `${schema.toString('hex')}.${name.toString('hex')}`;
}
/** pg_dump's TOC comments print names with newlines turned into spaces. */
function sanitized(bytes) {
    const copy = Buffer.from(bytes);
    for (let i = 0; i < copy.length; i += 1) {
        if (copy[i] === 0x0a || copy[i] === 0x0d)
            copy[i] = 0x20;
    }
    return copy;
}
/** Whether a `Data for Name: …` comment introduces the data of `table`. */
function headerNames(header, table) {
    if (!header)
        return false;
    const expected = Buffer.concat([
        sanitized(table.name),
        Buffer.from('; Type: TABLE DATA; Schema: '),
        sanitized(table.schema),
        Buffer.from('; '),
    ]);
    return header.subarray(0, expected.length).equals(expected);
}
/**
 * Checks a dump read by PlainDumpScanner against the tables its snapshot
 * holds: pg_dump's closing comment at the end, and for every table whose
 * data the dump must hold exactly one COPY block, ended by `\.`, with the
 * rows the snapshot counted. Rows loaded through a partitioned parent
 * (pg_dump's "load via partition root") count for the partition the TOC
 * comment before them names.
 */
function checkDumpCompleteness(expected, reading) {
    const problems = [...reading.anomalies];
    if (!reading.finished) {
        problems.push('the dump does not end with pg_dump\'s closing line ("-- PostgreSQL database dump complete"): it was cut short');
    }
    const byName = new Map(expected.map((table) => [key(table.schema, table.name), table]));
    const byRoot = new Map();
    for (const table of expected) {
        if (!table.data || !table.partitionRoot)
            continue;
        const root = key(table.partitionRoot.schema, table.partitionRoot.name);
        byRoot.set(root, [...(byRoot.get(root) ?? []), table]);
    }
    const received = new Map();
    const extra = new Map();
    const add = (into, oid, block) => {
        const seen = into.get(oid) ?? { rows: 0, complete: true, blocks: 0 };
        into.set(oid, {
            rows: seen.rows + block.rows,
            complete: seen.complete && block.complete,
            blocks: seen.blocks + 1,
        });
    };
    const unexpected = [];
    for (const block of reading.blocks) {
        const blockKey = key(block.schema, block.name);
        const table = byName.get(blockKey);
        if (table?.data) {
            add(received, table.oid, block);
            continue;
        }
        const partitions = byRoot.get(blockKey);
        if (partitions) {
            const named = partitions.filter((partition) => headerNames(block.header, partition));
            if (named.length === 1 && named[0]) {
                add(received, named[0].oid, block);
                continue;
            }
            problems.push(`rows were loaded through the partitioned table ${table?.label ?? printable(block)} for a partition this tool cannot identify`);
            continue;
        }
        if (table) {
            add(extra, table.oid, block);
            continue;
        }
        problems.push(`pg_dump wrote data for ${printable(block)}, a table the snapshot does not hold`);
    }
    for (const table of expected) {
        if (!table.data)
            continue;
        const got = received.get(table.oid);
        const inSnapshot = table.snapshotRows === undefined ? '' : ` (the snapshot holds ${table.snapshotRows} rows)`;
        if (!got) {
            problems.push(`pg_dump wrote no data for ${table.label}${inSnapshot}`);
        }
        else if (got.blocks > 1) {
            problems.push(`pg_dump wrote the data of ${table.label} ${got.blocks} times`);
        }
        else if (!got.complete) {
            problems.push(`the data of ${table.label} was cut off after ${got.rows} rows${inSnapshot}`);
        }
        else if (table.snapshotRows !== undefined && got.rows !== table.snapshotRows) {
            problems.push(`pg_dump wrote ${got.rows} rows of ${table.label} but its snapshot holds ${table.snapshotRows}`);
        }
    }
    const tables = [];
    for (const table of expected) {
        if (!table.listed)
            continue;
        tables.push({ name: table.label, rows: received.get(table.oid)?.rows ?? 0 });
    }
    const byOid = new Map(expected.map((table) => [table.oid, table]));
    for (const [oid, got] of extra) {
        const table = byOid.get(oid);
        if (!table)
            continue;
        if (!got.complete)
            problems.push(`the data of ${table.label} was cut off after ${got.rows} rows`);
        unexpected.push(table.label);
        // Rows the dump holds are rows a restore brings back: the manifest says so.
        const index = tables.findIndex((t) => t.name === table.label);
        if (index !== -1)
            tables[index] = { name: table.label, rows: got.rows };
        else if (table.ordinary)
            tables.push({ name: table.label, rows: got.rows });
    }
    tables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { tables, problems, unexpected };
}
function printable(block) {
    const text = `${block.schema.toString('utf8')}.${block.name.toString('utf8')}`;
    return JSON.stringify(text);
}

;// CONCATENATED MODULE: ./src/engines/postgres/dump-selection.ts

/**
 * pg_dump stops when --table or --schema patterns match nothing ("no
 * matching tables were found"): refused here first, with what to check.
 */
function refuseUnmatchedPatterns(filters, patterns, database) {
    const advice = 'nothing was backed up. Check the pattern (pg_dump\'s rules: unquoted letters fold to lower case, * and ? are wildcards, "Name" keeps its case).';
    if (filters.tableInclude?.size === 0) {
        throw new errors/* UserError */.yo(`--tables ${patterns.tables.join(', ')} matches no table, view or sequence of "${database}": ${advice}`);
    }
    if (filters.schemaInclude?.size === 0) {
        throw new errors/* UserError */.yo(`--schemas ${patterns.schemas.join(', ')} matches no schema of "${database}": ${advice}`);
    }
}
function namespaceContents(namespace, filters) {
    let contents;
    if (filters.tableInclude !== undefined)
        contents = 'none';
    else if (filters.schemaInclude !== undefined)
        contents = filters.schemaInclude.has(namespace.oid) ? 'all' : 'none';
    else if (namespace.name === 'pg_catalog')
        contents = 'acl';
    else if (namespace.name.startsWith('pg_') || namespace.name === 'information_schema')
        contents = 'none';
    else
        contents = 'all';
    if (contents !== 'none' && filters.schemaExclude.has(namespace.oid))
        contents = 'none';
    return contents;
}
/** Whether pg_dump writes the data of a table it considers (its makeTableDataInfo). */
function writesData(table, filters) {
    return table.relkind === 'r' && !filters.tableDataExclude.has(table.oid);
}
/** pg_dump's choice of relations and extensions, with the catalog at hand. */
class DumpRules {
    catalog;
    filters;
    namespaces;
    contents;
    relations;
    includeEverything;
    constructor(catalog, filters) {
        this.catalog = catalog;
        this.filters = filters;
        this.namespaces = new Map(catalog.namespaces.map((n) => [n.oid, n]));
        this.contents = new Map(catalog.namespaces.map((n) => [n.oid, namespaceContents(n, filters)]));
        this.relations = new Map(catalog.tables.map((t) => [t.oid, t]));
        this.includeEverything =
            filters.schemaInclude === undefined && filters.tableInclude === undefined;
    }
    /** A relation of the user's that pg_dump dumps (its selectDumpableTable): never an extension's. */
    dumps(relation) {
        if (relation.extensionOid !== undefined)
            return false;
        const dumped = this.filters.tableInclude !== undefined
            ? this.filters.tableInclude.has(relation.oid)
            : this.contents.get(relation.namespaceOid) === 'all';
        return dumped && !this.filters.tableExclude.has(relation.oid);
    }
    /** An extension's configuration table or sequence pg_dump dumps data for (processExtensionTables). */
    dumpsConfiguration(extension, relation) {
        let dump = !extension.builtin && this.includeEverything;
        if (!dump) {
            if (this.filters.tableInclude?.has(relation.oid))
                dump = true;
            // The schema itself is dumped (not merely its contents): an extension's own schema is not.
            const namespace = this.namespaces.get(relation.namespaceOid);
            if (namespace && !namespace.extensionMember && this.contents.get(namespace.oid) === 'all')
                dump = true;
        }
        if (this.filters.tableExclude.has(relation.oid))
            dump = false;
        if (this.filters.schemaExclude.has(relation.namespaceOid))
            dump = false;
        return dump;
    }
    /** Every extension configuration relation pg_dump dumps, with its row filter. */
    *configurations() {
        for (const extension of this.catalog.extensions) {
            for (const { tableOid, condition } of extension.config) {
                const relation = this.relations.get(tableOid);
                if (relation && this.dumpsConfiguration(extension, relation))
                    yield { relation, condition };
            }
        }
    }
}
/** The tables of the dump, ordinary tables first, each with whether its rows are in it. */
function selectDumpedTables(catalog, filters) {
    const rules = new DumpRules(catalog, filters);
    const selected = [];
    for (const table of catalog.tables) {
        if (table.relkind !== 'r' || !rules.dumps(table))
            continue;
        selected.push({ table, data: writesData(table, filters), listed: true });
    }
    for (const { relation: table, condition } of rules.configurations()) {
        if (!writesData(table, filters))
            continue;
        selected.push({
            table,
            data: true,
            listed: false,
            ...(condition ? { condition } : {}),
        });
    }
    return selected;
}
/**
 * A sequence whose state pg_dump reads (getOwnedSeqs, makeTableDataInfo): one
 * owned by a table it dumps, or one it dumps itself, unless it belongs to an
 * identity column of a table it does not dump; never one --exclude-table-data
 * names.
 */
function readsSequence(rules, sequence, configured) {
    if (rules.filters.tableDataExclude.has(sequence.oid))
        return false;
    const owner = sequence.ownerTableOid === undefined ? undefined : rules.relations.get(sequence.ownerTableOid);
    if (owner && rules.dumps(owner))
        return true;
    if (owner && sequence.identity)
        return false;
    return configured || rules.dumps(sequence);
}
/** The tables, rows, sequences and large objects a pg_dump with these filters reads. */
function selectDumpReads(catalog, filters, selected) {
    const rules = new DumpRules(catalog, filters);
    const configured = new Set([...rules.configurations()].map(({ relation }) => relation.oid));
    const partitioned = catalog.tables.filter((table) => table.relkind === 'p' && rules.dumps(table));
    return {
        tables: [...selected.map((entry) => entry.table), ...partitioned].map((table) => table.oid),
        rows: selected.filter((entry) => entry.data).map((entry) => entry.table.oid),
        sequences: catalog.tables
            .filter((table) => table.relkind === 'S')
            .filter((sequence) => readsSequence(rules, sequence, configured.has(sequence.oid)))
            .map((sequence) => sequence.oid),
        largeObjects: rules.includeEverything,
    };
}

// EXTERNAL MODULE: ./src/engines/postgres/dump-tables.ts
var dump_tables = __webpack_require__(15115);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
var external_node_os_default = /*#__PURE__*/__webpack_require__.n(external_node_os_);
;// CONCATENATED MODULE: ./src/engines/postgres/streamed-listing.ts




function reader(spawned) {
    const entry = { input: spawned.input, child: spawned.child, reading: true };
    // EPIPE once pg_restore is gone: it read all it wanted (or failed, which its exit tells).
    spawned.input.on('error', () => {
        entry.reading = false;
    });
    spawned.input.on('close', () => {
        entry.reading = false;
    });
    return entry;
}
/** Writes to every reader still reading; calls back once each took the chunk or is gone. */
function feed(readers, chunk, done) {
    const waiting = readers.filter((entry) => entry.reading && !entry.input.write(chunk));
    let left = waiting.length;
    if (left === 0) {
        done();
        return;
    }
    for (const entry of waiting) {
        const resume = () => {
            entry.input.off('drain', resume);
            entry.input.off('close', resume);
            left -= 1;
            if (left === 0)
                done();
        };
        entry.input.on('drain', resume);
        entry.input.on('close', resume);
    }
}
function listAsItStreams(pgRestore) {
    const lister = spawnWithInput('pg_restore', pgRestore.path, ['--list'], pgRestore.env);
    const whole = spawnWithInput('pg_restore', pgRestore.path, [`--file=${(external_node_os_default()).devNull}`], pgRestore.env);
    const readers = [reader(lister), reader(whole)];
    let complete = false;
    const tee = new external_node_stream_.Transform({
        highWaterMark: 1024 * 1024,
        transform(chunk, _encoding, callback) {
            feed(readers, chunk, () => callback(null, chunk));
        },
        flush(callback) {
            complete = true;
            for (const entry of readers)
                if (entry.reading)
                    entry.input.end();
            callback();
        },
        destroy(error, callback) {
            // A stream that came to its end leaves pg_restore to finish reading; any other stops it.
            if (!complete) {
                for (const entry of readers) {
                    entry.input.destroy();
                    if (entry.child.exitCode === null && entry.child.signalCode === null)
                        entry.child.kill('SIGTERM');
                }
            }
            callback(error);
        },
    });
    const listing = lister.output.then(parseArchiveListing);
    const read = whole.output.then(() => undefined);
    read.catch(() => undefined);
    return { tee, listing, read, children: [lister.child, whole.child] };
}

;// CONCATENATED MODULE: ./src/engines/postgres/roles-block.ts
/**
 * The cluster's roles, as `pg_dumpall --roles-only --no-role-passwords`
 * writes them, turned into SQL that goes at the head of a plain dump and
 * that, run on any server (inside the restore's transaction, or by hand with
 * `gunzip -c | psql`):
 *
 * - creates each role that does not exist there, with its attributes, its
 *   comment, security label and settings (`ALTER ROLE … SET`), and its
 *   memberships and privileges on configuration parameters;
 * - leaves a role that exists exactly as it is: no attribute, setting,
 *   membership, comment or password of an existing role is touched, and no
 *   existing role gains a membership;
 * - never holds a password, and never names the source's bootstrap superuser.
 *
 * Memberships are granted without pg_dumpall's `GRANTED BY` (the restoring
 * user grants them). Everything is one `DO` block: one statement, all or
 * nothing, no state kept between statements.
 */
/** Where the block starts and ends in a dump, for people and for restore-time filters. */
const ROLES_BLOCK_START = '-- db-backup: cluster roles (pg_dumpall --roles-only --no-role-passwords)';
const ROLES_BLOCK_END = '-- db-backup: end of cluster roles';
const CLOSING = /^--\s*\n--\s*PostgreSQL database cluster dump complete\s*\n--\s*$/m;
/** Statements of pg_dumpall's output: quote-aware, without comments and psql meta-commands. */
function splitDumpallStatements(text) {
    const statements = [];
    let current = '';
    let i = 0;
    let lineStart = true;
    while (i < text.length) {
        const ch = text[i];
        if (ch === "'" || ch === '"') {
            let j = i + 1;
            for (;;) {
                const close = text.indexOf(ch, j);
                if (close === -1) {
                    j = text.length;
                    break;
                }
                if (text[close + 1] === ch) {
                    j = close + 2;
                    continue;
                }
                j = close + 1;
                break;
            }
            current += text.slice(i, j);
            i = j;
            lineStart = false;
            continue;
        }
        if (ch === '-' && text[i + 1] === '-') {
            const end = text.indexOf('\n', i);
            i = end === -1 ? text.length : end;
            continue;
        }
        if (ch === '\\' && lineStart && current.trim() === '') {
            const end = text.indexOf('\n', i);
            i = end === -1 ? text.length : end;
            continue;
        }
        if (ch === ';') {
            if (current.trim())
                statements.push(current.trim());
            current = '';
            i += 1;
            continue;
        }
        current += ch;
        lineStart = ch === '\n';
        i += 1;
    }
    if (current.trim())
        statements.push(current.trim());
    return statements;
}
/** One identifier at the start of `text` (after blanks): `"…"` or a plain name. */
function identifierAt(text) {
    const trimmed = text.replace(/^\s+/, '');
    if (trimmed.startsWith('"')) {
        let j = 1;
        let name = '';
        for (;;) {
            const close = trimmed.indexOf('"', j);
            if (close === -1)
                return undefined;
            name += trimmed.slice(j, close);
            if (trimmed[close + 1] === '"') {
                name += '"';
                j = close + 2;
                continue;
            }
            return { name, rest: trimmed.slice(close + 1) };
        }
    }
    const plain = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(trimmed);
    return plain ? { name: plain[0], rest: trimmed.slice(plain[0].length) } : undefined;
}
function afterPrefix(statement, prefix) {
    const match = prefix.exec(statement);
    return match ? identifierAt(statement.slice(match[0].length)) : undefined;
}
/** The `TO role` of a GRANT on a parameter (pg_dumpall writes one grantee per statement). */
function granteeOf(statement) {
    let rest = statement;
    for (;;) {
        const at = /\sTO\s/i.exec(rest);
        if (!at)
            return undefined;
        const before = rest.slice(0, at.index);
        // A TO inside a quoted name is not the keyword: count quotes before it.
        if ((before.match(/"/g)?.length ?? 0) % 2 === 0)
            return identifierAt(rest.slice(at.index + at[0].length))?.name;
        rest = rest.slice(at.index + at[0].length);
    }
}
/**
 * A dollar-quote tag that quotes `text` exactly: the tag occurs in
 * `text + tag` only at its end. (Absent from `text` is not enough: a text
 * ending in `$q` would close `$q$` early, with the first byte of the closing tag.)
 */
function freeTag(base, text) {
    for (let n = 0;; n += 1) {
        const tag = `$${base}${n === 0 ? '' : n}$`;
        if ((text + tag).indexOf(tag) === text.length)
            return tag;
    }
}
/**
 * CREATE ROLE's defaults, which pg_dumpall names in every ALTER ROLE … WITH.
 * Naming them again on a role just created changes nothing, and a role that
 * is not a superuser may not name them (NOSUPERUSER, NOREPLICATION,
 * NOBYPASSRLS; from PostgreSQL 16 NOCREATEDB too without CREATEDB): left
 * out, the block runs for the CREATEROLE administrator of a managed service.
 */
const CREATE_ROLE_DEFAULTS = /\s+(?:NOSUPERUSER|INHERIT|NOCREATEROLE|NOCREATEDB|NOLOGIN|NOREPLICATION|NOBYPASSRLS)(?=\s|$)/gi;
/** `ALTER ROLE name WITH …` without the defaults; undefined when nothing else is left. */
function withoutDefaults(statement, rest) {
    const head = statement.slice(0, statement.length - rest.length);
    // Attribute words come before any quoted value (VALID UNTIL '…').
    const quote = rest.indexOf("'");
    const words = quote === -1 ? rest : rest.slice(0, quote);
    const kept = words.replace(CREATE_ROLE_DEFAULTS, '') + (quote === -1 ? '' : rest.slice(quote));
    return /^\s*WITH\s*$/i.test(kept) ? undefined : head + kept;
}
/**
 * Turns pg_dumpall's output into the roles block. `bootstrap` is the source's
 * bootstrap superuser (the role with OID 10), which is never carried over.
 * Throws when the output does not end with pg_dumpall's closing comment.
 */
function rolesBlock(dumpall, bootstrap, tool) {
    if (!CLOSING.test(dumpall)) {
        throw new Error('pg_dumpall --roles-only did not end with its closing comment ("-- PostgreSQL database cluster dump complete"): its output was cut short');
    }
    const roles = new Map();
    const later = [];
    const skipped = [];
    for (const statement of splitDumpallStatements(dumpall)) {
        const created = afterPrefix(statement, /^CREATE\s+ROLE\s/i);
        if (created && created.rest.trim() === '') {
            if (created.name !== bootstrap)
                roles.set(created.name, { name: created.name, definition: [statement] });
            continue;
        }
        const altered = afterPrefix(statement, /^ALTER\s+ROLE\s/i);
        if (altered) {
            const role = roles.get(altered.name);
            if (altered.name === bootstrap)
                continue;
            if (/^\s*WITH\s/i.test(altered.rest) && role) {
                // --no-role-passwords: there is none; a PASSWORD clause would be refused rather than carried.
                if (/\bPASSWORD\b/i.test(altered.rest.replace(/'(?:[^']|'')*'/g, "''"))) {
                    throw new Error(`pg_dumpall wrote a role password despite --no-role-passwords (role ${altered.name})`);
                }
                const changed = withoutDefaults(statement, altered.rest);
                if (changed !== undefined)
                    role.definition.push(changed);
            }
            else if (/^\s*(SET|RESET|IN\s+DATABASE)\s/i.test(altered.rest)) {
                later.push({ role: altered.name, sql: statement });
            }
            else
                skipped.push(statement);
            continue;
        }
        const comment = afterPrefix(statement, /^COMMENT\s+ON\s+ROLE\s/i);
        if (comment) {
            roles.get(comment.name)?.definition.push(statement);
            continue;
        }
        const label = /^SECURITY\s+LABEL\s+FOR\s+(?:"(?:[^"]|"")*"|\S+)\s+ON\s+ROLE\s/i.exec(statement);
        if (label) {
            const name = identifierAt(statement.slice(label[0].length))?.name;
            if (name !== undefined)
                roles.get(name)?.definition.push(statement);
            continue;
        }
        const membership = /^GRANT\s/i.test(statement) && !/\sON\s/i.test(statement.replace(/"(?:[^"]|"")*"/g, '""'));
        if (membership) {
            const member = granteeOf(statement);
            const granted = identifierAt(statement.replace(/^GRANT\s/i, ''))?.name;
            if (member === undefined || granted === undefined) {
                skipped.push(statement);
                continue;
            }
            // The bootstrap superuser is never carried over: nor is membership in it.
            if (granted === bootstrap)
                continue;
            const withoutGrantor = statement.replace(/\s+GRANTED\s+BY\s+(?:"(?:[^"]|"")*"|[^\s;]+)\s*$/i, '');
            later.push({ role: member, sql: withoutGrantor });
            continue;
        }
        if (/^GRANT\s[\s\S]*\sON\s+PARAMETER\s/i.test(statement)) {
            const grantee = granteeOf(statement);
            if (grantee !== undefined)
                later.push({ role: grantee, sql: statement });
            else
                skipped.push(statement);
            continue;
        }
        if (/^SET\s/i.test(statement))
            continue;
        skipped.push(statement);
    }
    const literal = (text) => {
        const tag = freeTag('q', text);
        return `${tag}${text}${tag}`;
    };
    const body = ['DECLARE', "  created pg_catalog.text[] := '{}';", 'BEGIN'];
    for (const role of roles.values()) {
        body.push(`  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${literal(role.name)}) THEN`);
        for (const sql of role.definition)
            body.push(`    EXECUTE ${literal(sql)};`);
        body.push(`    created := created || ${literal(role.name)}::pg_catalog.text;`, '  END IF;');
    }
    for (const { role, sql } of later) {
        if (role === bootstrap)
            continue;
        body.push(`  IF ${literal(role)} = ANY (created) THEN EXECUTE ${literal(sql)}; END IF;`);
    }
    body.push('END');
    const bodyText = `\n${body.join('\n')}\n`;
    const outer = freeTag('db_backup_roles', bodyText);
    const lines = [
        '--',
        ROLES_BLOCK_START,
        `-- Listed by ${tool}. A role that does not exist is created; a role that exists is left as it is.`,
        '--',
        '',
        "SET client_encoding = 'UTF8';",
        'SET standard_conforming_strings = on;',
        '',
        `DO ${outer}${bodyText}${outer};`,
        '',
        '--',
        ROLES_BLOCK_END,
        '--',
        '',
        '',
    ];
    return { sql: lines.join('\n'), names: [...roles.keys()], skipped };
}

;// CONCATENATED MODULE: ./src/engines/postgres/sql-scanner.ts
/**
 * A streaming lexer for the SQL scripts psql runs, built to split them into
 * statements exactly where psql does (psql's rules: src/fe_utils/psqlscan.l
 * and src/bin/psql/mainloop.c), whatever the chunk boundaries:
 *
 * - psql reads its input a line at a time and sends a statement at a
 *   semicolon outside quotes, comments, parentheses and `BEGIN ATOMIC … END`
 *   function bodies;
 * - a backslash outside quotes and comments starts a psql meta-command;
 * - after `COPY … FROM stdin;` the lines up to `\.` are data, not SQL.
 *
 * It keeps a few bytes of state, never a statement, a string or COPY data, so
 * memory does not grow with the dump. It tells a listener what a restore
 * filter needs (where statements start and end, their first tokens,
 * meta-commands, psql variables) and refuses input that psql and the server
 * could read differently, or that psql cannot read (SqlScanError).
 */
/** Input psql would read differently from the server or from this scanner, or cannot read at all. */
class SqlScanError extends Error {
    line;
    name = 'SqlScanError';
    constructor(message, 
    /** 1-based line of the input where it was found. */
    line) {
        super(message);
        this.line = line;
    }
}
/** Longest token text kept (identifiers are at most 63 bytes; longer text only needs telling apart). */
const TOKEN_TEXT_LIMIT = 256;
/** Longest meta-command line kept (a `\restrict` key is 64 characters). */
const META_TEXT_LIMIT = 1024;
/** Longest $tag$ accepted; psql has no limit, but no real dump comes near it. */
const DOLLAR_TAG_LIMIT = 4096;
// Lexer modes, after psql's flex states where it has one.
const INITIAL = 0;
const LINE_COMMENT = 1;
const BLOCK_COMMENT = 2; // xc
const QUOTE = 3; // xq, and xus (U&'…'), which follows the same rules
const ESCAPE_QUOTE = 4; // xe
const BIT_QUOTE = 5; // xb, xh: no '' inside
const QUOTE_STOP = 6; // xqs: after a closing quote
const DOUBLE_QUOTE = 7; // xd, xui
const DOUBLE_QUOTE_STOP = 8; // after a closing `"`: `""` continues the identifier
const DOLLAR_BODY = 9; // xdolq
const DOLLAR_CLOSE = 10; // xdolq at a `$` that may close the body
const WORD = 11;
const UNICODE_PREFIX = 12; // after `U&`
const NUMBER = 13;
const PARAM = 14;
const JUNK = 15; // a number or parameter followed by identifier characters: one token
const DOLLAR_OPEN = 16; // after `$` in INITIAL
const COLON = 17; // after `:` in INITIAL
const COLON_NAME = 18; // :name, :'name', :"name", :{?name}
const META = 19;
const COPY_REST = 20; // the rest of the line that holds `COPY … FROM stdin;`
const COPY_LINE_START = 21;
const COPY_LINE = 22;
const LF = 0x0a;
const CR = 0x0d;
const SINGLE_QUOTE = 0x27;
const DOUBLE_QUOTE_CHAR = 0x22;
const BACKSLASH = 0x5c;
const DOLLAR = 0x24;
const DASH = 0x2d;
const SLASH = 0x2f;
const STAR = 0x2a;
const DOT = 0x2e;
/** [ \t\n\r\f\v]: psql's {space}. */
function isSpace(c) {
    return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
/** Whitespace that is not a newline: [ \t\f\v]. */
function isLineSpace(c) {
    return c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c;
}
/** {ident_start} (also {dolq_start}): [A-Za-z\200-\377_]. */
function isIdentStart(c) {
    return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80;
}
function isDigit(c) {
    return c >= 0x30 && c <= 0x39;
}
/** {ident_cont}: [A-Za-z\200-\377_0-9\$]. */
function isIdentCont(c) {
    return isIdentStart(c) || isDigit(c) || c === DOLLAR;
}
/** {dolq_cont} and {variable_char}: [A-Za-z\200-\377_0-9]. */
function isNameChar(c) {
    return isIdentStart(c) || isDigit(c);
}
/** Client encodings in which a multibyte character can hold a quote or backslash byte (psql lexes them differently). */
const UNSAFE_CLIENT_ENCODINGS = new Set([
    'sjis',
    'shiftjis',
    'mskanji',
    'win932',
    'windows932',
    'shiftjis2004',
    'big5',
    'win950',
    'windows950',
    'gbk',
    'win936',
    'windows936',
    'uhc',
    'win949',
    'windows949',
    'gb18030',
    'johab',
]);
/** PostgreSQL's boolean input: unique prefixes of true/false/yes/no, on/off, 1/0. */
function parseSqlBoolean(value) {
    const v = value.trim().toLowerCase();
    if (!v)
        return undefined;
    if ('true'.startsWith(v) || 'yes'.startsWith(v) || v === 'on' || v === '1')
        return true;
    if ('false'.startsWith(v) || 'no'.startsWith(v) || v === 'of' || v === 'off' || v === '0')
        return false;
    return undefined;
}
/**
 * Feed it chunks with `scan`, then call `finish`. Offsets in events refer to
 * the chunk being scanned.
 */
class SqlScanner {
    listener;
    /** Whether `token` events are wanted for the current statement; true again at each statement's start. */
    listening = true;
    mode = INITIAL;
    line = 1;
    atLineStart = true;
    defaultStdStrings;
    stdStrings;
    /** A setting psql takes up only from the next line it reads (it sets up its lexer per line). */
    nextStdStrings;
    // INITIAL: a `-` or `/` whose next byte decides between an operator and a comment.
    pendingDash = false;
    pendingSlash = false;
    // The statement: psql's paren_depth, begin_depth, identifier_count and identifiers[].
    inStatement = false;
    parenDepth = 0;
    beginDepth = 0;
    identifierCount = 0;
    identifiers = [0, 0, 0, 0];
    head = [];
    isCopy = false;
    copyFromStdin = false;
    copyBinary = false;
    lastWordWasFrom = false;
    /** The quoted identifier being read was written `U&"…"`. */
    unicodeQuoted = false;
    // A string just closed and only whitespace and -- comments followed, maybe across a newline.
    closedString = false;
    closedEscapes = false;
    closedNewline = false;
    // The token being read, and how much of its text to keep (see startText).
    text = '';
    textCut = false;
    textLimit = TOKEN_TEXT_LIMIT;
    commentDepth = 0;
    commentAfterSlash = false;
    commentAfterStar = false;
    escapeNext = false;
    quoteKind = QUOTE;
    stopSawSpace = false;
    stopNewline = false;
    stopDash = false;
    stopComment = false;
    dollarTag = '';
    candidate = '';
    candidateTooLong = false;
    colonOpener = 0;
    metaText = '';
    copyMarker = 0;
    constructor(listener, options = {}) {
        this.listener = listener;
        this.defaultStdStrings = options.standardConformingStrings ?? true;
        this.stdStrings = this.defaultStdStrings;
    }
    /** The 1-based line being scanned. */
    get currentLine() {
        return this.line;
    }
    /** Scans the next chunk; throws SqlScanError for input it refuses. */
    scan(chunk) {
        const nul = chunk.indexOf(0);
        if (nul !== -1) {
            throw new SqlScanError('the SQL holds a NUL byte, which psql cannot read: the file is damaged', this.line + countNewlines(chunk, 0, nul));
        }
        this.run(chunk, 0, chunk.length);
    }
    /**
     * Ends the input as psql does at its end. `unfinished` describes a
     * construct left open (a string, a comment, COPY data…); `incomplete` says
     * the last statement lacks its semicolon (psql would still run it).
     */
    finish() {
        switch (this.mode) {
            case WORD:
            case UNICODE_PREFIX:
            case NUMBER:
            case PARAM:
            case JUNK:
            case DOLLAR_OPEN:
            case COLON:
            case COLON_NAME:
            case QUOTE_STOP:
            case DOUBLE_QUOTE_STOP: {
                // A token cut by the end of the input is complete: a line end closes it.
                const line = this.line;
                this.run(Uint8Array.of(LF), 0, 1);
                this.line = line;
                break;
            }
            case META:
                this.mode = INITIAL;
                this.listener.metaEnd(this.metaText.replace(/\r$/, ''), -1);
                break;
            default:
                break;
        }
        if (this.pendingDash || this.pendingSlash) {
            // A lone `-` or `/` at the very end: content, one byte before the (empty) end.
            this.pendingDash = false;
            this.pendingSlash = false;
            this.beginContent(-1);
        }
        const unfinished = this.unfinishedConstruct();
        return { unfinished, incomplete: unfinished === undefined && this.inStatement };
    }
    unfinishedConstruct() {
        switch (this.mode) {
            case BLOCK_COMMENT:
                return 'inside a /* comment */';
            case QUOTE:
            case ESCAPE_QUOTE:
            case BIT_QUOTE:
                return 'inside a quoted string';
            case DOUBLE_QUOTE:
                return 'inside a quoted identifier';
            case DOLLAR_BODY:
            case DOLLAR_CLOSE:
                return 'inside a dollar-quoted body';
            case COPY_REST:
            case COPY_LINE_START:
            case COPY_LINE:
                return 'inside the data of a COPY statement, without its closing \\. line';
            default:
                break;
        }
        if (this.parenDepth > 0)
            return 'inside parentheses';
        if (this.beginDepth > 0)
            return 'inside the BEGIN ATOMIC body of a function';
        return undefined;
    }
    run(chunk, from, to) {
        let i = from;
        while (i < to) {
            switch (this.mode) {
                case INITIAL:
                    i = this.initial(chunk, i, to);
                    break;
                case LINE_COMMENT: {
                    // `--` runs to the end of the line, \n or \r (which INITIAL then reads).
                    let j = i;
                    while (j < to && chunk[j] !== LF && chunk[j] !== CR)
                        j += 1;
                    if (j < to)
                        this.mode = INITIAL;
                    i = j;
                    break;
                }
                case BLOCK_COMMENT:
                    i = this.blockComment(chunk, i, to);
                    break;
                case QUOTE:
                case BIT_QUOTE: {
                    const close = indexIn(chunk, SINGLE_QUOTE, i, to);
                    const end = close === -1 ? to : close;
                    this.line += countNewlines(chunk, i, end);
                    this.keep(chunk, i, end);
                    if (close === -1)
                        return;
                    this.quoteStop();
                    i = close + 1;
                    break;
                }
                case ESCAPE_QUOTE:
                    i = this.escapeQuote(chunk, i, to);
                    break;
                case QUOTE_STOP:
                    i = this.quoteStopByte(chunk, i);
                    break;
                case DOUBLE_QUOTE: {
                    const close = indexIn(chunk, DOUBLE_QUOTE_CHAR, i, to);
                    const end = close === -1 ? to : close;
                    this.line += countNewlines(chunk, i, end);
                    this.keep(chunk, i, end);
                    if (close === -1)
                        return;
                    this.mode = DOUBLE_QUOTE_STOP;
                    i = close + 1;
                    break;
                }
                case DOUBLE_QUOTE_STOP:
                    if (chunk[i] === DOUBLE_QUOTE_CHAR) {
                        // `""` is one quote character inside the identifier.
                        this.keep(chunk, i, i + 1);
                        this.mode = DOUBLE_QUOTE;
                        i += 1;
                    }
                    else {
                        this.mode = INITIAL;
                        this.endToken('quoted', this.text);
                    }
                    break;
                case DOLLAR_BODY: {
                    const dollar = indexIn(chunk, DOLLAR, i, to);
                    const end = dollar === -1 ? to : dollar;
                    this.line += countNewlines(chunk, i, end);
                    if (dollar === -1)
                        return;
                    this.mode = DOLLAR_CLOSE;
                    this.candidate = '';
                    this.candidateTooLong = false;
                    i = dollar + 1;
                    break;
                }
                case DOLLAR_CLOSE:
                    i = this.dollarClose(chunk, i);
                    break;
                case WORD:
                    i = this.word(chunk, i, to);
                    break;
                case UNICODE_PREFIX:
                    i = this.unicodePrefix(chunk, i);
                    break;
                case NUMBER:
                case PARAM:
                case JUNK:
                    i = this.number(chunk, i, to);
                    break;
                case DOLLAR_OPEN:
                    i = this.dollarOpen(chunk, i);
                    break;
                case COLON:
                    i = this.colon(chunk, i);
                    break;
                case COLON_NAME:
                    i = this.colonName(chunk, i);
                    break;
                case META: {
                    const newline = indexIn(chunk, LF, i, to);
                    const end = newline === -1 ? to : newline;
                    if (this.metaText.length < META_TEXT_LIMIT)
                        this.metaText += latin1(chunk, i, Math.min(end, i + META_TEXT_LIMIT));
                    if (newline === -1)
                        return;
                    this.mode = INITIAL;
                    this.line += 1;
                    this.atLineStart = true;
                    this.listener.metaEnd(this.metaText.replace(/\r$/, ''), newline + 1);
                    i = newline + 1;
                    break;
                }
                case COPY_REST: {
                    const c = chunk[i];
                    if (c === LF) {
                        this.line += 1;
                        this.mode = COPY_LINE_START;
                        this.copyMarker = 0;
                    }
                    else if (!isSpace(c)) {
                        throw new SqlScanError('text follows "COPY … FROM stdin;" on its line, which psql would run only after the COPY data', this.line);
                    }
                    i += 1;
                    break;
                }
                case COPY_LINE_START:
                    i = this.copyLineStart(chunk, i);
                    break;
                case COPY_LINE: {
                    const newline = indexIn(chunk, LF, i, to);
                    if (newline === -1)
                        return;
                    this.line += 1;
                    this.mode = COPY_LINE_START;
                    this.copyMarker = 0;
                    i = newline + 1;
                    break;
                }
                default:
                    throw new Error(`unknown scanner mode ${this.mode}`);
            }
        }
    }
    /** INITIAL: whitespace, comments, and the first byte of every token. */
    initial(chunk, start, to) {
        let i = start;
        while (i < to) {
            const c = chunk[i];
            if (this.pendingDash) {
                this.pendingDash = false;
                if (c === DASH) {
                    this.mode = LINE_COMMENT;
                    return i + 1;
                }
                this.beginContent(i - 1);
                this.symbol('-');
            }
            else if (this.pendingSlash) {
                this.pendingSlash = false;
                if (c === STAR) {
                    this.mode = BLOCK_COMMENT;
                    this.commentDepth = 0;
                    this.commentAfterSlash = false;
                    this.commentAfterStar = false;
                    // A /* comment */ stops the server from joining strings across lines.
                    this.closedString = false;
                    return i + 1;
                }
                this.beginContent(i - 1);
                this.symbol('/');
            }
            if (c === LF) {
                this.line += 1;
                this.atLineStart = true;
                if (this.closedString)
                    this.closedNewline = true;
                i += 1;
                continue;
            }
            if (isSpace(c)) {
                i += 1;
                continue;
            }
            const lineStart = this.atLineStart;
            this.atLineStart = false;
            if (c === DASH) {
                this.pendingDash = true;
                i += 1;
                continue;
            }
            if (c === SLASH) {
                this.pendingSlash = true;
                i += 1;
                continue;
            }
            if (c === BACKSLASH) {
                // Also `\;` and `\:`, which psql handles itself: all are meta-commands here.
                this.closedString = false;
                this.mode = META;
                this.metaText = '';
                this.listener.metaStart(i, lineStart);
                return i;
            }
            this.beginContent(i);
            if (c === SINGLE_QUOTE) {
                this.openString(this.standardStrings() ? QUOTE : ESCAPE_QUOTE, true);
                return i + 1;
            }
            this.closedString = false;
            if (c === DOUBLE_QUOTE_CHAR) {
                this.openQuoted();
                return i + 1;
            }
            if (isIdentStart(c)) {
                this.mode = WORD;
                // Keywords that matter here are at most 9 bytes (procedure); 10 tells a longer word apart.
                this.startText(10);
                return i;
            }
            if (isDigit(c)) {
                this.mode = NUMBER;
                return i;
            }
            if (c === DOLLAR) {
                this.mode = DOLLAR_OPEN;
                this.candidate = '';
                return i + 1;
            }
            if (c === 0x3a) {
                this.mode = COLON;
                return i + 1;
            }
            i += 1;
            if (c === 0x28) {
                if (this.parenDepth === 0)
                    this.symbol('(');
                this.parenDepth += 1;
            }
            else if (c === 0x29) {
                if (this.parenDepth > 0)
                    this.parenDepth -= 1;
                if (this.parenDepth === 0)
                    this.symbol(')');
            }
            else if (c === 0x3b && this.parenDepth === 0 && this.beginDepth === 0) {
                this.endStatement(i);
                // COPY data may follow: the mode changed.
                if (this.mode !== INITIAL)
                    return i;
            }
            else {
                this.symbol(String.fromCharCode(c));
            }
        }
        return i;
    }
    /** The statement's first byte of content. */
    beginContent(at) {
        if (this.inStatement)
            return;
        this.inStatement = true;
        this.listening = true;
        this.listener.statementStart(at);
    }
    endStatement(end) {
        const copy = this.copyFromStdin;
        if (copy && this.copyBinary) {
            throw new SqlScanError('binary COPY data inside an SQL script cannot be read line by line: restore it with pg_restore, or make a plain-text dump', this.line);
        }
        this.applySettings();
        this.inStatement = false;
        this.identifierCount = 0;
        this.head = [];
        this.isCopy = false;
        this.copyFromStdin = false;
        this.copyBinary = false;
        this.lastWordWasFrom = false;
        this.closedString = false;
        if (copy)
            this.mode = COPY_REST;
        this.listener.statementEnd(end, copy);
    }
    /** standard_conforming_strings as psql's lexer has it on the current line. */
    standardStrings() {
        if (this.nextStdStrings && this.line > this.nextStdStrings.after) {
            this.stdStrings = this.nextStdStrings.value;
            this.nextStdStrings = undefined;
        }
        return this.stdStrings;
    }
    setStdStrings(value) {
        this.standardStrings();
        this.nextStdStrings = { value, after: this.line };
    }
    /** SET standard_conforming_strings changes how psql reads quotes from the next line on. */
    applySettings() {
        const upper = (token) => token?.kind === 'word' ? token.text.toUpperCase() : token?.text;
        const command = upper(this.head[0]);
        if (command !== 'SET' && command !== 'RESET')
            return;
        let k = 1;
        if (upper(this.head[k]) === 'SESSION' || upper(this.head[k]) === 'LOCAL')
            k += 1;
        const name = upper(this.head[k]);
        if (command === 'RESET') {
            if (name === 'STANDARD_CONFORMING_STRINGS' || name === 'ALL')
                this.setStdStrings(this.defaultStdStrings);
            return;
        }
        if (name === 'NAMES')
            this.checkEncoding(this.head[k + 1]);
        const operator = upper(this.head[k + 1]);
        const value = operator === '=' || operator === 'TO' ? this.head[k + 2] : undefined;
        if (!value)
            return;
        if (name === 'CLIENT_ENCODING')
            this.checkEncoding(value);
        if (name === 'STANDARD_CONFORMING_STRINGS') {
            const setting = upper(value) === 'DEFAULT' ? this.defaultStdStrings : parseSqlBoolean(value.text);
            if (setting !== undefined)
                this.setStdStrings(setting);
        }
    }
    checkEncoding(token) {
        if (!token)
            return;
        if (UNSAFE_CLIENT_ENCODINGS.has(token.text.toLowerCase().replace(/[^a-z0-9]/g, ''))) {
            throw new SqlScanError(`the SQL sets the client encoding ${token.text}, whose characters can hold quote and backslash bytes: restore it by hand with psql, or make the dump in UTF8`, this.line);
        }
    }
    /** A complete token: kept in the statement's head, and told to a listener at depth 0. */
    endToken(kind, text) {
        if (kind !== 'word')
            this.lastWordWasFrom = false;
        const unicode = kind === 'quoted' && this.unicodeQuoted;
        this.unicodeQuoted = false;
        if (this.parenDepth > 0 || (this.head.length >= 8 && !this.listening))
            return;
        const token = unicode ? { kind, text, unicode } : { kind, text };
        if (this.head.length < 8)
            this.head.push(token);
        if (this.listening)
            this.listener.token(token);
    }
    symbol(text) {
        this.closedString = false;
        this.endToken('symbol', text);
    }
    /**
     * A new token's text is kept whole only when someone will read it: a
     * listener, the statement's head (the first 8 tokens), a COPY statement.
     * Otherwise only `keywordBytes` (enough to tell keywords) — most of a
     * dump's tokens are values nobody reads.
     */
    startText(keywordBytes) {
        this.text = '';
        this.textCut = false;
        const read = (this.listening || this.head.length < 8) && this.parenDepth === 0;
        this.textLimit = read || this.isCopy ? TOKEN_TEXT_LIMIT : keywordBytes;
    }
    keep(chunk, from, to) {
        if (this.textCut || to <= from)
            return;
        const room = this.textLimit - this.text.length;
        if (to - from > room) {
            if (room > 0)
                this.text += latin1(chunk, from, from + room);
            this.textCut = true;
        }
        else {
            this.text += latin1(chunk, from, to);
        }
    }
    openString(mode, plainQuote) {
        if (plainQuote)
            this.checkContinuation();
        this.closedString = false;
        this.mode = mode;
        this.quoteKind = mode;
        // 'binary' in COPY … (FORMAT 'binary') is read; other strings only when someone listens.
        this.startText(0);
        this.escapeNext = false;
    }
    openQuoted() {
        this.mode = DOUBLE_QUOTE;
        this.startText(0);
    }
    /**
     * The server joins 'a' and 'b' on the next line into one string (SQL's
     * rule); psql, reading line by line, sees two strings. They split
     * statements alike only if both parts treat backslashes the same way.
     */
    checkContinuation() {
        if (!this.closedString || !this.closedNewline)
            return;
        if (this.closedEscapes !== !this.standardStrings()) {
            throw new SqlScanError('a quoted string goes on in a second quoted string on the next line, with other backslash rules than the first: psql and the server would split the SQL differently', this.line);
        }
    }
    escapeQuote(chunk, start, to) {
        let i = start;
        if (this.escapeNext) {
            // The byte after a backslash is taken as is, a quote or another backslash included.
            this.escapeNext = false;
            if (chunk[i] === LF)
                this.line += 1;
            this.keep(chunk, i, i + 1);
            i += 1;
        }
        for (;;) {
            const quote = indexIn(chunk, SINGLE_QUOTE, i, to);
            const backslash = indexIn(chunk, BACKSLASH, i, quote === -1 ? to : quote);
            const stop = backslash !== -1 ? backslash : quote;
            const end = stop === -1 ? to : stop;
            this.line += countNewlines(chunk, i, end);
            this.keep(chunk, i, end);
            if (stop === -1)
                return to;
            if (stop === quote) {
                this.quoteStop();
                return quote + 1;
            }
            this.keep(chunk, backslash, backslash + 1);
            if (backslash + 1 >= to) {
                this.escapeNext = true;
                return to;
            }
            if (chunk[backslash + 1] === LF)
                this.line += 1;
            this.keep(chunk, backslash + 1, backslash + 2);
            i = backslash + 2;
        }
    }
    /** A closing quote: psql's xqs state tells `''`, a continuation and the string's end apart. */
    quoteStop() {
        this.mode = QUOTE_STOP;
        this.stopSawSpace = false;
        this.stopNewline = false;
        this.stopDash = false;
        this.stopComment = false;
    }
    quoteStopByte(chunk, i) {
        const c = chunk[i];
        if (this.stopComment) {
            // A -- comment inside the whitespace between string parts: to the end of the line.
            if (c === LF)
                return this.endString(i);
            if (c === CR) {
                this.stopComment = false;
                this.stopNewline = true;
            }
            return i + 1;
        }
        if (this.stopDash) {
            this.stopDash = false;
            if (c === DASH) {
                this.stopComment = true;
                this.stopSawSpace = true;
                return i + 1;
            }
            // A lone `-` after the string: INITIAL reads it as an operator, then this byte.
            this.endString(i);
            this.pendingDash = true;
            return i;
        }
        if (c === SINGLE_QUOTE) {
            if (!this.stopSawSpace && this.quoteKind !== BIT_QUOTE) {
                // `''` is one quote character inside the string.
                this.mode = this.quoteKind;
                this.keep(chunk, i, i + 1);
                return i + 1;
            }
            if (this.stopNewline) {
                // Whitespace with a bare \r between the parts, within one of psql's lines: one string.
                this.mode = this.quoteKind;
                return i + 1;
            }
            return this.endString(i);
        }
        // psql reads a line at a time without its \n, so a string never goes on past one.
        if (c === LF)
            return this.endString(i);
        if (c === CR) {
            this.stopNewline = true;
            this.stopSawSpace = true;
            return i + 1;
        }
        if (isLineSpace(c)) {
            this.stopSawSpace = true;
            return i + 1;
        }
        if (c === DASH) {
            this.stopDash = true;
            return i + 1;
        }
        return this.endString(i);
    }
    /** The string is complete; the byte at `i` is read again in INITIAL. */
    endString(i) {
        this.mode = INITIAL;
        if (this.isCopy && this.text.toLowerCase() === 'binary')
            this.copyBinary = true;
        this.endToken('string', this.text);
        this.closedString = true;
        this.closedEscapes = this.quoteKind === ESCAPE_QUOTE;
        this.closedNewline = false;
        return i;
    }
    blockComment(chunk, start, to) {
        let i = start;
        while (i < to) {
            const c = chunk[i];
            i += 1;
            if (c === LF)
                this.line += 1;
            if (this.commentAfterSlash && c === STAR) {
                // A nested /*: its star cannot also end a comment.
                this.commentDepth += 1;
                this.commentAfterSlash = false;
                this.commentAfterStar = false;
                continue;
            }
            if (this.commentAfterStar && c === SLASH) {
                this.commentAfterSlash = false;
                this.commentAfterStar = false;
                if (this.commentDepth === 0) {
                    this.mode = INITIAL;
                    return i;
                }
                this.commentDepth -= 1;
                continue;
            }
            this.commentAfterSlash = c === SLASH;
            this.commentAfterStar = c === STAR;
        }
        return i;
    }
    word(chunk, start, to) {
        let i = start;
        while (i < to && isIdentCont(chunk[i]))
            i += 1;
        this.keep(chunk, start, i);
        if (i === to)
            return i;
        const c = chunk[i];
        const single = this.text.length === 1 ? this.text : '';
        if (c === SINGLE_QUOTE && single && 'bBxXeEnN'.includes(single)) {
            // B'…', X'…', E'…', N'…': a string with a prefix, not an identifier.
            const kind = 'eE'.includes(single)
                ? ESCAPE_QUOTE
                : 'nN'.includes(single)
                    ? this.standardStrings()
                        ? QUOTE
                        : ESCAPE_QUOTE
                    : BIT_QUOTE;
            this.openString(kind, 'nN'.includes(single));
            return i + 1;
        }
        if (c === 0x26 && single && 'uU'.includes(single)) {
            this.mode = UNICODE_PREFIX;
            return i + 1;
        }
        this.mode = INITIAL;
        this.endWord();
        return i;
    }
    /** After `U&`: U&'…' is a string, U&"…" an identifier; anything else leaves `U` and `&`. */
    unicodePrefix(chunk, i) {
        const c = chunk[i];
        if (c === SINGLE_QUOTE) {
            this.openString(QUOTE, false);
            return i + 1;
        }
        if (c === DOUBLE_QUOTE_CHAR) {
            this.openQuoted();
            this.unicodeQuoted = true;
            return i + 1;
        }
        this.mode = INITIAL;
        this.endWord();
        this.symbol('&');
        return i;
    }
    /** A complete identifier or keyword: psql's BEGIN … END tracking, COPY, and the token. */
    endWord() {
        const word = this.text;
        const lower = word.toLowerCase();
        if (this.identifierCount === 0)
            this.identifiers.fill(0);
        if (lower === 'create' ||
            lower === 'function' ||
            lower === 'procedure' ||
            lower === 'or' ||
            lower === 'replace') {
            if (this.identifierCount < this.identifiers.length)
                this.identifiers[this.identifierCount] = lower.charCodeAt(0);
        }
        this.identifierCount += 1;
        const [first, second, third, fourth] = this.identifiers;
        const isRoutine = (letter) => letter === 0x66 || letter === 0x70;
        const inRoutine = first === 0x63 &&
            (isRoutine(second) || (second === 0x6f && third === 0x72 && isRoutine(fourth)));
        if (inRoutine && this.parenDepth === 0) {
            if (lower === 'begin')
                this.beginDepth += 1;
            else if (lower === 'case') {
                // CASE also ends with END; it only matters inside a BEGIN.
                if (this.beginDepth >= 1)
                    this.beginDepth += 1;
            }
            else if (lower === 'end' && this.beginDepth > 0)
                this.beginDepth -= 1;
        }
        if (this.identifierCount === 1 && this.parenDepth === 0 && lower === 'copy')
            this.isCopy = true;
        if (this.isCopy) {
            if (lower === 'binary')
                this.copyBinary = true;
            if (this.parenDepth === 0) {
                if (this.lastWordWasFrom && lower === 'stdin')
                    this.copyFromStdin = true;
                this.lastWordWasFrom = lower === 'from';
            }
        }
        this.closedString = false;
        this.endToken('word', word);
    }
    number(chunk, start, to) {
        let i = start;
        for (; i < to; i += 1) {
            const c = chunk[i];
            if (this.mode === JUNK) {
                if (!isIdentCont(c))
                    break;
            }
            else if (isDigit(c) || (this.mode === NUMBER && (c === 0x5f || c === DOT))) {
                continue;
            }
            else if (isIdentStart(c)) {
                this.mode = JUNK;
            }
            else {
                break;
            }
        }
        if (i === to)
            return i;
        this.mode = INITIAL;
        this.endToken('number', '');
        return i;
    }
    dollarOpen(chunk, i) {
        const c = chunk[i];
        if (c === DOLLAR) {
            this.dollarTag = this.candidate;
            this.mode = DOLLAR_BODY;
            this.endToken('dollar', '');
            return i + 1;
        }
        if (this.candidate === '' && isDigit(c)) {
            this.mode = PARAM;
            return i;
        }
        if (this.candidate === '' ? isIdentStart(c) : isNameChar(c)) {
            if (this.candidate.length >= DOLLAR_TAG_LIMIT)
                throw new SqlScanError('a $tag$ longer than 4 KiB', this.line);
            this.candidate += String.fromCharCode(c);
            return i + 1;
        }
        // Not a delimiter: the `$` stands alone, and what followed it is read again.
        this.mode = INITIAL;
        this.symbol('$');
        this.replay(this.candidate);
        return i;
    }
    dollarClose(chunk, i) {
        const c = chunk[i];
        if (c === DOLLAR) {
            if (!this.candidateTooLong && this.candidate === this.dollarTag) {
                this.mode = INITIAL;
                return i + 1;
            }
            // `$other$` is not the closing tag, but its last `$` may open it.
            this.candidate = '';
            this.candidateTooLong = false;
            return i + 1;
        }
        if (this.candidate === '' ? isIdentStart(c) : isNameChar(c)) {
            if (this.candidate.length < this.dollarTag.length)
                this.candidate += String.fromCharCode(c);
            else
                this.candidateTooLong = true;
            return i + 1;
        }
        this.mode = DOLLAR_BODY;
        return i;
    }
    colon(chunk, i) {
        const c = chunk[i];
        this.mode = INITIAL;
        if (c === 0x3a || c === 0x3d) {
            // `::` (a cast) and `:=`.
            this.symbol(c === 0x3a ? '::' : ':=');
            return i + 1;
        }
        if (isNameChar(c)) {
            this.mode = COLON_NAME;
            this.colonOpener = 0;
            this.candidate = '';
            return i;
        }
        if (c === SINGLE_QUOTE || c === DOUBLE_QUOTE_CHAR || c === 0x7b) {
            this.mode = COLON_NAME;
            this.colonOpener = c;
            this.candidate = '';
            return i + 1;
        }
        this.symbol(':');
        return i;
    }
    /** :name, :'name', :"name", :{?name}. */
    colonName(chunk, i) {
        const c = chunk[i];
        const braces = this.colonOpener === 0x7b;
        if (braces && this.candidate === '' && c === 0x3f) {
            this.candidate = '?';
            return i + 1;
        }
        if (isNameChar(c) && (!braces || this.candidate !== '')) {
            if (this.candidate.length < TOKEN_TEXT_LIMIT)
                this.candidate += String.fromCharCode(c);
            return i + 1;
        }
        this.mode = INITIAL;
        const name = braces ? this.candidate.slice(1) : this.candidate;
        if (this.colonOpener === 0) {
            this.listener.variable(name);
            this.symbol(`:${name}`);
            return i;
        }
        const closer = braces ? 0x7d : this.colonOpener;
        if (c === closer && name !== '') {
            this.listener.variable(name);
            this.symbol(`:${name}`);
            return i + 1;
        }
        // Not a variable: all after the colon is read again (a quote then opens a string).
        this.symbol(':');
        this.replay(`${String.fromCharCode(this.colonOpener)}${this.candidate}`);
        return i;
    }
    /** Reads a few bytes again in INITIAL (psql's yyless): never a statement end nor a meta-command. */
    replay(text) {
        if (!text)
            return;
        const bytes = Buffer.from(text, 'latin1');
        this.run(bytes, 0, bytes.length);
    }
    /** psql ends COPY data at a line that is exactly `\.`, ended by \n or \r\n. */
    copyLineStart(chunk, i) {
        const c = chunk[i];
        if (c === LF && this.copyMarker >= 2) {
            this.line += 1;
            this.mode = INITIAL;
            this.atLineStart = true;
            this.listener.copyEnd(i + 1);
            return i + 1;
        }
        if (this.copyMarker === 0 && c === BACKSLASH)
            this.copyMarker = 1;
        else if (this.copyMarker === 1 && c === DOT)
            this.copyMarker = 2;
        else if (this.copyMarker === 2 && c === CR)
            this.copyMarker = 3;
        else {
            // A data line (an empty one included): on to its end.
            this.mode = COPY_LINE;
            return i;
        }
        return i + 1;
    }
}
function indexIn(chunk, byte, from, to) {
    const found = chunk.indexOf(byte, from);
    return found === -1 || found >= to ? -1 : found;
}
function countNewlines(chunk, from, to) {
    let count = 0;
    let i = chunk.indexOf(LF, from);
    while (i !== -1 && i < to) {
        count += 1;
        i = chunk.indexOf(LF, i + 1);
    }
    return count;
}
function latin1(chunk, from, to) {
    if (to - from <= 16) {
        // Short (keywords, names): cheaper than a Buffer view and a decoder.
        let text = '';
        for (let i = from; i < to; i += 1)
            text += String.fromCharCode(chunk[i]);
        return text;
    }
    return Buffer.from(chunk.buffer, chunk.byteOffset + from, Math.max(0, to - from)).toString('latin1');
}

;// CONCATENATED MODULE: ./src/engines/postgres/restore-statements.ts

const UNDECIDED = { action: 'undecided' };
const PASS = { action: 'pass' };
/** Owner statements longer than this many tokens do not exist (names are short; argument lists are one token). */
const OWNER_STATEMENT_TOKENS = 64;
function upper(token) {
    return token?.kind === 'word' ? token.text.toUpperCase() : undefined;
}
/**
 * @param complete the statement's semicolon was reached (all its tokens are given)
 * @param truncated the statement grew too long to hold back any longer: decide now
 */
function classifyStatement(tokens, complete, policy, truncated = false) {
    const w = (i) => upper(tokens[i]);
    const needs = (count) => !complete && tokens.length < count;
    const first = w(0);
    if (tokens.length === 0)
        return complete ? PASS : UNDECIDED;
    if (first === undefined)
        return PASS;
    const verdict = classifyWord(first, tokens, w, needs, complete, policy);
    if (verdict.action !== 'undecided' || !truncated)
        return verdict;
    // Held back too long to wait for the rest: refuse what could end the transaction.
    return ['COMMIT', 'END', 'ROLLBACK', 'ABORT', 'PREPARE'].includes(first)
        ? refuse(`a ${first} statement longer than the restore can hold back`)
        : PASS;
}
function classifyWord(first, tokens, w, needs, complete, policy) {
    const owners = () => policy.dropOwners ? { action: 'drop', kind: 'owner' } : { action: 'pass', kind: 'owner' };
    const privileges = () => policy.dropPrivileges
        ? { action: 'drop', kind: 'privileges' }
        : { action: 'pass', kind: 'privileges' };
    switch (first) {
        case 'BEGIN':
            return { action: 'drop', kind: 'transaction' };
        case 'START':
            if (needs(2))
                return UNDECIDED;
            return w(1) === 'TRANSACTION' ? { action: 'drop', kind: 'transaction' } : PASS;
        case 'COMMIT':
        case 'END':
            if (needs(2))
                return UNDECIDED;
            if (w(1) === 'PREPARED')
                return refusePrepared(`${first} PREPARED`);
            return { action: 'drop', kind: 'transaction' };
        case 'ROLLBACK': {
            const k = w(1) === 'WORK' || w(1) === 'TRANSACTION' ? 2 : 1;
            if (needs(k + 1))
                return UNDECIDED;
            // ROLLBACK TO SAVEPOINT stays inside the transaction.
            if (w(k) === 'TO')
                return PASS;
            if (w(1) === 'PREPARED')
                return refusePrepared('ROLLBACK PREPARED');
            return refuseRollback('ROLLBACK');
        }
        case 'ABORT':
            return refuseRollback('ABORT');
        case 'PREPARE':
            if (needs(2))
                return UNDECIDED;
            return w(1) === 'TRANSACTION' ? refusePrepared('PREPARE TRANSACTION') : PASS;
        case 'SET': {
            if (needs(2))
                return UNDECIDED;
            let k = 1;
            if (w(1) === 'SESSION' || w(1) === 'LOCAL') {
                if (needs(3))
                    return UNDECIDED;
                if (w(1) === 'SESSION' && w(2) === 'AUTHORIZATION')
                    return owners();
                k = 2;
            }
            // SET CONSTRAINTS ALL IMMEDIATE would check the restore's commit guard at once.
            if (w(1) === 'CONSTRAINTS')
                return { action: 'pass', after: 'guard' };
            return w(k) === 'LOCK_TIMEOUT' ? { action: 'drop', kind: 'lock-timeout' } : PASS;
        }
        case 'RESET':
            if (needs(2))
                return UNDECIDED;
            if (w(1) === 'SESSION') {
                if (needs(3))
                    return UNDECIDED;
                return w(2) === 'AUTHORIZATION' ? owners() : PASS;
            }
            if (w(1) === 'LOCK_TIMEOUT')
                return { action: 'drop', kind: 'lock-timeout' };
            return w(1) === 'ALL' ? { action: 'pass', after: 'lock-timeout' } : PASS;
        case 'DISCARD':
            if (needs(2))
                return UNDECIDED;
            return w(1) === 'TEMP' || w(1) === 'TEMPORARY' || w(1) === 'ALL'
                ? refuse(`DISCARD ${w(1) ?? ''} would drop the restore's commit guard (a temporary table); it is refused`)
                : PASS;
        case 'GRANT':
        case 'REVOKE':
            return privileges();
        case 'ALTER':
            if (needs(2))
                return UNDECIDED;
            if (w(1) === 'DEFAULT') {
                if (needs(3))
                    return UNDECIDED;
                return w(2) === 'PRIVILEGES' ? privileges() : PASS;
            }
            if (!complete) {
                const impossible = tokens.length > OWNER_STATEMENT_TOKENS ||
                    tokens.some((token) => token.kind === 'string' || token.kind === 'dollar');
                return impossible ? PASS : UNDECIDED;
            }
            if (ownerChange(tokens))
                return owners();
            {
                const drop = constraintDrop(tokens);
                return drop === undefined ? PASS : { action: 'pass', after: 'constraint-drop', drop };
            }
        default:
            return PASS;
    }
}
function refuse(message) {
    return { action: 'refuse', message };
}
function refuseRollback(what) {
    return refuse(`${what} would undo the restore so far and let the rest run outside its transaction; a restore is all or nothing, so it is refused`);
}
function refusePrepared(what) {
    return refuse(`${what} (two-phase commit) would end the restore's transaction; it is refused`);
}
/**
 * Object types whose `ALTER <type> <name> OWNER TO <role>` pg_dump writes
 * (tables, sequences and views go through ALTER TABLE), longest first.
 */
const OWNED_TYPES = [
    ['TEXT', 'SEARCH', 'CONFIGURATION'],
    ['TEXT', 'SEARCH', 'DICTIONARY'],
    ['FOREIGN', 'DATA', 'WRAPPER'],
    ['MATERIALIZED', 'VIEW'],
    ['FOREIGN', 'TABLE'],
    ['LARGE', 'OBJECT'],
    ['OPERATOR', 'CLASS'],
    ['OPERATOR', 'FAMILY'],
    ['PROCEDURAL', 'LANGUAGE'],
    ['EVENT', 'TRIGGER'],
    ['AGGREGATE'],
    ['COLLATION'],
    ['CONVERSION'],
    ['DATABASE'],
    ['DOMAIN'],
    ['FUNCTION'],
    ['LANGUAGE'],
    ['OPERATOR'],
    ['PROCEDURE'],
    ['PUBLICATION'],
    ['ROUTINE'],
    ['SCHEMA'],
    ['SEQUENCE'],
    ['SERVER'],
    ['STATISTICS'],
    ['SUBSCRIPTION'],
    ['TABLE'],
    ['TABLESPACE'],
    ['TYPE'],
    ['VIEW'],
];
/**
 * `ALTER <type> [IF EXISTS] [ONLY] <qualified name> [(<arguments>)] [USING
 * <method>] OWNER TO <role>` and nothing else: `ALTER TABLE t RENAME owner TO
 * x` ends the same way and is not an owner change.
 */
function ownerChange(tokens) {
    const n = tokens.length;
    if (n < 5 || upper(tokens[0]) !== 'ALTER')
        return false;
    if (upper(tokens[n - 3]) !== 'OWNER' || upper(tokens[n - 2]) !== 'TO')
        return false;
    const role = tokens[n - 1];
    if (role?.kind !== 'word' && role?.kind !== 'quoted')
        return false;
    const type = OWNED_TYPES.find((words) => words.every((word, k) => upper(tokens[1 + k]) === word));
    if (!type)
        return false;
    let i = 1 + type.length;
    const end = n - 3;
    i = afterIfExists(tokens, i);
    if (upper(tokens[i]) === 'ONLY')
        i += 1;
    // The name: parts joined by dots; an operator's name is a run of symbols, a large object's a number.
    const part = (at) => {
        const token = tokens[at];
        if (at >= end || !token || !isNamePart(token))
            return -1;
        let next = at + 1;
        if (token.kind === 'symbol') {
            while (next < end && isOperatorSymbol(tokens[next]))
                next += 1;
        }
        return next;
    };
    i = part(i);
    while (i !== -1 && i < end && tokens[i]?.kind === 'symbol' && tokens[i]?.text === '.') {
        i = part(i + 1);
    }
    if (i === -1)
        return false;
    const symbolAt = (at, text) => tokens[at]?.kind === 'symbol' && tokens[at]?.text === text;
    if (i < end && symbolAt(i, '(')) {
        if (!symbolAt(i + 1, ')'))
            return false;
        i += 2;
    }
    if (i < end && upper(tokens[i]) === 'USING') {
        if (tokens[i + 1]?.kind !== 'word' && tokens[i + 1]?.kind !== 'quoted')
            return false;
        i += 2;
    }
    return i === end;
}
/** An identifier as SQL: a quoted one quoted again. */
const asSql = (token) => token.kind === 'quoted' ? `"${token.text.replace(/"/g, '""')}"` : token.text;
/**
 * `ALTER TABLE [IF EXISTS] [ONLY] <qualified name> DROP CONSTRAINT [IF
 * EXISTS] <name> [CASCADE | RESTRICT]` and nothing else (what pg_dump's
 * `--clean` writes for a constraint); undefined for any other statement, or
 * a name too long for its token to hold whole.
 */
function constraintDrop(tokens) {
    const word = (at) => upper(tokens[at]);
    // Not a U&"…" name: its escapes would have to be decoded as the server does.
    const isName = (at) => (tokens[at]?.kind === 'word' || tokens[at]?.kind === 'quoted') &&
        tokens[at]?.unicode === undefined &&
        (tokens[at]?.text.length ?? 0) < TOKEN_TEXT_LIMIT;
    if (word(0) !== 'ALTER' || word(1) !== 'TABLE')
        return undefined;
    let i = 2;
    i = afterIfExists(tokens, i);
    const only = word(i) === 'ONLY';
    if (only)
        i += 1;
    if (!isName(i))
        return undefined;
    const parts = [tokens[i]];
    i += 1;
    while (tokens[i]?.kind === 'symbol' && tokens[i]?.text === '.' && isName(i + 1)) {
        parts.push(tokens[i + 1]);
        i += 2;
    }
    if (word(i) !== 'DROP' || word(i + 1) !== 'CONSTRAINT')
        return undefined;
    i = afterIfExists(tokens, i + 2);
    if (!isName(i))
        return undefined;
    const constraint = asSql(tokens[i]);
    i += 1;
    if (word(i) === 'CASCADE' || word(i) === 'RESTRICT')
        i += 1;
    if (i !== tokens.length)
        return undefined;
    return { table: parts.map(asSql).join('.'), constraint, only };
}
/** Where what follows an optional `IF EXISTS` at `at` starts. */
function afterIfExists(tokens, at) {
    return upper(tokens[at]) === 'IF' && upper(tokens[at + 1]) === 'EXISTS' ? at + 2 : at;
}
function isNamePart(token) {
    return (token.kind === 'word' ||
        token.kind === 'quoted' ||
        token.kind === 'number' ||
        (token.kind === 'symbol' && isOperatorSymbol(token)));
}
/** Characters of operator names (psql's op_chars), never a dot or a parenthesis. */
function isOperatorSymbol(token) {
    return token.kind === 'symbol' && /^[~!@#^&|`?+\-*/%<>=]+$/.test(token.text);
}
const NOT_ROLES = new Set(['PUBLIC', 'CURRENT_USER', 'SESSION_USER', 'CURRENT_ROLE', 'DEFAULT']);
/** A role named by a token, as the server stores it: unquoted names fold to lower case. */
function roleOf(token) {
    if (!token)
        return undefined;
    if (token.kind === 'quoted')
        return utf8(token.text);
    if (token.kind === 'string')
        return utf8(token.text.replace(/''/g, "'"));
    if (token.kind !== 'word' || NOT_ROLES.has(token.text.toUpperCase()))
        return undefined;
    return utf8(token.text).toLowerCase();
}
/** Token text is Latin-1, one character per byte: back to the UTF-8 the dump holds. */
function utf8(latin1) {
    return Buffer.from(latin1, 'latin1').toString('utf8');
}
/** Comma-separated roles from `from`, up to a word in `stop` or the end. */
function roleList(tokens, from, stop) {
    const roles = [];
    for (let i = from; i < tokens.length; i += 1) {
        const token = tokens[i];
        const word = upper(token);
        if (word !== undefined && stop.has(word))
            break;
        if (word === 'GROUP' || word === 'USER')
            continue;
        if (token?.kind === 'symbol')
            continue;
        const role = roleOf(token);
        if (role !== undefined)
            roles.push(role);
    }
    return roles;
}
const GRANTEE_END = new Set(['WITH', 'GRANTED', 'CASCADE', 'RESTRICT']);
/**
 * The roles an owner or privilege statement names: the ones a server must
 * have for the statement to run.
 */
function rolesNamed(tokens) {
    const words = tokens.map(upper);
    const first = words[0];
    const roles = [];
    const lastIndex = (word) => words.lastIndexOf(word);
    if (first === 'ALTER' && ownerChange(tokens)) {
        const role = roleOf(tokens[tokens.length - 1]);
        return role === undefined ? [] : [role];
    }
    if ((first === 'SET' || first === 'RESET') && words.includes('AUTHORIZATION')) {
        const role = roleOf(tokens[words.indexOf('AUTHORIZATION') + 1]);
        return role === undefined ? [] : [role];
    }
    let body = 0;
    if (first === 'ALTER' && words[1] === 'DEFAULT') {
        const forIndex = words.indexOf('FOR');
        if (forIndex !== -1)
            roles.push(...roleList(tokens, forIndex + 2, new Set(['IN', 'GRANT', 'REVOKE'])));
        body = Math.max(words.indexOf('GRANT'), words.indexOf('REVOKE'));
        if (body === -1)
            return roles;
    }
    else if (first !== 'GRANT' && first !== 'REVOKE') {
        return roles;
    }
    const granting = words[body] === 'GRANT';
    const to = lastIndex(granting ? 'TO' : 'FROM');
    if (to === -1)
        return roles;
    roles.push(...roleList(tokens, to + 1, GRANTEE_END));
    const grantedBy = words.indexOf('GRANTED', to);
    if (grantedBy !== -1 && words[grantedBy + 1] === 'BY') {
        const role = roleOf(tokens[grantedBy + 2]);
        if (role !== undefined)
            roles.push(role);
    }
    // GRANT role TO role (membership, no ON): the granted roles are roles too.
    if (!words.slice(body, to).includes('ON')) {
        let from = body + 1;
        // ADMIN OPTION FOR, INHERIT OPTION FOR, SET OPTION FOR (a role may be named admin).
        if (words[from + 1] === 'OPTION' && words[from + 2] === 'FOR')
            from += 3;
        roles.push(...roleList(tokens.slice(0, to), from, new Set()));
    }
    return [...new Set(roles)];
}

;// CONCATENATED MODULE: ./src/engines/postgres/restore-filter.ts




/** The SQL of a backup that a restore refuses to run (exit 2: nothing was changed). */
class RefusedSql extends errors/* UserError */.yo {
    name = 'RefusedSql';
}
/**
 * psql's own variables (all versions): a backup that names one would have
 * psql paste its value into the SQL. The restore's own variables start with
 * RESTORE_VARIABLE_PREFIX.
 */
const PSQL_VARIABLES = new Set([
    'AUTOCOMMIT',
    'COMP_KEYWORD_CASE',
    'DBNAME',
    'ECHO',
    'ECHO_HIDDEN',
    'ENCODING',
    'ERROR',
    'FETCH_COUNT',
    'HIDE_TABLEAM',
    'HIDE_TOAST_COMPRESSION',
    'HISTCONTROL',
    'HISTFILE',
    'HISTSIZE',
    'HOST',
    'HOSTADDR',
    'IGNOREEOF',
    'LASTOID',
    'LAST_ERROR_MESSAGE',
    'LAST_ERROR_SQLSTATE',
    'ON_ERROR_ROLLBACK',
    'ON_ERROR_STOP',
    'PIPELINE_COMMAND_COUNT',
    'PIPELINE_RESULT_COUNT',
    'PIPELINE_SYNC_COUNT',
    'PORT',
    'PROMPT1',
    'PROMPT2',
    'PROMPT3',
    'QUIET',
    'ROW_COUNT',
    'SERVER_VERSION_NAME',
    'SERVER_VERSION_NUM',
    'SERVICE',
    'SHELL_ERROR',
    'SHELL_EXIT_CODE',
    'SHOW_ALL_RESULTS',
    'SHOW_CONTEXT',
    'SINGLELINE',
    'SINGLESTEP',
    'SQLSTATE',
    'USER',
    'VERBOSITY',
    'VERSION',
    'VERSION_NAME',
    'VERSION_NUM',
    'WATCH_INTERVAL',
]);
const RESTORE_VARIABLE_PREFIX = 'db_backup_';
/** How much of one statement may be held back while its fate is undecided. */
const HOLD_LIMIT = 1024 * 1024;
const RESTRICT_LINE = /^\\(restrict|unrestrict)[ \t]+[A-Za-z0-9]+[ \t\r]*$/;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const restore_filter_LF = 0x0a;
const SEMICOLON = 0x3b;
/**
 * The plain SQL of a backup on its way to psql: statements that could end
 * the restore's transaction, psql meta-commands, and (when asked) owners and
 * privileges are left out or refused, one statement at a time, with bounded
 * memory. Left-out statements become as many empty lines, so psql's line
 * numbers are the backup's. The output ends with a newline and a complete
 * statement, so the restore can add its own commands after it.
 */
class RestoreSqlFilter extends external_node_stream_.Transform {
    options;
    scanner;
    counts = {
        transaction: 0,
        'lock-timeout': 0,
        owner: 0,
        privileges: 0,
    };
    ownerRoles = new Set();
    privilegeRoles = new Set();
    restricts = 0;
    chunk = Buffer.alloc(0);
    segmentStart = 0;
    unit = 'between';
    verdict = { action: 'undecided' };
    tokens = [];
    /** The statement is an owner or privilege statement: its roles are wanted. */
    roleKind;
    held = [];
    heldBytes = 0;
    lastByte = restore_filter_LF;
    /** Passed bytes of the current chunk not pushed yet: one push for a run of statements. */
    runStart = -1;
    runEnd = -1;
    head = Buffer.alloc(0);
    /** The end of the block the current statement runs in, if it runs in one. */
    blockEnd;
    constructor(options) {
        super();
        this.options = options;
        this.scanner = new SqlScanner(this, {
            standardConformingStrings: options.standardConformingStrings ?? true,
        });
    }
    get report() {
        return {
            dropped: { ...this.counts },
            ownerRoles: this.ownerRoles,
            privilegeRoles: this.privilegeRoles,
            restrictLines: this.restricts,
        };
    }
    _transform(chunk, _encoding, callback) {
        try {
            // psql drops a UTF-8 byte-order mark only at the very start of its input, which is no longer ours.
            if (this.head !== undefined) {
                this.head = Buffer.concat([this.head, chunk]);
                if (this.head.length < BOM.length && BOM.subarray(0, this.head.length).equals(this.head)) {
                    callback();
                    return;
                }
                chunk = this.head.subarray(0, 3).equals(BOM) ? this.head.subarray(3) : this.head;
                this.head = undefined;
            }
            this.process(chunk);
            callback();
        }
        catch (error) {
            callback(this.describe(error));
        }
    }
    _flush(callback) {
        try {
            if (this.head !== undefined && this.head.length > 0)
                this.process(this.head);
            this.head = undefined;
            this.flushRun();
            this.chunk = Buffer.alloc(0);
            this.segmentStart = 0;
            const end = this.scanner.finish();
            if (end.unfinished) {
                throw new RefusedSql(`The backup's SQL ends ${end.unfinished}: the file is incomplete or damaged.`);
            }
            if (this.unit === 'statement') {
                if (this.verdict.action === 'undecided')
                    this.decide(classifyStatement(this.tokens, true, this.options));
                this.finishStatement(0);
                // psql runs a last statement without a semicolon at the end of its input; ours comes after it.
                if (end.incomplete && this.verdict.action === 'pass')
                    this.output(Buffer.from('\n;'));
            }
            if (this.lastByte !== restore_filter_LF)
                this.output(Buffer.from('\n'));
            callback();
        }
        catch (error) {
            callback(this.describe(error));
        }
    }
    describe(error) {
        if (error instanceof SqlScanError) {
            return new RefusedSql(`The backup's SQL cannot be restored safely (line ${error.line}): ${error.message}.`);
        }
        return error instanceof Error ? error : new Error(String(error));
    }
    process(chunk) {
        this.chunk = chunk;
        this.segmentStart = 0;
        this.scanner.scan(chunk);
        this.consume(chunk.length);
        this.flushRun();
    }
    /** Bytes of the current unit up to `end` of the current chunk, handled by what the unit is. */
    consume(end) {
        const start = this.segmentStart;
        this.segmentStart = end;
        if (end <= start)
            return;
        switch (this.unit) {
            case 'between':
            case 'copy':
                this.pass(start, end);
                return;
            case 'meta':
                // Replaced by the line end once the command is known to be harmless.
                return;
            case 'statement':
                break;
        }
        const bytes = this.chunk.subarray(start, end);
        switch (this.verdict.action) {
            case 'pass':
                this.pass(start, end);
                return;
            case 'drop':
                this.outputNewlines(countNewlines(bytes, 0, bytes.length));
                return;
            default:
                // Undecided: held back, a copy (the source may reuse its buffers).
                this.held.push(Buffer.from(bytes));
                this.heldBytes += bytes.length;
                if (this.heldBytes > HOLD_LIMIT) {
                    this.decide(classifyStatement(this.tokens, false, this.options, true));
                }
        }
    }
    /** Bytes start…end of the current chunk go on as they are. */
    pass(start, end) {
        if (end <= start)
            return;
        if (this.runStart !== -1 && this.runEnd === start) {
            this.runEnd = end;
            return;
        }
        this.flushRun();
        this.runStart = start;
        this.runEnd = end;
    }
    flushRun() {
        if (this.runStart === -1)
            return;
        const bytes = this.chunk.subarray(this.runStart, this.runEnd);
        this.runStart = -1;
        this.runEnd = -1;
        this.pushBytes(bytes);
    }
    /** Bytes of the restore's own (held back, or written in place of what was left out), after what passed. */
    output(bytes) {
        this.flushRun();
        this.pushBytes(bytes);
    }
    pushBytes(bytes) {
        if (bytes.length === 0)
            return;
        this.lastByte = bytes[bytes.length - 1];
        this.push(bytes);
    }
    outputNewlines(count) {
        if (count > 0)
            this.output(Buffer.from('\n'.repeat(count)));
    }
    decide(verdict) {
        if (verdict.action === 'undecided')
            return;
        if (verdict.action === 'refuse') {
            throw new RefusedSql(`The backup's SQL cannot be restored safely (line ${this.scanner.currentLine}): ${verdict.message}.`);
        }
        this.verdict = verdict;
        if (verdict.kind === 'owner' || verdict.kind === 'privileges')
            this.roleKind = verdict.kind;
        const held = this.held;
        this.held = [];
        this.heldBytes = 0;
        if (verdict.action === 'pass') {
            if (verdict.after === 'guard' && this.options.guardStatements)
                this.output(Buffer.from(`${this.options.guardStatements.disarm} `));
            if (verdict.after === 'constraint-drop')
                this.openBlock(held, verdict.drop);
            for (const bytes of held)
                this.output(bytes);
        }
        else {
            this.counts[verdict.kind] += 1;
            this.outputNewlines(held.reduce((n, bytes) => n + countNewlines(bytes, 0, bytes.length), 0));
        }
    }
    /**
     * A whole statement, held back, goes on inside a DO block that first asks
     * the catalog whether PostgreSQL would refuse the drop (a partition's
     * inherited constraint; with ONLY, a partitioned table's own CHECK while it
     * has partitions) where the current role could otherwise drop it: then the
     * constraint is kept and noted (see classifyStatement), else the statement
     * runs as written. No subtransaction, so none per constraint. Operators
     * are pg_catalog's whatever the search_path; the name is cast to `name`,
     * truncated as the server does. Written on the statement's own lines: line
     * numbers stay the backup's.
     */
    openBlock(held, drop) {
        const kept = this.options.keptConstraintsTable;
        if (kept === undefined)
            return;
        const statement = Buffer.concat(held);
        // Only a statement that ends with its semicolon (not one cut off by the end of the file).
        if (statement[statement.length - 1] !== SEMICOLON)
            return;
        let tag = '$db_backup$';
        for (let n = 1; statement.includes(tag); n += 1)
            tag = `$db_backup_${n}$`;
        // A name as the hex of its bytes, read in the client's encoding: no quote, backslash or
        // newline of its own in the block, whatever standard_conforming_strings and the encoding say.
        const text = (sql) => `pg_catalog.convert_from(pg_catalog.decode('${Buffer.from(sql, 'latin1').toString('hex')}', 'hex'), pg_catalog.pg_client_encoding())`;
        const eq = 'OPERATOR(pg_catalog.=)';
        const refused = drop.only
            ? `c.coninhcount OPERATOR(pg_catalog.>) 0 OR (r.relkind ${eq} 'p'::pg_catalog."char" AND c.contype ${eq} 'c'::pg_catalog."char" AND EXISTS (SELECT FROM pg_catalog.pg_inherits i WHERE i.inhparent ${eq} r.oid))`
            : 'c.coninhcount OPERATOR(pg_catalog.>) 0';
        this.output(Buffer.from(`DO ${tag}BEGIN INSERT INTO ${kept} SELECT c.oid FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_class r ON r.oid ${eq} c.conrelid` +
            ` WHERE c.conrelid ${eq} pg_catalog.to_regclass(${text(drop.table)})` +
            ` AND c.conname ${eq} (pg_catalog.parse_ident(${text(drop.constraint)}))[1]::pg_catalog.name` +
            ` AND pg_catalog.pg_has_role(r.relowner, 'USAGE') AND (${refused}); IF NOT FOUND THEN `));
        this.blockEnd = Buffer.from(` END IF; END${tag};`);
    }
    finishStatement(end) {
        this.consume(end);
        if (this.roleKind) {
            const roles = this.roleKind === 'owner' ? this.ownerRoles : this.privilegeRoles;
            for (const role of rolesNamed(this.tokens))
                roles.add(role);
        }
        if (this.verdict.action === 'pass' && this.verdict.after === 'lock-timeout') {
            if (this.options.lockTimeoutStatement)
                this.output(Buffer.from(` ${this.options.lockTimeoutStatement}`));
        }
        if (this.blockEnd !== undefined) {
            this.output(this.blockEnd);
            this.blockEnd = undefined;
        }
        if (this.verdict.action === 'pass' && this.verdict.after === 'guard') {
            if (this.options.guardStatements)
                this.output(Buffer.from(` ${this.options.guardStatements.rearm}`));
        }
    }
    statementStart(at) {
        // A statement that began in an earlier chunk began with `-` or `/`: a symbol, never left out.
        this.consume(Math.max(at, 0));
        this.unit = 'statement';
        this.verdict = { action: 'undecided' };
        this.tokens = [];
        this.roleKind = undefined;
    }
    token(token) {
        this.tokens.push(token);
        if (this.verdict.action === 'undecided') {
            this.decide(classifyStatement(this.tokens, false, this.options));
        }
        // Tokens stay wanted while undecided, and for the roles of owner and privilege statements.
        this.scanner.listening =
            (this.verdict.action === 'undecided' || this.roleKind !== undefined) &&
                this.tokens.length < 256;
    }
    statementEnd(end, copy) {
        if (this.verdict.action === 'undecided') {
            // consume() first, so that the held bytes include the whole statement.
            const start = this.segmentStart;
            const bytes = this.chunk.subarray(start, end);
            this.held.push(Buffer.from(bytes));
            this.segmentStart = end;
            this.decide(classifyStatement(this.tokens, true, this.options));
        }
        this.finishStatement(end);
        this.unit = copy ? 'copy' : 'between';
    }
    copyEnd(end) {
        this.consume(end);
        this.unit = 'between';
    }
    metaStart(at, atLineStart) {
        if (this.unit === 'statement' || !atLineStart) {
            throw new RefusedSql(`The backup's SQL cannot be restored safely (line ${this.scanner.currentLine}): a psql meta-command (a backslash) inside an SQL statement.`);
        }
        this.consume(at);
        this.unit = 'meta';
    }
    metaEnd(text, end) {
        if (!RESTRICT_LINE.test(text)) {
            const command = /^\\([A-Za-z]+|.)/.exec(text)?.[0] ?? '\\';
            throw new RefusedSql(`The backup's SQL cannot be restored safely (line ${this.scanner.currentLine - (end === -1 ? 0 : 1)}): it holds the psql meta-command ${command}, and a restore runs no psql commands from a backup (they could run programs or read files on this machine, what pg_dump's \\restrict guards against)${command === '\\connect' || command === '\\c' ? '; a dump made with pg_dump --create switches databases with \\connect: make it without --create, and restore into the database you name' : ''}.`);
        }
        this.restricts += 1;
        if (end !== -1) {
            this.segmentStart = end;
            this.outputNewlines(1);
        }
        this.unit = 'between';
    }
    variable(name) {
        if (PSQL_VARIABLES.has(name) || name.startsWith(RESTORE_VARIABLE_PREFIX)) {
            throw new RefusedSql(`The backup's SQL cannot be restored safely (line ${this.scanner.currentLine}): it names the psql variable :${name}, whose value psql would paste into the SQL.`);
        }
    }
}

;// CONCATENATED MODULE: ./src/engines/postgres/lock-monitor.ts
const POLL_MS = 500;
/**
 * Watches the restore's backend from a second connection: while it waits
 * for a lock (pg_blocking_pids), the sessions that hold it are logged once,
 * and remembered for the error if the wait ends at lock_timeout.
 */
class LockMonitor {
    client;
    backendPid;
    log;
    lockTimeoutMs;
    timer;
    polling;
    lastPids = '';
    observed = [];
    stopped = false;
    constructor(client, backendPid, log, lockTimeoutMs) {
        this.client = client;
        this.backendPid = backendPid;
        this.log = log;
        this.lockTimeoutMs = lockTimeoutMs;
    }
    start() {
        const schedule = () => {
            if (this.stopped)
                return;
            this.timer = setTimeout(() => {
                this.polling = this.poll().finally(schedule);
            }, POLL_MS);
            // Nothing to wait for once the restore is over.
            this.timer.unref();
        };
        schedule();
    }
    /** The sessions seen blocking the restore, most recent wait. */
    get blockers() {
        return this.observed;
    }
    async stop() {
        this.stopped = true;
        if (this.timer)
            clearTimeout(this.timer);
        await this.polling?.catch(() => undefined);
    }
    async poll() {
        try {
            const sessions = await blockingSessions(this.client, this.backendPid);
            const pids = sessions.map((session) => session.pid).join(',');
            if (sessions.length > 0)
                this.observed = sessions;
            if (pids && pids !== this.lastPids) {
                const limit = this.lockTimeoutMs > 0
                    ? `it gives up after ${formatMs(this.lockTimeoutMs)} (--lock-timeout)`
                    : 'it waits as long as it takes (--lock-timeout 0)';
                this.log.info(`The restore is waiting for a lock held by ${describeSessions(sessions)}; ${limit}.`);
            }
            this.lastPids = pids;
        }
        catch {
            // A monitor that cannot ask is no reason to stop a restore.
        }
    }
}
/** The sessions that block `pid` (pg_blocking_pids), as pg_stat_activity shows them. */
async function blockingSessions(client, pid) {
    const result = await client.query(`SELECT a.pid, a.usename AS user, a.application_name AS application, a.state
     FROM pg_catalog.pg_stat_activity a
     WHERE a.pid = ANY (pg_catalog.pg_blocking_pids($1)) ORDER BY a.pid`, [pid]);
    return result.rows;
}
/**
 * After a lock wait gave up, the waiter no longer waits: the sessions that
 * still hold locks on tables of the database are the likely blockers.
 */
async function sessionsHoldingLocks(client, database, exceptPid) {
    const result = await client.query(`SELECT DISTINCT a.pid, a.usename AS user, a.application_name AS application, a.state
     FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
     WHERE l.granted AND l.locktype = 'relation'
       AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = $1)
       AND a.pid <> pg_catalog.pg_backend_pid() AND a.pid <> $2
     ORDER BY a.pid`, [database, exceptPid]);
    return result.rows;
}
function describeSessions(sessions) {
    return sessions
        .map((session) => {
        const parts = [
            session.user ? `user ${session.user}` : undefined,
            session.application ? `application "${session.application}"` : undefined,
            session.state ? `state ${session.state}` : undefined,
        ].filter(Boolean);
        return `pid ${session.pid}${parts.length ? ` (${parts.join(', ')})` : ''}`;
    })
        .join(', ');
}
function formatMs(ms) {
    if (ms % 60_000 === 0)
        return `${ms / 60_000} min`;
    if (ms % 1000 === 0)
        return `${ms / 1000} s`;
    return `${ms} ms`;
}

;// CONCATENATED MODULE: ./src/engines/postgres/psql-errors.ts
const ERROR_LINE = /^(?:psql:[^:]*:(\d+): )?(?:ERROR|FATAL|PANIC):\s+(?:([0-9A-Z]{5}): )?(.*)$/;
/** The last ERROR/FATAL psql printed (verbose: `psql:<stdin>:12: ERROR:  42P07: relation … exists`). */
function parsePsqlError(stderr) {
    const lines = stderr.split(/\r?\n/);
    for (let i = lines.length - 1; i >= 0; i -= 1) {
        const match = ERROR_LINE.exec(lines[i] ?? '');
        if (!match)
            continue;
        const details = [];
        for (const line of lines.slice(i + 1)) {
            if (/^(DETAIL|HINT|CONTEXT|LINE \d+):/.test(line)) {
                const text = line.replace(/\s+/g, ' ').trim();
                details.push(text.length > 300 ? `${text.slice(0, 300)}…` : text);
            }
        }
        return {
            sqlstate: match[2],
            message: (match[3] ?? '').trim(),
            inputLine: match[1] === undefined ? undefined : Number(match[1]),
            details,
        };
    }
    return undefined;
}
/** SQLSTATE of a lock wait that gave up at lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';
/** SQLSTATE of a server out of shared memory: among others, its lock table full. */
const OUT_OF_MEMORY = '53200';
/** SQLSTATE of a table definition PostgreSQL refuses (among others: dropping an inherited constraint). */
const INVALID_TABLE_DEFINITION = '42P16';
/** SQLSTATE of a reference to something that does not exist (a role, among others). */
const UNDEFINED_OBJECT = '42704';
/**
 * SQLSTATEs of a CREATE for something that exists already (duplicate_table,
 * duplicate_object, duplicate_schema, duplicate_function): what a dump made
 * without --clean meets in a database that holds what it creates.
 */
const ALREADY_EXISTS = new Set(['42P07', '42710', '42P06', '42723']);

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
;// CONCATENATED MODULE: ./src/engines/postgres/plpgsql.ts
/** pg_language's row for PL/pgSQL, and the current user may use it. */
const PLPGSQL_ROW = "SELECT FROM pg_catalog.pg_language l WHERE l.lanname OPERATOR(pg_catalog.=) 'plpgsql' AND pg_catalog.has_language_privilege(l.oid, 'USAGE')";
/**
 * SQL that is true where PL/pgSQL is installed and the user may run it: DO
 * blocks work. Every database has it unless someone dropped the extension.
 */
const PLPGSQL_USABLE = (/* unused pure expression or super */ null && (`EXISTS (${PLPGSQL_ROW})`));
/**
 * As PLPGSQL_USABLE, and every role may run it too (PUBLIC has USAGE, as by
 * default): a backup's SQL may go on as another role (SET SESSION
 * AUTHORIZATION, SET ROLE).
 */
const PLPGSQL_USABLE_BY_ALL = `EXISTS (${PLPGSQL_ROW} AND (l.lanacl IS NULL OR EXISTS (SELECT FROM pg_catalog.aclexplode(l.lanacl) a WHERE a.grantee OPERATOR(pg_catalog.=) 0::pg_catalog.oid AND a.privilege_type OPERATOR(pg_catalog.=) 'USAGE')))`;

;// CONCATENATED MODULE: ./src/engines/postgres/psql-session.ts








const psql_session_STDERR_LIMIT = 8 * 1024;
const STDOUT_LINE_LIMIT = 4 * 1024;
/**
 * psql with stdin, stdout and stderr as pipes: query results go nowhere, so
 * stdout carries only the restore's own markers. ON_ERROR_STOP stops at the
 * first error; VERBOSITY=verbose gives its SQLSTATE.
 */
function psqlArguments() {
    return [
        '--no-psqlrc',
        '--quiet',
        '--no-password',
        '--set=ON_ERROR_STOP=1',
        // A transaction end the filter did not see (psql read the SQL otherwise) starts a new
        // transaction at once rather than letting what follows commit statement by statement.
        '--set=AUTOCOMMIT=off',
        '--set=VERBOSITY=verbose',
        `--output=${(external_node_os_default()).devNull}`,
        '--file=-',
    ];
}
/**
 * One restore transaction run by psql, with a commit protocol that holds
 * however this process ends:
 *
 * 1. `BEGIN`, a guard that makes any COMMIT but the restore's own fail
 *    (below), then psql reports the backend's pid and the transaction's id
 *    on stdout, marked with a nonce no backup can know.
 * 2. The (filtered) backup's SQL streams in.
 * 3. psql reports "ready" once it has run every statement before that line;
 *    only then, and only if the transaction is still the one that began, is
 *    `COMMIT` written. Until that moment psql's input holds no COMMIT: if this
 *    process dies (SIGKILL included), psql reads to the end of its input
 *    without one, and the server rolls the transaction back.
 * 4. psql reports "committed" after COMMIT succeeded.
 *
 * The guard: a temporary table holding two equal keys under a deferred
 * unique constraint, which the restore empties just before its own COMMIT.
 * A COMMIT psql runs before that — one the restore filter did not see,
 * because psql came to read the SQL differently (a DO block or set_config()
 * changing standard_conforming_strings under psql's lexer) — fails the
 * unique check and rolls the whole restore back instead of committing part
 * of it. With AUTOCOMMIT off, a ROLLBACK it did not see leaves what follows
 * in a new transaction that never commits (the "ready" check sees it).
 */
class PsqlSession {
    nonce = (0,external_node_crypto_.randomBytes)(16).toString('hex');
    child;
    exited;
    exitStatus;
    /** The process itself ended (its pipes may stay open a while, held by a child of a wrapper). */
    ended;
    processEnded = false;
    stderrText = '';
    stdoutCarry = '';
    waiters = new Map();
    seen = new Map();
    spawnError;
    stage = 'starting';
    backend;
    /** The commit guard is in place (the user may create temporary tables in the database). */
    guarded = false;
    /** Every role may run PL/pgSQL here (DO blocks), for the restore filter's constraint-drop blocks. */
    plpgsql = false;
    /** Some table of the database inherits from another (partitions among them) at the start. */
    inherits = false;
    constructor(program, file, env) {
        this.child = (0,child_processes/* startChild */.v0)('libpq-client', file, psqlArguments(), {
            env,
            stdio: ['pipe', 'pipe', 'pipe'],
        });
        this.child.stderr?.setEncoding('utf8');
        this.child.stderr?.on('data', (chunk) => {
            this.stderrText = (this.stderrText + chunk).slice(-psql_session_STDERR_LIMIT);
        });
        this.child.stdout?.setEncoding('utf8');
        this.child.stdout?.on('data', (chunk) => this.readStdout(chunk));
        // A psql that dies closes its stdin: writes then fail with EPIPE, and its exit says why.
        this.child.stdin?.on('error', () => undefined);
        this.ended = new Promise((resolve) => {
            this.child.on('exit', () => {
                this.processEnded = true;
                resolve();
            });
            this.child.on('error', () => {
                this.processEnded = true;
                resolve();
            });
        });
        this.exited = new Promise((resolve) => {
            this.child.on('error', (error) => {
                this.spawnError =
                    error.code === 'ENOENT'
                        ? new errors/* UserError */.yo(`Cannot run ${program}: ${file} does not exist.`)
                        : new errors/* UserError */.yo(`Cannot run ${program} (${file}): ${error.message}`);
            });
            this.child.on('close', (code, signal) => {
                this.exitStatus = { code, signal };
                this.releaseWaiters();
                resolve({ code, signal });
            });
        });
    }
    get prefix() {
        return `${RESTORE_VARIABLE_PREFIX}${this.nonce}_`;
    }
    /** The guard table: pg_temp, named with the nonce. */
    get guardName() {
        return `${this.prefix}guard`;
    }
    /** The guard's deferred unique constraint: a COMMIT that fails on it was not the restore's. */
    get guardConstraint() {
        return `${this.prefix}unique`;
    }
    /** What the restore filter writes around `SET CONSTRAINTS` (undefined without a guard). */
    guardStatements() {
        if (!this.guarded)
            return undefined;
        const table = `pg_temp.${this.guardName}`;
        return {
            disarm: `DELETE FROM ${table};`,
            rearm: `SET CONSTRAINTS pg_temp.${this.guardConstraint} DEFERRED; INSERT INTO ${table} VALUES (1), (1);`,
        };
    }
    /** psql's process id (for tests and logs). */
    get pid() {
        return this.child.pid;
    }
    /** The last few KiB psql wrote to stderr, secrets masked. */
    stderr() {
        return (0,secrets/* redact */.E$)(this.stderrText.trim());
    }
    get running() {
        return !this.processEnded && this.exitStatus === undefined;
    }
    /** Opens the transaction and learns its backend and id; fails with psql's own error when it cannot connect. */
    async begin(lockTimeoutMs) {
        await this.write(this.prologue(lockTimeoutMs)
            .map((line) => `${line}\n`)
            .join(''));
        const words = await this.waitFor('start');
        const [pid, xid, std, guard, plpgsql, inherits] = words;
        if (!pid || !xid || !/^\d+$/.test(pid) || !/^\d+$/.test(xid)) {
            throw this.failure('psql did not start the restore');
        }
        this.backend = { pid: Number(pid), xid, standardConformingStrings: std !== 'off' };
        this.guarded = guard === 't';
        this.plpgsql = plpgsql === 't';
        this.inherits = inherits === 't';
        this.stage = 'applying';
        return this.backend;
    }
    /**
     * What psql reads before the backup: the transaction, the restore's lock
     * timeout, no statement or transaction time limit (as pg_dump's own output
     * sets, for SQL that does not), and the report of backend and transaction.
     */
    prologue(lockTimeoutMs) {
        const p = this.prefix;
        return [
            'BEGIN;',
            // Without the TEMPORARY privilege there is no guard; the restore says so (guarded).
            `SELECT pg_catalog.has_database_privilege(pg_catalog.current_database(), 'TEMPORARY') AS ${p}guard \\gset`,
            `\\if :${p}guard`,
            `CREATE TEMPORARY TABLE ${this.guardName} (k integer CONSTRAINT ${this.guardConstraint} UNIQUE DEFERRABLE INITIALLY DEFERRED) ON COMMIT DROP;`,
            `INSERT INTO pg_temp.${this.guardName} VALUES (1), (1);`,
            // The backup may end under another role (SET SESSION AUTHORIZATION, SET ROLE): it must still disarm it.
            `GRANT INSERT, DELETE ON pg_temp.${this.guardName} TO PUBLIC;`,
            `CREATE TEMPORARY TABLE ${this.keptName} (con oid) ON COMMIT DROP;`,
            `GRANT INSERT, SELECT ON pg_temp.${this.keptName} TO PUBLIC;`,
            '\\endif',
            `SET lock_timeout = ${lockTimeoutMs};`,
            'SET statement_timeout = 0;',
            'SET idle_in_transaction_session_timeout = 0;',
            "SELECT pg_catalog.set_config('transaction_timeout', '0', false) WHERE pg_catalog.current_setting('server_version_num')::integer >= 170000;",
            `SELECT pg_catalog.pg_backend_pid() AS ${p}pid, pg_catalog.txid_current() AS ${p}xid, pg_catalog.current_setting('standard_conforming_strings') AS ${p}std \\gset`,
            `SELECT ${PLPGSQL_USABLE_BY_ALL} AS ${p}plpgsql, EXISTS (SELECT FROM pg_catalog.pg_inherits) AS ${p}inherits \\gset`,
            `\\echo ${this.marker('start')} :${p}pid :${p}xid :${p}std :${p}guard :${p}plpgsql :${p}inherits`,
            `\\unset ${p}guard`,
            `\\unset ${p}pid`,
            `\\unset ${p}xid`,
            `\\unset ${p}std`,
            `\\unset ${p}plpgsql`,
            `\\unset ${p}inherits`,
        ];
    }
    /** How many lines begin() wrote before the backup's first line (psql's line numbers count them). */
    get prologueLines() {
        return this.prologue(0).length;
    }
    /** Writes to psql's stdin, waiting while its pipe is full; fails once psql is gone. */
    async write(chunk) {
        const stdin = this.child.stdin;
        if (!stdin || stdin.destroyed || !this.running)
            throw this.failure('psql stopped reading');
        if (stdin.write(chunk))
            return;
        await new Promise((resolve, reject) => {
            const done = () => {
                stdin.off('drain', done);
                stdin.off('close', gone);
                resolve();
            };
            const gone = () => {
                stdin.off('drain', done);
                stdin.off('close', gone);
                reject(this.failure('psql stopped reading'));
            };
            stdin.on('drain', done);
            stdin.on('close', gone);
        });
    }
    /** The table, made with the guard's, of the constraints a constraint-drop block kept. */
    get keptName() {
        return `${this.prefix}kept`;
    }
    /**
     * Where the restore filter's constraint-drop blocks note each constraint
     * they kept because PostgreSQL would refuse its drop (see
     * RestoreSqlFilter): a temporary table made with the commit guard, which
     * the backup's SQL cannot name. Undefined where no
     * table of the database inherits from another (pg_dump's drops come
     * before its tables: none can be refused so; the blocks would only cost
     * time), where PL/pgSQL cannot run for every role, or without the guard.
     */
    get keptConstraintsTable() {
        return this.inherits && this.constraintBlocksCanRun ? `pg_temp.${this.keptName}` : undefined;
    }
    /** The constraint-drop blocks can run: PL/pgSQL for every role, and the guard's temporary tables. */
    get constraintBlocksCanRun() {
        return this.plpgsql && this.guarded;
    }
    /**
     * After the whole backup: waits until psql has run all of it, checks that
     * the transaction is still the one that began and that every constraint a
     * constraint-drop block kept is gone since (with its table, most often),
     * then commits.
     */
    async commit(stalled) {
        const backend = this.backend;
        if (!backend)
            throw new Error('commit() before begin()');
        const p = this.prefix;
        const kept = this.keptConstraintsTable;
        await this.write([
            '',
            `SELECT pg_catalog.txid_current() AS ${p}now \\gset`,
            // The notes go with a transaction the SQL ended (the check of `now` tells): asked only if there.
            ...(kept === undefined
                ? [`\\set ${p}kept 0`]
                : [
                    `SELECT pg_catalog.to_regclass('${kept}') IS NOT NULL AS ${p}notes \\gset`,
                    `\\if :${p}notes`,
                    `SELECT pg_catalog.count(DISTINCT c.oid) AS ${p}kept FROM ${kept} k JOIN pg_catalog.pg_constraint c ON c.oid OPERATOR(pg_catalog.=) k.con \\gset`,
                    '\\else',
                    `\\set ${p}kept gone`,
                    '\\endif',
                ]),
            `\\echo ${this.marker('ready')} :${p}now :${p}kept`,
            '',
        ].join('\n'));
        const [now, stillThere] = await this.waitForReady(stalled);
        if (now !== backend.xid) {
            throw new errors/* JobFailure */.y3(`The backup's SQL ended the restore's transaction early (psql now runs in transaction ${now ?? '?'}, not ${backend.xid}).`);
        }
        if (stillThere === 'gone') {
            throw new errors/* JobFailure */.y3("The backup's SQL dropped the restore's own temporary table of the constraints it kept, so whether the database is what the SQL says cannot be checked.");
        }
        if (stillThere !== '0') {
            throw new errors/* JobFailure */.y3(`The backup's SQL drops a constraint that PostgreSQL keeps (a partition's inherited one, or a partitioned table's own CHECK), and the constraint is still there at the end (${stillThere ?? '?'} such constraints; pg_dump's own SQL drops such a table after): restored so, the database would not be what the SQL says.`);
        }
        this.stage = 'committing';
        await this.write(`${this.guarded ? `DELETE FROM pg_temp.${this.guardName};\n` : ''}COMMIT;\n\\echo ${this.marker('committed')}\n`);
        this.child.stdin?.end();
        await this.waitFor('committed');
        const { code, signal } = await this.exited;
        if (code !== 0 || signal)
            throw this.failure('psql did not finish the restore');
        this.stage = 'committed';
    }
    /**
     * Stops psql at once (it never saw COMMIT, so its transaction cannot
     * commit) and waits for it to end; with `forOutput`, also (briefly) for its
     * last words on stderr, which arrive when its pipes close.
     */
    async abort(forOutput = true) {
        if (this.running)
            this.child.kill('SIGKILL');
        // Whatever else holds psql's input (a wrapper's own child) sees its end, without COMMIT.
        this.child.stdin?.destroy();
        await this.ended;
        this.releaseWaiters();
        if (!forOutput)
            return;
        let timer;
        await Promise.race([
            this.exited,
            new Promise((resolve) => {
                timer = setTimeout(resolve, 2000);
            }),
        ]);
        clearTimeout(timer);
    }
    /** How psql ended, when it did so on its own terms (an exit code other than 0, or a signal). */
    exitDescription() {
        const status = this.exitStatus;
        if (!status || (status.code === 0 && !status.signal))
            return undefined;
        return describeExit('psql', status.code, status.signal, this.stderr());
    }
    releaseWaiters() {
        for (const waiter of this.waiters.values())
            waiter(undefined);
        this.waiters.clear();
    }
    /** Ends psql's input without COMMIT: psql reaches its end, and the server rolls back. */
    async close() {
        this.child.stdin?.end();
        await this.exited;
    }
    /** Resolves when psql exits. */
    async exit() {
        return this.exited;
    }
    marker(name) {
        return `db-backup-${this.nonce}-${name}`;
    }
    /**
     * The "ready" marker; `stalled` is asked every second meanwhile. psql that
     * waits for more input after all of it was written read the SQL otherwise
     * than the filter (an open quote where the filter saw it closed), and
     * would wait for ever: that is refused.
     */
    async waitForReady(stalled) {
        if (!stalled)
            return this.waitFor('ready');
        let timer;
        let done = false;
        const watch = new Promise((_resolve, reject) => {
            const check = () => {
                timer = setTimeout(() => {
                    stalled()
                        .then((stuck) => {
                        if (done)
                            return;
                        if (stuck) {
                            reject(new RefusedSql("psql kept waiting for the rest of a statement after the whole backup was sent, so it read the backup's SQL otherwise than the restore filter (for example after standard_conforming_strings was changed by set_config() or a DO block); such SQL cannot be restored safely"));
                        }
                        else
                            check();
                    })
                        .catch(() => {
                        if (!done)
                            check();
                    });
                }, 1000);
            };
            check();
        });
        try {
            return await Promise.race([this.waitFor('ready'), watch]);
        }
        finally {
            done = true;
            clearTimeout(timer);
        }
    }
    /** Waits for a marker line; fails (with psql's error) if psql exits first. */
    async waitFor(name) {
        const seen = this.seen.get(name);
        if (seen)
            return seen;
        if (!this.running)
            throw this.failure('psql stopped');
        const words = await new Promise((resolve) => {
            this.waiters.set(name, resolve);
        });
        if (!words)
            throw this.failure('psql stopped');
        return words;
    }
    readStdout(chunk) {
        const text = this.stdoutCarry + chunk;
        const lines = text.split('\n');
        this.stdoutCarry = (lines.pop() ?? '').slice(-STDOUT_LINE_LIMIT);
        const start = `db-backup-${this.nonce}-`;
        for (const line of lines) {
            if (!line.startsWith(start))
                continue;
            const [name = '', ...words] = line.slice(start.length).trim().split(/\s+/);
            this.seen.set(name, words);
            const waiter = this.waiters.get(name);
            this.waiters.delete(name);
            waiter?.(words);
        }
    }
    /** psql's exit and last error as a JobFailure (a spawn problem stays a UserError). */
    failure(what) {
        if (this.spawnError)
            return this.spawnError;
        const status = this.exitStatus;
        if (!status)
            return new errors/* JobFailure */.y3(`${what}.`);
        return new errors/* JobFailure */.y3(describeExit('psql', status.code, status.signal, this.stderr()));
    }
}

// EXTERNAL MODULE: ./src/engines/postgres/server.ts + 1 modules
var server = __webpack_require__(84584);
// EXTERNAL MODULE: external "node:timers/promises"
var external_node_timers_promises_ = __webpack_require__(58500);
;// CONCATENATED MODULE: ./src/engines/postgres/transaction-outcome.ts

/**
 * Asks the server what became of the restore's transaction (txid_status),
 * once psql is gone. A backend busy with a long statement (an index build)
 * only notices that psql went away when the statement ends, so a
 * transaction still in progress has its backend terminated — only that
 * backend, recognised by its pid and its transaction — and is asked again
 * until it is over.
 */
async function transactionOutcome(connect, backend, options = {}) {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    let client;
    try {
        client = await connect();
    }
    catch (error) {
        return {
            status: 'unknown',
            reason: `the server could not be asked (${error.message})`,
        };
    }
    try {
        let terminated = false;
        for (let wait = 50;; wait = Math.min(wait * 2, 1000)) {
            const result = await client.query('SELECT pg_catalog.txid_status($1::bigint) AS status', [backend.xid]);
            const status = result.rows[0]?.status ?? null;
            if (status === 'aborted')
                return { status: 'aborted' };
            if (status === 'committed')
                return { status: 'committed' };
            if (status === null) {
                return {
                    status: 'unknown',
                    reason: `the server no longer knows transaction ${backend.xid}`,
                };
            }
            if (!terminated) {
                terminated = true;
                // Without the right to signal it (another role's backend), waiting is all that is left.
                await client
                    .query(`SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity
             WHERE pid = $1 AND backend_xid::text = ($2::bigint % 4294967296)::text`, [backend.pid, backend.xid])
                    .catch(() => undefined);
            }
            if (Date.now() > deadline) {
                return {
                    status: 'unknown',
                    reason: `transaction ${backend.xid} (backend ${backend.pid}) was still in progress after psql stopped`,
                };
            }
            await (0,external_node_timers_promises_.setTimeout)(wait);
        }
    }
    catch (error) {
        return {
            status: 'unknown',
            reason: `the server could not be asked (${error.message})`,
        };
    }
    finally {
        await client.end().catch(() => undefined);
    }
}

;// CONCATENATED MODULE: ./src/engines/postgres/restore-transaction.ts











/** Stopping psql and learning the outcome must end before `docker stop` sends SIGKILL (10 s). */
const INTERRUPT_OUTCOME_MS = 5000;
/** The signal handler waits this long for the restore's own checked account. */
const INTERRUPT_ANSWER_MS = 7000;
/**
 * Runs the backup's SQL in one transaction (PsqlSession's protocol), through
 * the restore filter. On any failure psql is stopped, the server is asked
 * what became of the transaction, and the error says that — never more.
 */
async function applyInTransaction(source, options) {
    const { location, database, psql } = options;
    const env = { ...(0,connection/* libpqEnvironment */.SQ)(location, database), ...psql.env };
    const session = new PsqlSession('psql', psql.path, env);
    let backend;
    try {
        backend = await session.begin(options.lockTimeoutMs);
    }
    catch (error) {
        await session.abort();
        throw startFailure(error, session, options);
    }
    const monitorClient = await (0,server/* connect */.Ng)(location, database).catch(() => undefined);
    const monitor = monitorClient
        ? new LockMonitor(monitorClient, backend.pid, options.log, options.lockTimeoutMs)
        : undefined;
    monitor?.start();
    options.interruption?.attach(session);
    const filter = new RestoreSqlFilter({
        ...options.policy,
        standardConformingStrings: backend.standardConformingStrings,
        lockTimeoutStatement: `SET lock_timeout = ${options.lockTimeoutMs};`,
        ...(session.keptConstraintsTable ? { keptConstraintsTable: session.keptConstraintsTable } : {}),
        ...(session.guarded ? { guardStatements: session.guardStatements() } : {}),
    });
    if (!session.guarded) {
        options.log.warn(`The restoring user may not create temporary tables in "${database}", so the restore runs without its commit guard: a COMMIT hidden in SQL that psql reads otherwise than the restore filter could commit part of the backup. GRANT TEMPORARY ON DATABASE to the restoring user to have it.`);
    }
    try {
        const sink = new external_node_stream_.Writable({
            highWaterMark: 1024 * 1024,
            write: (chunk, _encoding, callback) => {
                session.write(chunk).then(() => callback(), callback);
            },
        });
        await source.decodeInto(async (chunks) => {
            await (0,promises_.pipeline)(chunks, filter, sink);
        });
        await session.commit(monitorClient ? () => waitsForInput(monitorClient, backend.pid) : undefined);
        return filter.report;
    }
    catch (error) {
        const interrupted = options.interruption?.signal;
        // Interrupted: psql is already stopped, and the time left is for asking the server.
        await session.abort(!interrupted);
        await monitor?.stop();
        const blockers = await lockBlockers(session, monitor, monitorClient, database, backend);
        const outcome = await transactionOutcome(() => (0,server/* connect */.Ng)(location, database), backend, {
            timeoutMs: interrupted ? INTERRUPT_OUTCOME_MS : 60_000,
        });
        if (outcome.status === 'committed' && session.stage === 'committing' && !interrupted) {
            // Everything ran before COMMIT was sent, and COMMIT went through: psql only failed to say so.
            options.log.warn(`psql ended without confirming COMMIT, and the server reports transaction ${backend.xid} committed: the restore is complete.`);
            return filter.report;
        }
        throw describeFailure(error, session, outcome, backend, blockers, options, interrupted);
    }
    finally {
        options.interruption?.detach();
        await monitor?.stop();
        await monitorClient?.end().catch(() => undefined);
    }
}
/**
 * What a restore does when SIGINT/SIGTERM comes while psql runs: psql is
 * stopped before it could see COMMIT (once COMMIT was sent, it is left to
 * finish), and the signal handler waits for the restore's own account of the
 * outcome — checked with the server, after its cleanup — and prints that.
 * Create one per restore; `dispose` when the restore ends.
 */
class RestoreInterruption {
    signal;
    session;
    resolveAnswer = () => undefined;
    answered = new Promise((resolve) => {
        this.resolveAnswer = resolve;
    });
    remove = (0,interruptions/* onInterrupt */.nA)((signal) => this.request(signal));
    /** The swap that puts a restored database in the target's place, once begun: its outcome. */
    swap;
    stopSwap;
    /** A signal came while the swap ran: its handler is waiting for the swap's outcome. */
    stopping = false;
    /** pg_restore --jobs is filling the new database. */
    filling = false;
    attach(session) {
        this.session = session;
    }
    /** pg_restore --jobs fills the new database: a signal from now on gets the cleanup's account. */
    fillingInParallel() {
        this.filling = true;
        return () => {
            this.filling = false;
        };
    }
    /**
     * The restored database is taking the target's place: a signal from now on
     * waits for the swap (one short transaction) to end and says what it did,
     * so "nothing changed" is never said of a target that was replaced.
     */
    swapping(outcome, stop) {
        this.swap = outcome;
        this.stopSwap = stop;
    }
    detach() {
        this.session = undefined;
    }
    /** Hands the final message to the waiting signal handler (which ends the process); never returns. */
    async answer(message) {
        this.resolveAnswer(message);
        return new Promise(() => undefined);
    }
    dispose() {
        this.remove();
    }
    async request(signal) {
        const session = this.session;
        // No psql running: nothing of this restore can commit; the process may end at once,
        // unless the swap has begun: then what it did is the last word.
        if (!session) {
            if (this.filling) {
                // pg_restore is stopped by its own handler; the restore then drops the new database
                // and hands its account here. The target is untouched either way.
                this.signal = signal;
                return this.answerOr(`Stopped by ${signal} while pg_restore filled the new database beside the target, which was never touched; the new database, marked as this tool's, is dropped by the next restore if this one could not.`);
            }
            if (!this.swap)
                return undefined;
            this.stopping = true;
            await this.stopSwap?.();
            return `${signal} came ${await this.swap}`;
        }
        this.signal = signal;
        if (session.stage === 'starting' || session.stage === 'applying')
            await session.abort(false);
        return this.answerOr(session.stage === 'committing'
            ? `Stopped by ${signal} while COMMIT was under way; whether it committed could not be checked in time: check the database.`
            : `Stopped by ${signal}. psql was stopped before it received COMMIT, so the server rolls the restore back; the check did not finish in time: check the database before using it.`);
    }
    /** The restore's own account, or `late` when it does not come in the time a stop may take. */
    async answerOr(late) {
        let timer;
        const timedOut = new Promise((resolve) => {
            timer = setTimeout(() => resolve(late), INTERRUPT_ANSWER_MS);
        });
        return Promise.race([this.answered, timedOut]).finally(() => clearTimeout(timer));
    }
}
/**
 * How long psql's session may sit idle in the transaction, with all the
 * backup written, before psql is taken to wait for input it will never get.
 * Between statements psql reads on at once; only a huge result it formats
 * (to nowhere) keeps it busy that long, which a restore's SQL does not ask.
 */
const STALL_SECONDS = 30;
async function waitsForInput(client, pid) {
    const result = await client.query(`SELECT state = 'idle in transaction'
            AND pg_catalog.clock_timestamp() - state_change > pg_catalog.make_interval(secs => $2) AS stalled
     FROM pg_catalog.pg_stat_activity WHERE pid = $1`, [pid, STALL_SECONDS]);
    return result.rows[0]?.stalled === true;
}
function startFailure(error, session, options) {
    if ((0,errors/* isWorded */.UD)(error) && error.kind === 'refused')
        return error;
    const psqlError = parsePsqlError(session.stderr());
    const reason = psqlError?.message ?? error.message;
    return new errors/* JobFailure */.y3(`psql could not start the restore into "${options.database}": ${reason}. Nothing of the backup was sent.`);
}
async function lockBlockers(session, monitor, client, database, backend) {
    if (parsePsqlError(session.stderr())?.sqlstate !== LOCK_NOT_AVAILABLE)
        return [];
    if (monitor && monitor.blockers.length > 0)
        return monitor.blockers;
    if (!client)
        return [];
    return sessionsHoldingLocks(client, database, backend.pid).catch(() => []);
}
function describeFailure(error, session, outcome, backend, blockers, options, interrupted) {
    const target = `"${options.target}"`;
    const cause = describeCause(error, session, blockers, options, interrupted);
    const unchanged = options.unchanged ?? `${target} is as it was`;
    switch (outcome.status) {
        case 'aborted': {
            const text = `${cause.text} The restore was rolled back (the server reports its transaction ${backend.xid} aborted): ${unchanged}.${cause.advice}`;
            return cause.refused && !interrupted ? new RefusedSql(text) : new errors/* JobFailure */.y3(text);
        }
        case 'committed':
            return new errors/* JobFailure */.y3(`${cause.text} The server reports the restore's transaction ${backend.xid} COMMITTED although the restore did not finish: ${target} may hold part of the backup. Restore the safety backup, or this backup again, before using it.`);
        case 'unknown': {
            const sent = session.stage === 'committing'
                ? 'COMMIT had been sent, so it may have committed'
                : 'psql never received COMMIT, so the server rolls it back';
            return new errors/* JobFailure */.y3(`${cause.text} Whether the restore was rolled back could not be checked: ${outcome.reason}. ${sent}; check ${target} before using it.`);
        }
    }
}
function describeCause(error, session, blockers, options, interrupted) {
    if (interrupted)
        return { text: `Stopped by ${interrupted}.`, advice: '', refused: false };
    if (error instanceof RefusedSql)
        return { text: error.message, advice: '', refused: true };
    const psqlError = parsePsqlError(session.stderr());
    if (!psqlError) {
        const text = error instanceof Error ? error.message : String(error);
        return {
            text: `The restore stopped: ${text.replace(/\.?$/, '.')}`,
            advice: '',
            refused: false,
        };
    }
    const line = psqlError.inputLine !== undefined ? psqlError.inputLine - session.prologueLines : 0;
    const where = line > 0 ? ` at line ${line} of the backup's SQL` : '';
    if (psqlError.message.includes(`"${session.guardConstraint}"`)) {
        return {
            text: `The backup's SQL ended the restore's transaction${where} with a COMMIT the restore filter did not see (psql came to read the SQL differently, for example after standard_conforming_strings was changed by set_config() or a DO block), and the restore's commit guard made that COMMIT fail.`,
            advice: '',
            refused: true,
        };
    }
    const state = psqlError.sqlstate ? ` (SQLSTATE ${psqlError.sqlstate})` : '';
    const details = psqlError.details.length > 0 ? ` ${psqlError.details.join(' ')}` : '';
    if (psqlError.sqlstate === LOCK_NOT_AVAILABLE) {
        const held = blockers.length > 0 ? ` held by ${describeSessions(blockers)}` : '';
        return {
            text: `The restore waited longer than --lock-timeout (${formatMs(options.lockTimeoutMs)}) for a lock on "${options.target}"${held}${where}.`,
            advice: ` End or finish ${blockers.length > 0 ? 'those sessions' : 'the sessions that hold locks on its tables'} (for example SELECT pg_terminate_backend(${blockers[0]?.pid ?? 'pid'})), or restore with a longer --lock-timeout (0 waits as long as it takes).`,
            refused: false,
        };
    }
    const roleHint = psqlError.sqlstate === UNDEFINED_OBJECT && /^role ".*" does not exist/.test(psqlError.message)
        ? ' Create the missing roles on this server first, or restore with --no-owner --no-privileges.'
        : '';
    // pg_dump's drop of a partition's inherited key, run as written (see RestoreSqlFilter).
    const partitionHint = psqlError.sqlstate === INVALID_TABLE_DEFINITION &&
        /^cannot (drop inherited constraint|remove constraint from only the partitioned table)/.test(psqlError.message) &&
        !session.constraintBlocksCanRun
        ? " A partition's inherited key is kept in place only where every role may run PL/pgSQL and the restoring user may create temporary tables, which is not so here: restore with --drop-database (into a new database, then swapped in)."
        : '';
    // One transaction locks every table, index and sequence it replaces or makes.
    const locksHint = psqlError.sqlstate === OUT_OF_MEMORY &&
        psqlError.details.some((line) => line.includes('max_locks_per_transaction'))
        ? ' The restore is one transaction, which holds a lock on every table, index and sequence it replaces or makes: raise max_locks_per_transaction on the server (then restart it), or restore a custom or directory backup into a new database with --jobs 2 or more.'
        : '';
    // Only in place: in a new database, what exists already was made by the backup itself.
    const exists = options.inPlace && psqlError.sqlstate !== undefined && ALREADY_EXISTS.has(psqlError.sqlstate);
    // pg_dump --schema public writes CREATE SCHEMA public, and every new database has public.
    const createsPublic = psqlError.message === 'schema "public" already exists';
    const cleanHint = !options.advise
        ? ''
        : createsPublic
            ? ` The backup creates the schema public (pg_dump --schema public writes CREATE SCHEMA public), which every new database has as well, so --drop-database and --create-database meet it too: create a new database (another name in the database URL), run DROP SCHEMA public in it, then restore into it.`
            : exists
                ? ` The backup creates objects "${options.target}" already has (a dump made without --clean, which would drop each one first): restore it with --drop-database to replace the database, or into a new one (another name in the database URL) with --create-database.`
                : '';
    return {
        text: `The restore stopped${where}: ERROR: ${psqlError.message}${state}.${details}`,
        advice: roleHint + partitionHint + locksHint + cleanHint,
        refused: false,
    };
}

;// CONCATENATED MODULE: ./src/engines/postgres/postgres-engine.ts






























class PostgresEngine {
    location;
    options;
    kind = 'postgres';
    keepsOwnSafetyCopy = false;
    constructor(location, options) {
        this.location = location;
        this.options = options;
    }
    get database() {
        return this.location.database;
    }
    async exists() {
        return (0,databases/* databaseExists */.i4)(this.location);
    }
    /** An existing database with any table, view, sequence, function or type of its own. */
    async holdsData() {
        // Asked of the database itself: one that does not exist holds nothing.
        return (0,server/* withClient */.SV)(this.location, this.database, async (client) => {
            const result = await client.query(`
        SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
        UNION ALL
        SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
        LIMIT 1`);
            return (result.rowCount ?? 0) > 0;
        }).catch((error) => {
            if ((0,sql_states/* sqlstateOf */.R)(error) === sql_states/* SQLSTATE */.c.invalidCatalogName)
                return false;
            throw error;
        });
    }
    /**
     * pg_dump in plain SQL, reading the snapshot exported by a transaction that
     * stays open until the dump is done. In that snapshot this tool works out,
     * with pg_dump's own rules, which tables the dump must hold data for, and
     * counts their rows; the stream is read as it goes by, and `finish` accepts
     * it only when it ends with pg_dump's closing line and holds every one of
     * those tables' COPY blocks, complete, with the rows the snapshot counted.
     */
    async dump(workDir) {
        const client = await (0,server/* connect */.Ng)(this.location);
        const children = [];
        const dispose = async () => {
            for (const child of children)
                if (child.exitCode === null && child.signalCode === null)
                    child.kill('SIGTERM');
            await client.query('ROLLBACK').catch(() => undefined);
            await client.end().catch(() => undefined);
        };
        try {
            await disableSessionTimeouts(client);
            const version = await (0,server/* serverVersion */.qh)(client);
            await readNamesUnconvertedFromSqlAscii(client);
            const pgDump = await this.pgDump(version.major);
            const roles = this.options.includeRoles
                ? await this.dumpRoles(client, version.major, pgDump)
                : undefined;
            // For progress only, asked outside the snapshot's transaction so that it can never
            // disturb it: the database's size on disk, roughly what the SQL will be.
            const size = await client
                .query('SELECT pg_catalog.pg_database_size(pg_catalog.current_database())::text AS bytes')
                .then((result) => Number(result.rows[0]?.bytes))
                .catch(() => Number.NaN);
            await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
            const snapshot = (await client.query('SELECT pg_catalog.pg_export_snapshot() AS id')).rows[0]?.id;
            const catalog = await readDumpCatalog(client);
            const filters = await readFilterMatches(client, this.options, version.num);
            refuseUnmatchedPatterns(filters, this.options, this.database);
            const selected = selectDumpedTables(catalog, filters);
            // What the user may not read is named now, with the GRANT it needs, before pg_dump starts.
            await (0,server/* assertTablesReadable */.q7)(client, this.location.user, selectDumpReads(catalog, filters, selected));
            if (this.options.format !== 'plain') {
                // Counted while pg_dump runs, in the same snapshot; the archive's listing is checked against it.
                const counting = countSelectedRows(client, selected);
                counting.catch(() => undefined);
                const archive = await this.dumpArchive(this.options.format, {
                    client,
                    pgDump,
                    snapshot,
                    catalog,
                    selected,
                    counting,
                    workDir,
                    onChild: (started) => {
                        children.push(started);
                    },
                });
                return {
                    stream: archive.stream,
                    ...(size > 0 ? { expectedSize: { bytes: size, estimate: true } } : {}),
                    format: this.options.format,
                    finish: async () => ({
                        serverVersion: version.text,
                        dumpTool: `pg_dump ${pgDump.version}`,
                        filters: (0,options/* dumpFilters */.MY)(this.options),
                        tables: await archive.tables(),
                    }),
                    dispose,
                };
            }
            const spawned = spawnOutputStream('pg_dump', pgDump.path, (0,options/* pgDumpArguments */.uH)(this.options, snapshot, this.options.lockTimeoutMs), {
                ...(0,connection/* libpqEnvironment */.SQ)(this.location),
                ...pgDump.env,
            });
            children.push(spawned.child);
            const scanner = new dump_tables/* PlainDumpScanner */.B();
            spawned.stream.on('error', (error) => scanner.destroy(error));
            scanner.on('close', () => spawned.stream.destroy());
            spawned.stream.pipe(scanner);
            // Counted while pg_dump runs, in the same snapshot.
            const counting = countSelectedRows(client, selected);
            counting.catch(() => undefined);
            return {
                stream: roles ? prepend(roles.sql, scanner) : scanner,
                format: 'plain',
                ...(size > 0 ? { expectedSize: { bytes: size, estimate: true } } : {}),
                finish: async () => ({
                    serverVersion: version.text,
                    dumpTool: `pg_dump ${pgDump.version}`,
                    filters: (0,options/* dumpFilters */.MY)(this.options),
                    tables: await this.checkComplete(client, catalog, selected, await counting, scanner),
                    ...(roles ? { roles: { tool: roles.tool, names: roles.names } } : {}),
                }),
                dispose,
            };
        }
        catch (error) {
            await dispose();
            throw error;
        }
    }
    /**
     * pg_dump -Fc / -Fd in the snapshot, uncompressed. Either way the backup is
     * kept only when pg_dump exited 0 and `pg_restore --list` reads the archive
     * as the format asked for, with a TABLE DATA entry for every table whose
     * rows the dump must hold (see checkArchiveCompleteness); the manifest's
     * rows are the snapshot's counts.
     *
     * A custom archive streams from pg_dump's stdout as plain SQL does, and
     * pg_restore --list reads its table of contents from the same bytes as they
     * pass (see streamed-listing.ts): a missing table stops the dump at once.
     * A directory archive is written by pg_dump (with --jobs) into the scratch
     * directory, which it must be: it is a directory of files, written in
     * parallel; it is listed, then goes on as one tar stream.
     */
    async dumpArchive(format, run) {
        const pgRestore = await this.archiveReader(run.pgDump);
        if (format === 'custom')
            return this.streamCustomArchive(run, pgRestore);
        const target = external_node_path_default().join(run.workDir, ARCHIVE_TOP);
        let tables;
        const produce = async () => {
            await runToEnd('pg_dump', run.pgDump.path, (0,options/* pgDumpArguments */.uH)(this.options, run.snapshot, this.options.lockTimeoutMs, {
                format,
                file: target,
                jobs: this.options.jobs,
            }), { ...(0,connection/* libpqEnvironment */.SQ)(this.location), ...run.pgDump.env }, run.onChild);
            const listing = parseArchiveListing(await runToEnd('pg_restore', pgRestore.path, ['--list', target], pgRestore.env));
            tables = await this.checkArchive(run, listing, format);
        };
        const stream = external_node_stream_.Readable.from((async function* () {
            await produce();
            for await (const chunk of tarDirectory(target, ARCHIVE_TOP))
                yield chunk;
        })(), { objectMode: false });
        return {
            stream,
            tables: () => {
                if (!tables)
                    throw new errors/* JobFailure */.y3('The archive was not read to its end.');
                return Promise.resolve(tables);
            },
        };
    }
    /**
     * The pg_restore that reads what pg_dump wrote: the one beside pg_dump when
     * it is of pg_dump's major or newer, else one found as for pg_dump. An
     * older pg_restore cannot read the archive ("unsupported version in file
     * header"): that is the machine's setup, said as such (exit 2), not a dump
     * found incomplete.
     */
    async archiveReader(pgDump) {
        const besideTool = pgDump.path.includes('/')
            ? await clientBeside(pgDump.path, 'pg_restore')
            : undefined;
        if (besideTool && besideTool.major >= pgDump.major)
            return besideTool;
        const options = this.options.installer ? { installer: this.options.installer } : {};
        const found = resolveClient('pg_restore', pgDump.major, options);
        if (!besideTool)
            return found;
        return found.catch(() => {
            throw new errors/* UserError */.yo(`pg_restore ${besideTool.version} at ${besideTool.path} is older than pg_dump ${pgDump.version} beside it and cannot read its archives: install pg_restore ${pgDump.major} or newer there, or set pg-dump-path to a matching client.`);
        });
    }
    /**
     * pg_dump -Fc to stdout, through pg_restore --list as it passes. The stream
     * fails when pg_dump exits non-zero or is killed (as plain SQL's does), and
     * as soon as the listing shows the archive incomplete or pg_restore cannot
     * read its data; `tables` waits for the listing's check and for pg_restore
     * to have read the archive to its end, so an archive cut short fails the
     * backup even when pg_dump exited 0.
     */
    streamCustomArchive(run, pgRestore) {
        const spawned = spawnOutputStream('pg_dump', run.pgDump.path, (0,options/* pgDumpArguments */.uH)(this.options, run.snapshot, this.options.lockTimeoutMs, {
            format: 'custom',
            jobs: 1,
        }), { ...(0,connection/* libpqEnvironment */.SQ)(this.location), ...run.pgDump.env });
        run.onChild(spawned.child);
        const head = listAsItStreams(pgRestore);
        for (const child of head.children)
            run.onChild(child);
        spawned.stream.on('error', (error) => head.tee.destroy(error));
        head.tee.on('close', () => spawned.stream.destroy());
        spawned.stream.pipe(head.tee);
        const checked = head.listing.then((listing) => this.checkArchive(run, listing, 'custom'), (error) => {
            throw new errors/* JobFailure */.y3(`The dump is incomplete: pg_restore --list could not read the archive's table of contents (${(0,errors/* errorMessage */.gJ)(error)}). The backup was discarded and nothing was pruned.`);
        });
        const read = head.read.catch((error) => {
            throw new errors/* JobFailure */.y3(`The dump is incomplete: pg_restore could not read the archive to its end (${(0,errors/* errorMessage */.gJ)(error)}). The backup was discarded and nothing was pruned.`);
        });
        const verdict = Promise.all([checked, read]).then(([tables]) => tables);
        verdict.catch((error) => head.tee.destroy(error));
        return { stream: head.tee, tables: () => verdict };
    }
    async checkArchive(run, listing, format) {
        const counts = await run.counting;
        const chosen = new Map(run.selected.map((entry) => [entry.table.oid, entry]));
        const catalogTables = run.catalog.tables.filter((table) => table.relkind === 'r');
        const expected = catalogTables.map((table) => ({
            oid: table.oid,
            label: `${table.schema}.${table.name}`,
            data: chosen.get(table.oid)?.data ?? false,
            listed: chosen.get(table.oid)?.listed ?? false,
            ordinary: table.extensionOid === undefined,
            snapshotRows: counts.get(table.oid),
        }));
        const result = checkArchiveCompleteness(expected, listing);
        if (listing.format !== format.toUpperCase()) {
            result.problems.unshift(`pg_restore --list reads it as format ${listing.format ?? 'unknown'}, not ${format}`);
        }
        if (result.problems.length > 0) {
            const shown = result.problems.slice(0, 5).join('; ');
            const more = result.problems.length > 5 ? ` (and ${result.problems.length - 5} more)` : '';
            throw new errors/* JobFailure */.y3(`The dump is incomplete: ${shown}${more}. The backup was discarded and nothing was pruned.`);
        }
        let tables = result.tables;
        if (result.unexpected.length > 0) {
            this.options.log.warn(`pg_dump wrote data this tool did not expect from the filters, kept in the backup and its manifest: ${result.unexpected.map((table) => table.label).join(', ')}`);
            const byOid = new Map(catalogTables.map((table) => [table.oid, table]));
            const extra = await countSelectedRows(run.client, result.unexpected.flatMap((table) => {
                const found = byOid.get(table.oid);
                return found ? [{ table: found, data: true, listed: false }] : [];
            }));
            const labels = new Map(result.unexpected.map((table) => [table.label, table.oid]));
            tables = tables.map((table) => {
                const oid = labels.get(table.name);
                return oid === undefined ? table : { name: table.name, rows: extra.get(oid) ?? 0 };
            });
        }
        return (0,server/* foldIntoRoots */.jr)(tables, await (0,server/* partitionsCountedAtRoot */.PB)(run.client));
    }
    /** The manifest's tables, once the whole dump was read and found complete; otherwise the job fails. */
    async checkComplete(client, catalog, selected, counts, scanner) {
        const chosen = new Map(selected.map((entry) => [entry.table.oid, entry]));
        const tables = catalog.tables.filter((table) => table.relkind === 'r');
        const roots = new Set(tables.flatMap((table) => (table.partitionRootOid ? [table.partitionRootOid] : [])));
        const names = await namesInEncoding(client, [...tables.map((table) => table.oid), ...roots], scanner.encoding);
        const expected = [];
        for (const table of tables) {
            const spelled = names.get(table.oid);
            if (!spelled)
                continue;
            const entry = chosen.get(table.oid);
            const root = table.partitionRootOid ? names.get(table.partitionRootOid) : undefined;
            expected.push({
                oid: table.oid,
                label: `${table.schema}.${table.name}`,
                schema: spelled.schema,
                name: spelled.name,
                data: entry?.data ?? false,
                listed: entry?.listed ?? false,
                ordinary: table.extensionOid === undefined,
                snapshotRows: counts.get(table.oid),
                partitionRoot: root,
            });
        }
        const result = checkDumpCompleteness(expected, scanner);
        if (result.problems.length > 0) {
            const shown = result.problems.slice(0, 5).join('; ');
            const more = result.problems.length > 5 ? ` (and ${result.problems.length - 5} more)` : '';
            throw new errors/* JobFailure */.y3(`The dump is incomplete: ${shown}${more}. The backup was discarded and nothing was pruned.`);
        }
        if (result.unexpected.length > 0) {
            this.options.log.warn(`pg_dump wrote data this tool did not expect from the filters, kept in the backup and its manifest: ${result.unexpected.join(', ')}`);
        }
        return (0,server/* foldIntoRoots */.jr)(result.tables, await (0,server/* partitionsCountedAtRoot */.PB)(client));
    }
    async evaluate(sql) {
        return (0,server/* withClient */.SV)(this.location, this.database, async (client) => {
            const result = await client.query({ text: sql, rowMode: 'array' });
            return result.rows[0]?.[0];
        });
    }
    async inspect() {
        return (0,server/* withClient */.SV)(this.location, this.database, async (client) => {
            const version = await (0,server/* serverVersion */.qh)(client);
            const tables = (0,server/* tableCounts */.$e)(await (0,server/* countTables */.zF)(client));
            return {
                serverVersion: version.text,
                tables: (0,server/* foldIntoRoots */.jr)(tables, await (0,server/* partitionsCountedAtRoot */.PB)(client)),
            };
        });
    }
    /**
     * Reads a backup without a matching manifest once (integrity, and SQL a
     * restore refuses) before anything changes, then either restores in place
     * in one transaction, or (drop-database, or a database that does not exist
     * yet) restores into a new database beside the target and puts it in the
     * target's place.
     */
    /**
     * Plain SQL goes through psql in one transaction. A custom or directory
     * archive (told by its content) is unpacked into a private scratch
     * directory first, whole, and listed by pg_restore; then with one job its
     * SQL (pg_restore --file=-) takes the same one-transaction path, and with
     * several, pg_restore --jobs fills a new database beside the target, which
     * replaces the target only once it is complete.
     */
    async restore(source, hooks = {}) {
        const format = await contentFormat(source);
        const selection = { tables: this.options.restoreTables, schemas: this.options.restoreSchemas };
        if (format === 'plain') {
            if (isSelective(selection)) {
                throw new errors/* UserError */.yo(`--tables and --schemas pick from a custom or directory backup, and ${source.name} is plain SQL: restore it whole, or make backups with --format custom. Nothing was changed.`);
            }
            if (this.options.jobs > 1) {
                this.options.log.info(`${source.name} is plain SQL: psql restores it in one session (--jobs applies to custom and directory backups).`);
            }
            return this.restoreSql(source, hooks);
        }
        const parallel = this.options.jobs > 1;
        if (parallel && !this.options.dropDatabase && (await this.exists())) {
            throw new errors/* UserError */.yo(`--jobs ${this.options.jobs} restores into a new database and then puts it in the place of "${this.database}": pass --drop-database to replace it so, or restore with --jobs 1 (one transaction into the existing database). Nothing was changed.`);
        }
        const workDir = await (0,files/* temporaryDirectory */.De)('restore');
        try {
            this.options.log.info(`${source.name} is a ${format} archive: unpacking it`);
            const archive = await unpackArchive(source, format, workDir);
            const pgRestore = await chooseArchiveReader(source, archive, format, await this.archiveReaders(), this.options.installer
                ? (major) => installedClient(this.options.installer, 'pg_restore', major)
                : undefined);
            await assertSelectionInArchive(source, archive, format, pgRestore, selection);
            // A new database has no schema but public: what is picked brings its own along.
            const intoNew = this.options.dropDatabase || !(await this.exists());
            const picked = await pickEntries(archive, format, pgRestore, selection, workDir, intoNew ? 'new' : 'existing');
            if (picked.schemas.length > 0) {
                this.options.log.info(
                // Names as JSON strings: a newline in one never starts a line of its own in the log.
                `The new database gets ${picked.schemas.map((name) => JSON.stringify(name)).join(', ')} from the backup too: the schema(s) that hold what was picked`);
            }
            if (picked.unclear.length > 0) {
                throw new errors/* UserError */.yo(`${source.name}: which table ${picked.unclear.map(describeEntry).join(', ')} belongs to cannot be told (it depends on a table picked and on one not picked), so replacing what was picked in place could drop it or rewrite the other table's: pick both tables, or restore into a new database (--create-database, --drop-database). Nothing was changed.`);
            }
            const along = describeCompanions(picked.companions);
            if (along)
                this.options.log.info(`What belongs to what was picked comes with it: ${along}`);
            if (picked.leftOut.length > 0) {
                this.options.log.warn(`Left out of the new database, as each needs something that is not restored with it: ${picked.leftOut.map(describeEntry).join(', ')}. Pick what they need too, or restore in place.`);
            }
            // pg_restore --jobs seeks to each table's data where the archive says it is.
            if (parallel && format === 'custom')
                await writeDataOffsets(archive);
            this.options.log.info(`Restoring it with pg_restore ${pgRestore.version}${parallel ? ` and ${this.options.jobs} jobs` : ''}`);
            const pick = picked.arguments;
            const sql = archiveAsSql(source, archive, pgRestore, pick, source.checksumVerified);
            return await this.restoreSql(sql, hooks, parallel
                ? {
                    archive,
                    pgRestore,
                    jobs: this.options.jobs,
                    pick,
                    createsPublic: await createsPublicSchema(archive, format, picked),
                }
                : undefined);
        }
        finally {
            await (0,files/* removeQuietly */.S2)(workDir);
        }
    }
    /**
     * The pg_restore programs that may read a backup's archive, in the order
     * they are tried: the one beside pg-dump-path (the user's choice) first, then
     * every other on this machine, newest first (a newer pg_restore reads older
     * archives; an older one cannot read a newer pg_dump's).
     */
    async archiveReaders() {
        const besideTool = this.options.pgDumpPath
            ? await clientBeside(this.options.pgDumpPath, 'pg_restore')
            : undefined;
        const others = (0,choose_client/* newestFirst */.ll)(await findClientCandidates('pg_restore')).filter((tool) => tool.path !== besideTool?.path);
        return besideTool ? [besideTool, ...others] : others;
    }
    async restoreSql(source, hooks, parallel) {
        let policy = {
            dropOwners: !this.options.owner,
            dropPrivileges: !this.options.privileges,
        };
        // A file that matched its manifest is the file that was written; any other is read through
        // once first. Either way nothing commits before the whole file was read without error.
        const survey = !source.checksumVerified || this.options.leaveOutMissingRoles
            ? await this.survey(source, policy)
            : undefined;
        // One connection asks both: whether the target exists, and the version psql must fit.
        const { exists, version } = await (0,databases/* existenceAndVersion */.Ex)(this.location);
        if (!exists && !this.options.createDatabase) {
            throw new errors/* UserError */.yo(`The database "${this.database}" does not exist on ${(0,server/* endpoint */.sR)(this.location)}: pass --create-database (input create-database: true) to create it.`);
        }
        const psql = await this.psql(version?.major);
        const notes = [];
        if (survey)
            policy = await this.checkRoles(survey, policy, notes);
        const maintenance = !exists || this.options.dropDatabase ? await (0,databases/* connectMaintenance */.kJ)(this.location) : undefined;
        const interruption = new RestoreInterruption();
        let info;
        try {
            if (maintenance)
                await (0,databases/* assertMayCreateDatabases */._b)(maintenance, this.database);
            if (maintenance && exists)
                await (0,databases/* assertMayReplaceDatabase */.j5)(maintenance, this.database);
            if (maintenance && exists)
                await this.assertNoOtherSessions(maintenance);
            await hooks.beforeChange?.();
            await this.dropLeftovers(maintenance);
            const report = maintenance
                ? await this.restoreBeside(maintenance, source, psql, policy, exists, interruption, parallel)
                : await this.apply(this.database, source, psql, policy, { interruption, inPlace: true });
            this.logLeftOut(report);
            if (interruption.signal) {
                await interruption.answer(`${interruption.signal} came after the restore had sent COMMIT: it finished, and "${this.database}" holds the backup.`);
            }
            // Counted while a signal still gets the swap's account: counting a large database takes a while.
            info = await this.inspect();
        }
        catch (error) {
            // The signal handler prints the restore's own, checked account (after the cleanup above).
            if (interruption.signal)
                await interruption.answer((0,errors/* errorMessage */.gJ)(error));
            throw error;
        }
        finally {
            interruption.dispose();
            await maintenance?.end().catch(() => undefined);
        }
        return { info, notes };
    }
    /** The whole backup through the restore filter, into nothing: refusals and roles before any change. */
    async survey(source, policy) {
        const filter = new RestoreSqlFilter(policy);
        const nowhere = new external_node_stream_.Writable({ write: (_chunk, _encoding, callback) => callback() });
        try {
            await source.decodeInto(async (chunks) => {
                await (0,promises_.pipeline)(chunks, filter, nowhere);
            });
        }
        catch (error) {
            if (error instanceof RefusedSql)
                throw new RefusedSql(`${error.message} Nothing was changed.`);
            throw error;
        }
        return filter.report;
    }
    /**
     * Roles the kept owner and privilege statements name must exist. A restore
     * refuses before any change; verify (leaveOutMissingRoles) leaves those
     * statements out and says which roles were missing.
     */
    async checkRoles(survey, policy, notes) {
        const named = new Set([
            ...(policy.dropOwners ? [] : survey.ownerRoles),
            ...(policy.dropPrivileges ? [] : survey.privilegeRoles),
        ]);
        if (named.size === 0)
            return policy;
        const existing = await withMaintenanceOrTarget(this.location, async (client) => {
            const result = await client.query('SELECT rolname AS name FROM pg_catalog.pg_roles WHERE rolname = ANY ($1::text[])', [[...named]]);
            return new Set(result.rows.map((row) => row.name));
        });
        const missing = (roles) => [...roles].filter((role) => !existing.has(role)).sort();
        const missingOwners = policy.dropOwners ? [] : missing(survey.ownerRoles);
        const missingGrantees = policy.dropPrivileges ? [] : missing(survey.privilegeRoles);
        if (missingOwners.length === 0 && missingGrantees.length === 0)
            return policy;
        const all = [...new Set([...missingOwners, ...missingGrantees])].sort();
        if (!this.options.leaveOutMissingRoles) {
            throw new errors/* UserError */.yo(`The backup names roles that do not exist on ${(0,server/* endpoint */.sR)(this.location)}: ${all.join(', ')}. Nothing was changed. Create them first, or restore with --no-owner --no-privileges (objects then belong to the user who restores, without the backup's grants).`);
        }
        const what = [
            missingOwners.length > 0 ? 'owners' : undefined,
            missingGrantees.length > 0 ? 'privileges' : undefined,
        ]
            .filter(Boolean)
            .join(' and ');
        notes.push(`${what} not checked: the scratch server lacks the role(s) ${all.join(', ')}, so the backup's ${what === 'owners' ? 'ALTER … OWNER TO statements were' : what === 'privileges' ? 'GRANT/REVOKE statements were' : 'owner and privilege statements were'} left out of the test restore`);
        return {
            dropOwners: policy.dropOwners || missingOwners.length > 0,
            dropPrivileges: policy.dropPrivileges || missingGrantees.length > 0,
        };
    }
    /** Temporary databases a killed restore of this target left behind go first, with a log line. */
    async dropLeftovers(maintenance) {
        const client = maintenance ?? (await (0,databases/* connectMaintenance */.kJ)(this.location).catch(() => undefined));
        if (!client)
            return;
        try {
            for (const name of await (0,databases/* leftoverDatabases */.Su)(client, this.database)) {
                try {
                    await (0,databases/* dropDatabase */.Zi)(client, name, false);
                    this.options.log.info(`Dropped ${name}, a temporary database an interrupted restore of "${this.database}" left behind.`);
                }
                catch (error) {
                    this.options.log.warn(`${name}, left behind by an interrupted restore of "${this.database}", could not be dropped: ${error.message}`);
                }
            }
        }
        finally {
            if (!maintenance)
                await client.end().catch(() => undefined);
        }
    }
    /**
     * A fresh database beside the target, restored, then put in the target's
     * place in one transaction (drop-database, or a database that did not exist).
     * Until that moment the target is untouched; a killed run leaves only a
     * marked temporary database, which the next restore drops.
     */
    async restoreBeside(client, source, psql, policy, replace, interruption, parallel) {
        const shape = replace ? await (0,databases/* databaseShape */.TN)(client, this.database) : undefined;
        if (replace) {
            const settings = await (0,databases/* databaseSettings */.zH)(client, this.database);
            if (settings.length > 0) {
                this.options.log.warn(`"${this.database}" has settings made with ALTER DATABASE/ROLE … SET, which no pg_dump holds; set them again after the swap: ${settings.join('; ')}`);
            }
        }
        const fresh = await this.createBeside(client, shape, replace);
        this.options.log.info(replace
            ? `Restoring into a new database ${fresh}, to replace ${this.database}`
            : `Restoring into a new database ${fresh}, to become ${this.database}`);
        let report;
        try {
            const unchanged = replace
                ? `"${this.database}" was never touched, and ${fresh} was dropped`
                : `"${this.database}" was not created, and ${fresh} was dropped`;
            report = parallel
                ? await this.applyInParallel(fresh, parallel, policy, unchanged, interruption)
                : await this.apply(fresh, source, psql, policy, { interruption, unchanged });
            const replaced = replace ? (0,databases/* temporaryDatabaseName */.C7)(this.database, 'replaced') : undefined;
            if (replace) {
                await this.assertNoOtherSessions(client);
                if (this.options.terminateConnections)
                    await (0,databases/* terminateSessions */.x2)(client, this.database);
            }
            const lockTimeoutMs = this.options.lockTimeoutMs ?? options/* DEFAULT_LOCK_TIMEOUT_MS */.L$;
            // A signal from here on waits for the swap and says what it did. Before COMMIT is sent it
            // stops the swap (a wait for another session's lock can be long), which then rolls back.
            const swapPid = await (0,databases/* backendPid */.Qf)(client);
            let committing = false;
            let swapOutcome = () => undefined;
            interruption.swapping(new Promise((resolve) => (swapOutcome = resolve)), async () => {
                if (!committing) {
                    await (0,databases/* cancelDatabaseCommand */.vC)(this.location, swapPid, 'ALTER DATABASE').catch(() => undefined);
                }
            });
            let swapped;
            try {
                swapped = await (0,databases/* swapDatabases */.Qj)(client, this.database, fresh, replaced, {
                    lockTimeoutMs,
                    owner: shape?.owner,
                    committing: () => {
                        committing = true;
                    },
                });
            }
            catch (error) {
                const failure = new errors/* JobFailure */.y3(await this.swapFailure(client, error, fresh, lockTimeoutMs, interruption.stopping));
                swapOutcome(`as the restored database was to take the place of "${this.database}", and it did not: ${failure.message}`);
                // A signal is being answered: its handler ends the process with the line above.
                if (interruption.stopping)
                    await new Promise(() => undefined);
                throw failure;
            }
            if (swapped.ownerError) {
                this.options.log.warn(`The restored database could not be given to its previous owner ${shape?.owner}: ${swapped.ownerError.message}`);
            }
            swapOutcome(`as the restored database took the place of "${this.database}": that finished, so the restore did, and "${this.database}" holds the backup${replaced
                ? `; the previous "${this.database}", renamed ${replaced}, is dropped now, or by the next restore if this one ends first`
                : ''}.`);
            if (replaced) {
                await (0,databases/* dropDatabase */.Zi)(client, replaced, true).catch((error) => {
                    this.options.log.warn(`The previous "${this.database}", renamed ${replaced}, could not be dropped (${error.message}); the next restore drops it.`);
                });
            }
        }
        catch (error) {
            await (0,databases/* dropDatabase */.Zi)(client, fresh, true).catch(() => undefined);
            throw error;
        }
        return report;
    }
    /**
     * Why the swap failed, and what became of the target, checked: the new
     * database still under its temporary name means neither rename happened.
     * A lock wait names the session whose open transaction holds the target's
     * pg_database row (an ALTER DATABASE, GRANT or COMMENT ON DATABASE not yet
     * committed): its transaction id is the row's xmax.
     */
    async swapFailure(client, error, fresh, lockTimeoutMs, stopped) {
        const target = `"${this.database}"`;
        let reason = error.message;
        if (!stopped && error.code === LOCK_NOT_AVAILABLE) {
            const holders = await client
                .query(`SELECT a.pid, a.usename AS user, a.application_name AS application, a.state
           FROM pg_catalog.pg_stat_activity a
           WHERE a.backend_xid = (SELECT xmax FROM pg_catalog.pg_database WHERE datname = $1)`, [this.database])
                .then((result) => result.rows)
                .catch(() => []);
            const held = holders.length > 0 ? ` held by ${describeSessions(holders)}` : '';
            reason = `it waited longer than --lock-timeout (${formatMs(lockTimeoutMs)}) for the database's own row in pg_database${held}, which another session's transaction changed and has not committed (ALTER DATABASE, GRANT … ON DATABASE, COMMENT ON DATABASE)`;
        }
        const what = stopped
            ? 'The swap was stopped before it committed'
            : `The restored database could not take the place of ${target} (${reason})`;
        const untouched = await client
            .query('SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1', [fresh])
            .then((result) => result.rows.length === 1)
            .catch(() => undefined);
        if (!untouched) {
            return `${what}, and whether it did could not be checked: look at ${target} and ${fresh} before using them.`;
        }
        // Said only once it is so: a drop that fails leaves a marked database the next restore drops.
        const fate = await (0,databases/* dropDatabase */.Zi)(client, fresh, true).then(() => `${fresh} was dropped`, () => `${fresh} is left for the next restore to drop`);
        return `${what}: ${target} is as it was, and ${fate}.`;
    }
    /**
     * The new, marked database beside the target. A signal while CREATE
     * DATABASE runs cancels it (a wait for a lock on template0 can be long), or,
     * if it has just returned, waits the moment its mark takes: an unmarked
     * database is one no later restore would drop. Nothing else starts after
     * the signal; the last word says what was left.
     */
    async createBeside(client, shape, replace) {
        const fresh = (0,databases/* temporaryDatabaseName */.C7)(this.database, 'restore');
        const untouched = replace
            ? `"${this.database}" was never touched`
            : `"${this.database}" was not created`;
        const pid = await (0,databases/* backendPid */.Qf)(client);
        // A process killed outright (SIGKILL, or a second signal) never cancels: the server then
        // notices the lost connection itself within a second (PostgreSQL 14+), and a CREATE
        // DATABASE still waiting is abandoned rather than finished, unmarked, for nobody.
        await client.query("SET client_connection_check_interval = '1s'").catch(() => undefined);
        const creating = (0,databases/* createTemporaryDatabase */.pc)(client, fresh, this.database, shape);
        let stopped = false;
        const remove = (0,interruptions/* onInterrupt */.nA)(async (signal) => {
            stopped = true;
            await (0,databases/* cancelDatabaseCommand */.vC)(this.location, pid, 'CREATE DATABASE').catch(() => undefined);
            return creating.then(() => `${signal} came as ${fresh} was created for the restore: ${untouched}, and ${fresh}, marked as this tool's, is dropped by the next restore of "${this.database}".`, () => `${signal} came as the database for the restore was being created, which was stopped: ${untouched}.`);
        });
        try {
            await creating;
        }
        catch (error) {
            if (stopped)
                await new Promise(() => undefined);
            throw error;
        }
        finally {
            remove();
        }
        // The signal's handler ends the process with its line: nothing more is to begin.
        if (stopped)
            await new Promise(() => undefined);
        return fresh;
    }
    /** pg_restore --jobs into the new database; its failure names what stays as it was. */
    async applyInParallel(database, parallel, policy, unchanged, interruption) {
        const filled = interruption.fillingInParallel();
        try {
            // The new database's public schema is template0's, empty: the backup's own takes its place.
            if (parallel.createsPublic)
                await (0,server/* withClient */.SV)(this.location, database, (client) => client.query('DROP SCHEMA public'));
            await restoreInParallel({
                location: this.location,
                database,
                archive: parallel.archive,
                pgRestore: parallel.pgRestore,
                jobs: parallel.jobs,
                pick: parallel.pick,
                owner: !policy.dropOwners,
                privileges: !policy.dropPrivileges,
            });
        }
        catch (error) {
            throw new errors/* JobFailure */.y3(`The restore failed: ${(0,errors/* errorMessage */.gJ)(error)}. ${unchanged}.`);
        }
        finally {
            filled();
        }
        return {
            dropped: { transaction: 0, 'lock-timeout': 0, owner: 0, privileges: 0 },
            ownerRoles: new Set(),
            privilegeRoles: new Set(),
            restrictLines: 0,
        };
    }
    async assertNoOtherSessions(client) {
        if (this.options.terminateConnections)
            return;
        const sessions = await (0,databases/* sessionsThatStay */.G4)(client, this.database);
        if (sessions > 0) {
            throw new errors/* UserError */.yo(`${sessions} other session(s) are connected to "${this.database}": stop the application, or pass --terminate-connections. Nothing was changed.`);
        }
    }
    /** The backup's SQL in one transaction in `database` (see applyInTransaction). */
    async apply(database, source, psql, policy, messages = {}) {
        return applyInTransaction(source, {
            // Verify's test restore is into a scratch database: restore's options are no answer there.
            advise: !this.options.leaveOutMissingRoles,
            location: this.location,
            database,
            target: this.database,
            psql,
            policy,
            lockTimeoutMs: this.options.lockTimeoutMs ?? options/* DEFAULT_LOCK_TIMEOUT_MS */.L$,
            log: this.options.log,
            ...messages,
        });
    }
    logLeftOut(report) {
        const { transaction, owner, privileges } = report.dropped;
        if (transaction > 0) {
            this.options.log.info(`Left out ${transaction} BEGIN/COMMIT statement(s) of the backup (pg_dump writes them around large objects): one transaction holds the whole restore.`);
        }
        if (owner > 0)
            this.options.log.info(`Left out ${owner} owner statement(s) (--no-owner).`);
        if (privileges > 0)
            this.options.log.info(`Left out ${privileges} privilege statement(s) (--no-privileges).`);
    }
    /**
     * The cluster's roles for the head of the dump (include-roles): read with
     * pg_dumpall chosen like pg_dump (the one beside an explicit pg-dump-path
     * first), without passwords, and made safe to run on any server.
     */
    async dumpRoles(client, serverMajor, pgDump) {
        const beside = this.options.pgDumpPath
            ? external_node_path_default().join(external_node_path_default().dirname(this.options.pgDumpPath), 'pg_dumpall')
            : undefined;
        const tool = await resolveClient('pg_dumpall', serverMajor, {
            ...(beside && (await isExecutable(beside)) ? { explicitPath: beside } : {}),
            ...(!beside && pgDump.path.includes('/') ? { preferDir: external_node_path_default().dirname(pgDump.path) } : {}),
            ...(this.options.installer ? { installer: this.options.installer } : {}),
        });
        const bootstrap = (await client.query('SELECT rolname AS name FROM pg_catalog.pg_roles WHERE oid = 10')).rows[0]?.name ?? '';
        const output = await runToEnd('pg_dumpall', tool.path, ['--roles-only', '--no-role-passwords', '--no-password', `--database=${this.database}`], { ...(0,connection/* libpqEnvironment */.SQ)(this.location), ...tool.env, PGCLIENTENCODING: 'UTF8' }, undefined, ROLES_OUTPUT_LIMIT);
        let block;
        try {
            block = rolesBlock(output, bootstrap, `pg_dumpall ${tool.version}`);
        }
        catch (error) {
            throw new errors/* JobFailure */.y3(`${error.message}: no backup was kept and nothing was pruned.`);
        }
        for (const statement of block.skipped) {
            this.options.log.warn(`include-roles leaves out a statement it does not carry over: ${statement}`);
        }
        this.options.log.info(`Including ${block.names.length} roles from pg_dumpall ${tool.version} (${tool.path})`);
        return {
            sql: Buffer.from(block.sql, 'utf8'),
            names: block.names,
            tool: `pg_dumpall ${tool.version}`,
        };
    }
    async pgDump(serverMajor) {
        const tool = await resolveClient('pg_dump', serverMajor, {
            ...(this.options.pgDumpPath ? { explicitPath: this.options.pgDumpPath } : {}),
            ...(this.options.installer ? { installer: this.options.installer } : {}),
        });
        this.options.log.info(`Using pg_dump ${tool.version} (${tool.path}) for a PostgreSQL ${serverMajor} server`);
        return tool;
    }
    async psql(serverMajor) {
        const major = serverMajor ??
            (await withMaintenanceOrTarget(this.location, async (client) => (await (0,server/* serverVersion */.qh)(client)).major));
        return resolveClient('psql', major, {
            requireFit: false,
            ...(this.options.installer ? { installer: this.options.installer } : {}),
        });
    }
}
/** pg_dumpall's role list is small; a larger output than this is not one. */
const ROLES_OUTPUT_LIMIT = 64 * 1024 * 1024;
/** `head` first, then everything `rest` yields; an error of `rest` is the stream's error. */
function prepend(head, rest) {
    return external_node_stream_.Readable.from((async function* () {
        yield head;
        for await (const chunk of rest)
            yield chunk;
    })(), { objectMode: false });
}
async function withMaintenance(location, use) {
    const client = await (0,databases/* connectMaintenance */.kJ)(location);
    try {
        return await use(client);
    }
    finally {
        await client.end().catch(() => undefined);
    }
}
async function withMaintenanceOrTarget(location, use) {
    try {
        return await withMaintenance(location, use);
    }
    catch {
        return (0,server/* withClient */.SV)(location, location.database, use);
    }
}


/***/ })

};
