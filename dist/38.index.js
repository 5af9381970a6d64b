export const id = 38;
export const ids = [38];
export const modules = {

/***/ 97008:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   w: () => (/* binding */ withCatalog)
/* harmony export */ });
/* unused harmony export Catalog */
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _domain_backup_name_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(10206);
/* harmony import */ var _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(10241);
/* harmony import */ var _domain_manifest_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(52359);
/* harmony import */ var _fs_files_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(18176);
/* harmony import */ var _domain_secrets_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(7513);
/* harmony import */ var _storage_storage_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(32912);
/* harmony import */ var _identity_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(66097);









/**
 * Which backups exist at one storage place and whose they are: the listing,
 * each backup paired with its manifest, and ownership by database identity.
 * Manifests are read once, when first asked for (a remote one is fetched into
 * a private temporary directory, removed by `release`).
 */
class Catalog {
    storage;
    objects = [];
    manifests = new Map();
    scratch;
    absent;
    constructor(storage) {
        this.storage = storage;
    }
    static async open(storage) {
        const catalog = new Catalog(storage);
        await catalog.refresh();
        return catalog;
    }
    get location() {
        return this.storage.location;
    }
    /** Lists the place again (after a change, or before reporting what is there). */
    async refresh() {
        this.objects = await this.storage.list();
        this.absent = undefined;
        if (this.objects.length > 0 || !(0,_storage_storage_js__WEBPACK_IMPORTED_MODULE_7__/* .isLocalPlace */ .p)(this.storage))
            return;
        const dir = this.storage.localDirectory;
        const missing = await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().stat(dir).then(() => false, (error) => error.code === 'ENOENT');
        if (!missing)
            return;
        const link = await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().lstat(dir).catch(() => undefined);
        this.absent = link?.isSymbolicLink() ? 'a link that leads nowhere' : 'missing';
    }
    /**
     * When the place is a local directory that is not there (a mistyped
     * backup-dir, or no backup yet): a note saying so, for a line that names
     * the place; undefined otherwise.
     */
    get absenceNote() {
        if (this.absent === 'missing')
            return 'no such directory; check backup-dir or BACKUP_DIR';
        if (this.absent)
            return 'a symbolic link that leads nowhere; fix it, or check backup-dir';
        return undefined;
    }
    /**
     * Refuses a command that reads the place when its directory is not there:
     * a mistyped backup-dir must not read as "no backups" or "nothing to prune".
     */
    assertThere(doing) {
        if (this.absent === 'missing')
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`The backup directory ${this.location} does not exist, so there is nothing to ${doing}: check backup-dir (BACKUP_DIR); the first backup makes it.`);
        if (this.absent)
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`The backup directory ${this.location} is a symbolic link that leads nowhere, so there is nothing to ${doing}: fix the link, or check backup-dir (BACKUP_DIR).`);
    }
    /** Every object name at the place. */
    get names() {
        return new Set(this.objects.map((object) => object.name));
    }
    /** The backup's file when the place is a local directory (it can be hashed where it lies); else undefined. */
    localFile(name) {
        return (0,_storage_storage_js__WEBPACK_IMPORTED_MODULE_7__/* .isLocalPlace */ .p)(this.storage) ? node_path__WEBPACK_IMPORTED_MODULE_1___default().join(this.storage.localDirectory, name) : undefined;
    }
    sizeOf(name) {
        return this.objects.find((object) => object.name === name)?.size;
    }
    /** Our backups (names this tool writes), newest first; optionally of one engine and kind. */
    entries(filter = {}) {
        const names = this.names;
        return this.objects
            .map((object) => ({ object, backup: (0,_domain_backup_name_js__WEBPACK_IMPORTED_MODULE_2__/* .parseBackupName */ .Df)(object.name) }))
            .filter((item) => item.backup !== undefined &&
            (filter.engine === undefined || item.backup.engine === filter.engine) &&
            (filter.kind === undefined || item.backup.kind === filter.kind))
            .sort((a, b) => (0,_domain_backup_name_js__WEBPACK_IMPORTED_MODULE_2__/* .compareNewestFirst */ .a0)(a.backup, b.backup))
            .map(({ object, backup }) => ({
            backup,
            size: object.size,
            hasManifest: names.has((0,_domain_backup_name_js__WEBPACK_IMPORTED_MODULE_2__/* .manifestNameOf */ .S$)(backup.name)),
        }));
    }
    /** Manifests of ours whose backup is gone (left by a run that stopped between the two deletions). */
    orphanManifests() {
        const names = this.names;
        return [...names].filter((name) => {
            if (!name.endsWith(_domain_backup_name_js__WEBPACK_IMPORTED_MODULE_2__/* .MANIFEST_SUFFIX */ .OK))
                return false;
            const backup = name.slice(0, -_domain_backup_name_js__WEBPACK_IMPORTED_MODULE_2__/* .MANIFEST_SUFFIX */ .OK.length);
            return (0,_domain_backup_name_js__WEBPACK_IMPORTED_MODULE_2__/* .parseBackupName */ .Df)(backup) !== undefined && !names.has(backup);
        });
    }
    /** The manifest beside a backup; undefined when there is none or it cannot be read (said in `problem`). */
    manifestOf(backupName) {
        let read = this.manifests.get(backupName);
        if (!read) {
            read = this.readManifest((0,_domain_backup_name_js__WEBPACK_IMPORTED_MODULE_2__/* .manifestNameOf */ .S$)(backupName));
            this.manifests.set(backupName, read);
        }
        return read;
    }
    /** Reads a manifest by its own name, listed or not (an orphan's, for example). */
    async readManifest(manifestName) {
        if (!this.names.has(manifestName))
            return { manifest: undefined };
        try {
            let file = this.localFile(manifestName);
            if (file === undefined) {
                this.scratch ??= await (0,_fs_files_js__WEBPACK_IMPORTED_MODULE_5__/* .temporaryDirectory */ .De)('catalog');
                file = node_path__WEBPACK_IMPORTED_MODULE_1___default().join(this.scratch, manifestName);
                await (0,_fs_files_js__WEBPACK_IMPORTED_MODULE_5__/* .removeQuietly */ .S2)(file);
                await this.storage.get(manifestName, file);
            }
            return { manifest: (0,_domain_manifest_js__WEBPACK_IMPORTED_MODULE_4__/* .parseManifest */ .Ng)(await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().readFile(file, 'utf8'), manifestName) };
        }
        catch (error) {
            return { manifest: undefined, problem: (0,_domain_secrets_js__WEBPACK_IMPORTED_MODULE_6__/* .redact */ .E$)((0,_domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ)(error)) };
        }
    }
    async ownership(entry, own) {
        // A name that says another engine or database needs no manifest read.
        const quick = (0,_identity_js__WEBPACK_IMPORTED_MODULE_8__/* .ownershipOf */ .VL)(entry.backup, undefined, own);
        if (quick === 'other' || !entry.hasManifest)
            return quick;
        return (0,_identity_js__WEBPACK_IMPORTED_MODULE_8__/* .ownershipOf */ .VL)(entry.backup, (await this.manifestOf(entry.backup.name)).manifest, own);
    }
    /** Removes what was fetched to read manifests. */
    async release() {
        if (this.scratch)
            await (0,_fs_files_js__WEBPACK_IMPORTED_MODULE_5__/* .removeQuietly */ .S2)(this.scratch);
        this.scratch = undefined;
    }
}
/** Opens the catalog of a place, runs `work`, and releases it whatever happens. */
async function withCatalog(storage, work) {
    const catalog = await Catalog.open(storage);
    try {
        return await work(catalog);
    }
    finally {
        await catalog.release();
    }
}


/***/ }),

/***/ 57884:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   g: () => (/* binding */ checksumStatus),
/* harmony export */   o: () => (/* binding */ assertChecksum)
/* harmony export */ });
/* harmony import */ var _domain_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(10241);
/* harmony import */ var _pipeline_digest_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(29912);


async function checksumStatus(backup) {
    if (!backup.manifest)
        return 'no-manifest';
    const actual = await (0,_pipeline_digest_js__WEBPACK_IMPORTED_MODULE_1__/* .digestFile */ .T)(backup.file);
    return actual.sha256 === backup.manifest.file.sha256 && actual.size === backup.manifest.file.size
        ? 'ok'
        : 'mismatch';
}
/** The stored file must be exactly what its manifest describes. */
async function assertChecksum(backup) {
    if ((await checksumStatus(backup)) === 'mismatch') {
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`${backup.name} does not match the sha256 and size in its manifest: the file is damaged or was changed. Nothing was changed; use another backup.`);
    }
}


/***/ }),

/***/ 66097:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Cl: () => (/* binding */ describeIdentity),
/* harmony export */   KX: () => (/* binding */ sameDatabase),
/* harmony export */   Nh: () => (/* binding */ describeBackupDatabase),
/* harmony export */   US: () => (/* binding */ identityKey),
/* harmony export */   VL: () => (/* binding */ ownershipOf),
/* harmony export */   cu: () => (/* binding */ identityOf),
/* harmony export */   iz: () => (/* binding */ ownDatabase)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _domain_database_location_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(58523);



/** The identity of a database: its real path for SQLite, host:port/database for PostgreSQL. */
async function identityOf(location, name) {
    const database = location.engine === 'sqlite'
        ? await realPath(location.path)
        : `${location.host.includes(':') ? `[${location.host.toLowerCase()}]` : location.host.toLowerCase()}:${location.port}/${location.database}`;
    return { engine: location.engine, database, ...(name !== undefined ? { name } : {}) };
}
async function ownDatabase(location, name) {
    return { identity: await identityOf(location, name), legacyName: (0,_domain_database_location_js__WEBPACK_IMPORTED_MODULE_2__/* .confirmationName */ .$e)(location) };
}
/** A file that does not exist yet (a restore's target) resolves through its directory. */
async function realPath(file) {
    try {
        return await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().realpath(file);
    }
    catch {
        try {
            return node_path__WEBPACK_IMPORTED_MODULE_1___default().join(await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().realpath(node_path__WEBPACK_IMPORTED_MODULE_1___default().dirname(file)), node_path__WEBPACK_IMPORTED_MODULE_1___default().basename(file));
        }
        catch {
            return node_path__WEBPACK_IMPORTED_MODULE_1___default().resolve(file);
        }
    }
}
/**
 * Two identities are one database when their engines agree and either both
 * carry a user-given name and the names are equal (a name survives a moved
 * file or a renamed host), or otherwise their addresses are equal. Two
 * different names on one address are two databases (two partial backups of
 * one server, for example).
 */
function sameDatabase(a, b) {
    if (a.engine !== b.engine)
        return false;
    if (a.name !== undefined && b.name !== undefined)
        return a.name === b.name;
    return a.database === b.database;
}
/** Whose a backup is, from its name and its manifest (undefined: none, or unreadable). */
function ownershipOf(backup, manifest, own) {
    if (backup.engine !== own.identity.engine)
        return 'other';
    // The name in the file name is as good as the manifest's.
    if (backup.label !== undefined &&
        own.identity.name !== undefined &&
        backup.label !== own.identity.name)
        return 'other';
    if (!manifest)
        return 'unknown';
    if (manifest.engine !== own.identity.engine)
        return 'other';
    if (manifest.identity) {
        const match = own.exact
            ? identityKey(manifest.identity) === identityKey(own.identity)
            : sameDatabase(manifest.identity, own.identity);
        return match ? 'ours' : 'other';
    }
    if (own.exact)
        return 'other';
    return manifest.database.name === own.legacyName ? 'old-match' : 'other';
}
/** One string per identity, to group backups by exactly their identity. */
function identityKey(identity) {
    return JSON.stringify([identity.engine, identity.name ?? null, identity.database]);
}
const ENGINE_LABEL = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
/** For people: `"app" (PostgreSQL db:5432/app)`, `SQLite /srv/app.db`. */
function describeIdentity(identity) {
    const address = `${ENGINE_LABEL[identity.engine]} ${identity.database}`;
    return identity.name !== undefined ? `"${identity.name}" (${address})` : address;
}
/** A manifest's database for people, with or without an identity. */
function describeBackupDatabase(manifest) {
    return manifest.identity
        ? describeIdentity(manifest.identity)
        : `${ENGINE_LABEL[manifest.engine]} ${manifest.database.name}`;
}


/***/ }),

/***/ 65484:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Rd: () => (/* binding */ withPlaceLock),
/* harmony export */   r4: () => (/* binding */ withDirectoryLock)
/* harmony export */ });
/* unused harmony export LOCK_NAME */
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(48161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_timers_promises__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(58500);
/* harmony import */ var node_timers_promises__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_timers_promises__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(10241);
/* harmony import */ var _fs_files_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(18176);
/* harmony import */ var _fs_live_temps_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(42883);
/* harmony import */ var _process_interruptions_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(36301);
/* harmony import */ var _storage_storage_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(32912);









/** The lock file in a backup directory. It is not a backup name: no window or listing counts it. */
const LOCK_NAME = '.db-backup.lock';
/** A lock of another machine (a shared directory) whose holder cannot be asked is stale after this. */
const FOREIGN_STALE_MS = 15 * 60_000;
/** How long a run waits for a lock held by a live peer. */
const WAIT_MS = 10 * 60_000;
/**
 * Runs `work` while holding the backup directory's lock: a file created with
 * O_EXCL holding the holder's pid, host and time. Peers wait. A lock whose
 * holder is gone (same host, no such process; another host, older than 15
 * minutes; unreadable content) is stale: it is taken over. The lock covers
 * only the short steps that change what the directory holds: giving a backup
 * its name and manifest, and the rolling window.
 */
async function withDirectoryLock(dir, work) {
    const file = node_path__WEBPACK_IMPORTED_MODULE_2___default().join(dir, LOCK_NAME);
    const me = { pid: process.pid, host: node_os__WEBPACK_IMPORTED_MODULE_1___default().hostname(), time: new Date().toISOString() };
    const mine = JSON.stringify(me);
    const deadline = Date.now() + WAIT_MS;
    let pause = 20;
    for (;;) {
        // A signal's sweep takes the lock with the run's temporary files (peers on other hosts would
        // otherwise wait out FOREIGN_STALE_MS), but only while it still holds what this run wrote: a
        // peer that judged this run gone and took the lock over keeps it. Known to the sweep before
        // it is made, and the exit waits for the write: a signal while it is being written finds
        // it whole (not yet holding what this run wrote, it would stay).
        (0,_fs_live_temps_js__WEBPACK_IMPORTED_MODULE_6__/* .trackOwnedFile */ .zS)(file, mine);
        try {
            await (0,_process_interruptions_js__WEBPACK_IMPORTED_MODULE_7__/* .finishedBeforeExit */ .q2)(node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().writeFile(file, mine, { flag: 'wx', mode: _fs_files_js__WEBPACK_IMPORTED_MODULE_5__/* .FILE_MODE */ .rE }));
            // Taken after a signal's sweep: let go at once, as the process is on its way out.
            (0,_fs_live_temps_js__WEBPACK_IMPORTED_MODULE_6__/* .trackOwnedFile */ .zS)(file, mine);
            break;
        }
        catch (error) {
            (0,_fs_live_temps_js__WEBPACK_IMPORTED_MODULE_6__/* .untrackOwnedFile */ .sp)(file);
            const code = error.code;
            // No directory yet: nothing to protect, nothing to lock. A directory this run cannot
            // write to (a read-only mount for list or a dry run) cannot be changed by it either.
            // A backup directory that is a file: the work's own listing says so in its words.
            if (code === 'ENOENT' ||
                code === 'ENOTDIR' ||
                code === 'EACCES' ||
                code === 'EROFS' ||
                code === 'EPERM')
                return work();
            if (code !== 'EEXIST')
                throw error;
        }
        const holder = await readHolder(file);
        if (holder === 'gone')
            continue;
        if (holder && isStale(holder)) {
            await breakStaleLock(file, holder);
            continue;
        }
        if (Date.now() > deadline) {
            const who = holder ? `process ${holder.pid} on ${holder.host} since ${holder.time}` : 'a run';
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .JobFailure */ .y3(`${dir} is locked by ${who}: another backup is changing it. If no such run is alive, remove ${file}.`);
        }
        await (0,node_timers_promises__WEBPACK_IMPORTED_MODULE_3__.setTimeout)(pause);
        pause = Math.min(pause * 2, 500);
    }
    try {
        return await work();
    }
    finally {
        // Known to the sweep until it is gone: a signal while it is being released takes it too.
        await releaseIfMine(file, me);
        (0,_fs_live_temps_js__WEBPACK_IMPORTED_MODULE_6__/* .untrackOwnedFile */ .sp)(file);
    }
}
/** What the lock's path holds when it is not a file: this tool never makes such a thing there. */
function notAFile(stat) {
    if (stat.isFile())
        return undefined;
    if (stat.isDirectory())
        return 'a directory';
    if (stat.isSymbolicLink())
        return 'a symbolic link';
    if (stat.isFIFO())
        return 'a named pipe';
    return 'not a file';
}
/** The holder; undefined for a lock being written or unreadable; `gone` when it vanished. */
async function readHolder(file) {
    // Never read through what is not a plain file: a named pipe would block, a link lead elsewhere.
    const found = await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().lstat(file).catch((error) => {
        if (error.code === 'ENOENT')
            return undefined;
        throw error;
    });
    if (!found)
        return 'gone';
    const what = notAFile(found);
    if (what) {
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .JobFailure */ .y3(`${file} is ${what}, not this tool's lock file: remove it (rm ${what === 'a directory' ? '-r ' : ''}${file}) and run again. Nothing was changed in ${node_path__WEBPACK_IMPORTED_MODULE_2___default().dirname(file)}.`);
    }
    let text;
    try {
        text = await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().readFile(file, 'utf8');
    }
    catch (error) {
        const code = error.code;
        if (code === 'ENOENT')
            return 'gone';
        if (code === 'EACCES' || code === 'EPERM') {
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .JobFailure */ .y3(`${file} cannot be read by this user (permission denied): a run of another user holds ${node_path__WEBPACK_IMPORTED_MODULE_2___default().dirname(file)}, or the file's mode was changed. Run every backup into it as one user; remove the file once no run is alive. Nothing was changed in ${node_path__WEBPACK_IMPORTED_MODULE_2___default().dirname(file)}.`);
        }
        throw error;
    }
    try {
        const data = JSON.parse(text);
        if (typeof data.pid === 'number' &&
            typeof data.host === 'string' &&
            typeof data.time === 'string')
            return { pid: data.pid, host: data.host, time: data.time };
    }
    catch {
        // Half-written by a peer this instant, or damaged: judged by the file's age below.
    }
    const stat = await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().stat(file).catch(() => undefined);
    if (!stat)
        return 'gone';
    return { pid: -1, host: '', time: stat.mtime.toISOString() };
}
function isStale(holder) {
    const age = Date.now() - Date.parse(holder.time);
    if (holder.host === node_os__WEBPACK_IMPORTED_MODULE_1___default().hostname() && holder.pid > 0)
        return !isAlive(holder.pid);
    // Unreadable content gets a few seconds to be completed by its writer.
    if (holder.pid === -1)
        return age > 5_000;
    return age > FOREIGN_STALE_MS;
}
function isAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (error) {
        return error.code === 'EPERM';
    }
}
/**
 * Removes a stale lock only if it is still the stale one: renamed aside first
 * (atomic), checked, then removed, so that two runs breaking the same stale
 * lock cannot remove a fresh lock one of them just took.
 */
async function breakStaleLock(file, holder) {
    const aside = `${file}.stale-${process.pid}-${Date.now()}`;
    try {
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().rename(file, aside);
    }
    catch {
        return;
    }
    const moved = await readHolder(aside);
    if (moved !== 'gone' &&
        moved !== undefined &&
        (moved.pid !== holder.pid || moved.host !== holder.host || moved.time !== holder.time)) {
        // A fresh lock was renamed by mistake: put it back unless a new one is there.
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().link(aside, file).catch(() => undefined);
    }
    await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().rm(aside, { force: true });
}
async function releaseIfMine(file, me) {
    const holder = await readHolder(file).catch(() => undefined);
    if (holder !== 'gone' &&
        holder !== undefined &&
        holder.pid === me.pid &&
        holder.host === me.host &&
        holder.time === me.time)
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().rm(file, { force: true });
}
/** Runs `work` under the place's lock: the directory's for a local place; object storage has none (see README: Catalog). */
async function withPlaceLock(storage, work) {
    return (0,_storage_storage_js__WEBPACK_IMPORTED_MODULE_8__/* .isLocalPlace */ .p)(storage) ? withDirectoryLock(storage.localDirectory, work) : work();
}


/***/ }),

/***/ 75646:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   bR: () => (/* binding */ BackupFilesGone),
/* harmony export */   kI: () => (/* binding */ uploadBackup)
/* harmony export */ });
/* unused harmony export BackupFilesChanged */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _domain_backup_name_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(10206);
/* harmony import */ var _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(10241);
/* harmony import */ var _process_memory_guard_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(10954);
/* harmony import */ var _pipeline_digest_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(29912);
/* harmony import */ var _pipeline_progress_counter_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(72754);
/* harmony import */ var _domain_progress_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(50229);
/* harmony import */ var _domain_manifest_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(52359);










/**
 * The backup or its manifest was removed before this upload could open it
 * (a concurrent run's window, a person): nothing of it was sent.
 */
class BackupFilesGone extends _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .JobFailure */ .y3 {
    constructor(backup, gone) {
        const what = gone === 'backup' ? backup.name : `the manifest of ${backup.name}`;
        super(`${what} was removed from ${node_path__WEBPACK_IMPORTED_MODULE_0___default().dirname(backup.file)} before it could be stored`);
    }
}
/**
 * The backup's files are not what this run wrote (its size and sha256 as
 * the manifest records them): something replaced or changed them after.
 */
class BackupFilesChanged extends _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .JobFailure */ .y3 {
    constructor(backup, what, where) {
        super(`${backup.name} in ${node_path__WEBPACK_IMPORTED_MODULE_0___default().dirname(backup.file)} changed after it was written (${what}): nothing of it was stored at ${where}.`);
    }
}
/**
 * Puts a backup and then its manifest at a target (in that order: until its
 * manifest is there, the backup is nobody's and no window removes it), and checks that the target
 * lists the backup at its full size: only then may its rolling window run.
 *
 * Both files are opened before anything is sent, and sent from what was opened:
 * a peer's window that removes them in the meantime cannot leave a backup
 * without its manifest at the target. When they are already gone, nothing is
 * sent and {@link BackupFilesGone} says so. What is sent must be what the run
 * wrote (the size and sha256 in its manifest): a file replaced or changed
 * since is sent nowhere, or removed from the target before its manifest goes
 * there ({@link BackupFilesChanged}).
 */
async function uploadBackup(storage, backup, progress = _domain_progress_js__WEBPACK_IMPORTED_MODULE_8__/* .NO_PROGRESS */ .c) {
    const opened = await openPair(storage, backup);
    try {
        return await uploadOpened(storage, backup, opened, progress);
    }
    finally {
        await opened.body.close();
    }
}
async function openPair(storage, backup) {
    let body;
    try {
        body = await node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default().open(backup.file, 'r');
        const manifestBytes = await node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default().readFile(backup.manifestFile).catch((error) => {
            throw gone(error) ? new BackupFilesGone(backup, 'manifest') : error;
        });
        const { size } = await body.stat();
        const expected = backup.manifest.file;
        if (size !== expected.size)
            throw new BackupFilesChanged(backup, `${size} bytes, its manifest says ${expected.size}`, storage.location);
        if (!describesSameFile(manifestBytes, backup))
            throw new BackupFilesChanged(backup, `its manifest no longer describes it`, storage.location);
        return { body, manifestBytes };
    }
    catch (error) {
        await body?.close();
        throw gone(error) ? new BackupFilesGone(backup, 'backup') : error;
    }
}
function gone(error) {
    return error.code === 'ENOENT';
}
/** The manifest file as read still records the file this run wrote. */
function describesSameFile(bytes, backup) {
    const { manifest } = backup;
    try {
        const { file } = (0,_domain_manifest_js__WEBPACK_IMPORTED_MODULE_9__/* .parseManifest */ .Ng)(bytes.toString('utf8'), (0,_domain_backup_name_js__WEBPACK_IMPORTED_MODULE_3__/* .manifestNameOf */ .S$)(backup.name));
        return file.size === manifest.file.size && file.sha256 === manifest.file.sha256;
    }
    catch {
        return false;
    }
}
async function uploadOpened(storage, backup, opened, progress) {
    const size = backup.manifest.file.size;
    let sent = 0;
    /** What the last body read to its end held: what the target was given. */
    let read;
    const task = progress.start(`uploading ${backup.name} to ${storage.location}`, {
        total: size,
        poll: () => sent,
    });
    let receipt;
    try {
        receipt = await storage.put(backup.name, {
            // A backend may open the body again to retry: the count starts over with it.
            open: () => {
                sent = 0;
                return readFromStart(opened.body, (bytes) => {
                    sent += bytes;
                    (0,_process_memory_guard_js__WEBPACK_IMPORTED_MODULE_5__/* .bytesMoved */ .v)(bytes);
                }, (whole) => (read = whole));
            },
            size,
        });
    }
    finally {
        task.end();
    }
    if (read?.size !== size || read.sha256 !== backup.manifest.file.sha256) {
        // Stored without its manifest, it is nobody's: no peer counts or removes it meanwhile.
        await storage.delete(backup.name);
        const what = read
            ? `${read.size} bytes with sha256 ${read.sha256} were read, its manifest says ${size} bytes with sha256 ${backup.manifest.file.sha256}`
            : 'the upload did not read it to its end';
        throw new BackupFilesChanged(backup, what, storage.location);
    }
    await storage.put((0,_domain_backup_name_js__WEBPACK_IMPORTED_MODULE_3__/* .manifestNameOf */ .S$)(backup.name), {
        open: () => node_stream__WEBPACK_IMPORTED_MODULE_2__.Readable.from([opened.manifestBytes], { objectMode: false }),
        size: opened.manifestBytes.length,
    });
    const listed = (await storage.list()).find((object) => object.name === backup.name);
    if (!listed)
        throw new Error(`${backup.name} is not listed at ${storage.location} after the upload.`);
    if (listed.size !== backup.manifest.file.size) {
        throw new Error(`${backup.name} is ${listed.size} bytes at ${storage.location}, ${backup.manifest.file.size} were sent.`);
    }
    return receipt ?? {};
}
/**
 * The opened file from its first byte, counted and hashed on its way; a read
 * error still reaches whoever reads.
 */
function readFromStart(handle, count, atEnd) {
    const digest = new _pipeline_digest_js__WEBPACK_IMPORTED_MODULE_6__/* .DigestStream */ .v();
    digest.once('finish', () => atEnd(digest.digest()));
    const counter = new _pipeline_progress_counter_js__WEBPACK_IMPORTED_MODULE_7__/* .ProgressCounter */ .C({ advance: count, end: () => undefined });
    return (0,node_stream__WEBPACK_IMPORTED_MODULE_2__.pipeline)(positionalReader(handle), digest, counter, () => undefined);
}
/** Bytes read from the opened file at a time. */
const CHUNK = 256 * 1024;
/**
 * The file read at explicit positions from byte 0: each stream has its own
 * position, and neither its end nor its destruction closes the handle (its
 * opener does; a FileHandle's own read stream closes it when destroyed), so a
 * backend can give up on one stream and open another (a retry), even
 * alongside the first.
 */
function positionalReader(handle) {
    let position = 0;
    return new node_stream__WEBPACK_IMPORTED_MODULE_2__.Readable({
        highWaterMark: CHUNK,
        read() {
            const buffer = Buffer.allocUnsafe(CHUNK);
            handle.read(buffer, 0, CHUNK, position).then(({ bytesRead }) => {
                if (this.destroyed)
                    return;
                position += bytesRead;
                this.push(bytesRead === 0 ? null : buffer.subarray(0, bytesRead));
            }, (error) => this.destroy(error));
        },
    });
}


/***/ }),

/***/ 47153:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  C: () => (/* binding */ applyDatabaseRetention),
  p: () => (/* binding */ backupsOf)
});

// EXTERNAL MODULE: ./src/domain/backup-name.ts
var backup_name = __webpack_require__(10206);
// EXTERNAL MODULE: ./src/domain/manifest.ts
var domain_manifest = __webpack_require__(52359);
// EXTERNAL MODULE: ./src/retention/calendar-retention.ts
var calendar_retention = __webpack_require__(98269);
// EXTERNAL MODULE: ./src/verification/verification-record.ts
var verification_record = __webpack_require__(19688);
;// CONCATENATED MODULE: ./src/retention/plan-retention.ts



const GUARD_TEXT = {
    'keep-all': 'max-backups 0 keeps all',
    'just-written': 'the backup just written',
    'held-rows': 'the newest backup that held rows',
    'may-hold-rows': 'no readable manifest, may be the last copy of the data',
    verified: 'the newest backup that passed a test restore',
    'freshest-proof': 'the backup whose test restore passed most recently',
    'unhealed-failure': 'its verification failed, and no newer backup has passed one since',
};
/** `daily 2026-11-30`, `max-backups #2`, `the newest backup that held rows`. */
function describeRetentionReason(reason) {
    return 'period' in reason ? (0,calendar_retention/* describeReason */.Gk)(reason) : GUARD_TEXT[reason.rule];
}
/** Our regular backups of the policy's engine, newest first, each name once. */
function retentionCandidates(names, engine, kind = 'backup') {
    const candidates = names
        .map(backup_name/* parseBackupName */.Df)
        .filter((parsed) => parsed !== undefined)
        .filter((parsed) => parsed.kind === kind && parsed.engine === engine)
        .sort(backup_name/* compareNewestFirst */.a0);
    return candidates.filter((item, index) => candidates.findIndex((other) => other.name === item.name) === index);
}
/**
 * The newest backup known to hold rows: the one an emptied database must
 * never push out. `heldRows` answers for one backup (from its manifest), or
 * undefined when it cannot tell; backups are asked newest first, and the
 * asking stops at the first that held rows.
 */
async function newestWithRows(newestFirst, heldRows) {
    const known = new Map();
    for (const backup of newestFirst) {
        const held = await heldRows(backup);
        if (held !== undefined)
            known.set(backup.name, held);
        if (held === true)
            break;
    }
    return known;
}
function verificationGuards(names, newestFirst) {
    const held = new Set(newestFirst.map((backup) => backup.name));
    const standing = (0,verification_record/* newestVerdicts */.Ld)(names
        .map(verification_record/* parseVerificationRecordName */.hG)
        .filter((record) => record !== undefined && held.has(record.backup.name)));
    const backupOf = (record) => newestFirst.find((backup) => backup.name === record?.backup.name);
    const verified = newestFirst.find((backup) => standing.get(backup.name)?.outcome === 'verified');
    const freshest = backupOf((0,verification_record/* freshestPass */.Eb)(standing));
    const failure = backupOf((0,verification_record/* unhealedFailureOf */.yc)(standing, newestFirst));
    return {
        ...(verified ? { verified } : {}),
        ...(freshest ? { freshest } : {}),
        ...(failure ? { failure } : {}),
    };
}
/**
 * The rolling window and the calendar rules. Only names this tool writes for regular backups of the
 * given engine are candidates: foreign files, manifests, other engines and
 * before-restore safety copies are never removed. The newest is always kept,
 * and so is the newest backup that held rows: backups of an emptied database
 * (a 0-byte SQLite file, a PostgreSQL database whose tables or rows are gone)
 * count in the window but never push out the last copy of the data. A
 * backup whose manifest cannot tell (none, or unreadable), older than a backup
 * of an empty database and newer than the newest backup known to hold rows,
 * may be that copy: it is kept too. Without `heldRows`, the plain window.
 * The newest backup that passed a test restore is kept as well, and so is the
 * one whose test restore passed most recently (what status counts as the
 * last proof) when an older backup was verified again, and the newest
 * backup with a verification when that failed (status is red while it is
 * held: removing it would make status green on an older pass alone).
 *
 * With calendar rules (`keep`), a backup is kept when any rule keeps it: each
 * calendar rule, and the window's newest `maxBackups` when it is given. A
 * window of 0 keeps everything, whatever the calendar says.
 */
function planRetention(names, policy) {
    const unique = retentionCandidates(names, policy.engine, policy.kind);
    const calendar = (0,calendar_retention/* hasCalendarRules */.o5)(policy.keep) ? policy.keep : undefined;
    if (policy.maxBackups === 0 || (policy.maxBackups === undefined && !calendar)) {
        const all = [{ rule: 'keep-all' }];
        return {
            keep: unique,
            remove: [],
            reasons: new Map(unique.map((backup) => [backup.name, all])),
        };
    }
    const byRule = (0,calendar_retention/* calendarReasons */.Ep)(unique, calendar ?? calendar_retention/* NO_CALENDAR_RULES */.pQ, policy.maxBackups);
    const { verified, freshest, failure } = verificationGuards(names, unique);
    const protect = new Set(policy.protect ?? []);
    const withRows = unique.find((backup) => policy.heldRows?.get(backup.name) === true);
    // Unread backups older than a known empty one, and newer than the newest known to hold rows.
    const mayHoldRows = new Set();
    let emptied = false;
    for (const backup of policy.heldRows ? unique : []) {
        if (backup === withRows)
            break;
        const held = policy.heldRows?.get(backup.name);
        if (held === false)
            emptied = true;
        else if (held === undefined && emptied)
            mayHoldRows.add(backup);
    }
    const keep = [];
    const remove = [];
    const keptUnread = [];
    const reasons = new Map();
    let keptForData;
    let keptVerified;
    let keptFreshestProof;
    let keptFailure;
    for (const [index, backup] of unique.entries()) {
        const why = [...(byRule[index] ?? [])];
        // The guards speak only for a backup that no rule keeps.
        if (why.length === 0) {
            if (protect.has(backup.name))
                why.push({ rule: 'just-written' });
            else if (backup === withRows) {
                why.push({ rule: 'held-rows' });
                keptForData = backup;
            }
            else if (mayHoldRows.has(backup)) {
                why.push({ rule: 'may-hold-rows' });
                keptUnread.push(backup);
            }
            else if (backup === verified) {
                why.push({ rule: 'verified' });
                keptVerified = backup;
            }
            else if (backup === freshest) {
                why.push({ rule: 'freshest-proof' });
                keptFreshestProof = backup;
            }
            else if (backup === failure) {
                why.push({ rule: 'unhealed-failure' });
                keptFailure = backup;
            }
        }
        if (why.length === 0) {
            remove.push(backup);
            continue;
        }
        keep.push(backup);
        reasons.set(backup.name, why);
    }
    return {
        keep,
        remove,
        ...(keptForData ? { keptForData } : {}),
        ...(keptUnread.length > 0 ? { keptUnread } : {}),
        ...(keptVerified ? { keptVerified } : {}),
        ...(keptFreshestProof ? { keptFreshestProof } : {}),
        ...(keptFailure ? { keptFailure } : {}),
        reasons,
    };
}

// EXTERNAL MODULE: ./src/process/interruptions.ts
var interruptions = __webpack_require__(36301);
// EXTERNAL MODULE: ./src/catalog/identity.ts
var identity = __webpack_require__(66097);
;// CONCATENATED MODULE: ./src/catalog/retention.ts







/**
 * The backups a database's window counts: those whose manifest proves they
 * are of it, and old ones (manifest from before identities) whose manifest
 * names the same engine and database name. A backup without a readable
 * manifest is nobody's: it is left alone (and said).
 */
async function backupsOf(catalog, own, kind) {
    const ours = [];
    const unknown = [];
    for (const entry of catalog.entries({ engine: own.identity.engine, kind })) {
        const ownership = await catalog.ownership(entry, own);
        if (ownership === 'ours' || ownership === 'old-match')
            ours.push(entry);
        else if (ownership === 'unknown')
            unknown.push(entry);
    }
    return { ours, unknown };
}
/**
 * Applies one database's rolling window at one place. Only that database's
 * backups are candidates (see `backupsOf`); the plan itself is the pure
 * `planRetention`. A backup goes first, then its manifest and verification
 * records, so that a run stopped in between leaves at most an orphan manifest
 * (which `prune` removes), never a backup without its manifest. The place is
 * listed again before the outcome is reported: a peer may have pruned too.
 */
async function applyDatabaseRetention(catalog, own, policy, log) {
    const where = catalog.storage.id;
    const { ours, unknown } = await backupsOf(catalog, own, policy.kind ?? 'backup');
    const held = new Map();
    for (const entry of ours) {
        const known = policy.known?.get(entry.backup.name);
        const manifest = (await catalog.manifestOf(entry.backup.name)).manifest;
        if (known !== undefined)
            held.set(entry.backup.name, known);
        else if (manifest)
            held.set(entry.backup.name, (0,domain_manifest/* heldRows */.j4)(manifest));
    }
    // Only the plan's own settings go to the plan (the calendar rules pass through as they are).
    const planPolicy = Object.fromEntries(Object.entries(policy).filter(([key]) => key !== 'dryRun' && key !== 'known'));
    // The backups' verification records go with them: the newest verified backup is never removed.
    const plan = planRetention(ours.flatMap((entry) => [entry.backup.name, ...(0,verification_record/* recordsOf */.M$)(entry.backup.name, catalog.names)]), { ...planPolicy, engine: own.identity.engine, heldRows: held });
    const rules = (0,calendar_retention/* describeRules */.NH)(policy.keep, policy.maxBackups);
    const reasonsOf = (name) => (plan.reasons.get(name) ?? []).map(describeRetentionReason);
    if (plan.keptForData) {
        log.info(`Keeping ${plan.keptForData.name} at ${where} beyond ${rules}: it is the newest backup known to hold rows, and no newer one is`);
    }
    for (const backup of plan.keptUnread ?? []) {
        log.info(`Keeping ${backup.name} at ${where} beyond ${rules}: it has no readable manifest, a newer backup is of an empty database and none is known to hold rows, so it may be the last copy of the data`);
    }
    if (plan.keptVerified) {
        log.info(`Keeping ${plan.keptVerified.name} at ${where} beyond ${rules}: it is the newest backup that passed a test restore (db-backup verify)`);
    }
    if (plan.keptFreshestProof) {
        log.info(`Keeping ${plan.keptFreshestProof.name} at ${where} beyond ${rules}: its test restore passed most recently (db-backup verify)`);
    }
    if (plan.keptFailure) {
        log.info(`Keeping ${plan.keptFailure.name} at ${where} beyond ${rules}: its verification failed and no newer backup has passed one since; it goes once one does (until then status says VERIFICATION FAILED)`);
    }
    if (unknown.length > 0) {
        log.info(`Left alone at ${where}: ${unknown.map((e) => e.backup.name).join(', ')} (no readable manifest says whose backup it is; the window of ${(0,identity/* describeIdentity */.Cl)(own.identity)} neither counts nor removes it — delete it by hand when it is no longer needed)`);
    }
    // Which rule keeps what: a calendar policy is only trusted when it can be read.
    if (policy.maxBackups !== 0) {
        for (const backup of plan.keep) {
            log.info(`Kept ${backup.name} at ${where}: ${reasonsOf(backup.name).join(', ')}`);
        }
    }
    const names = catalog.names;
    for (const backup of plan.remove) {
        const verb = policy.dryRun ? 'Would remove' : 'Removing';
        const why = (0,calendar_retention/* hasCalendarRules */.o5)(policy.keep) ? `no rule keeps it: ${rules}` : `beyond ${rules}`;
        log.info(`${verb} ${backup.name} from ${where} (${why})`);
        if (policy.dryRun)
            continue;
        const removed = (0,interruptions/* noteRemoving */.mv)(backup.name, where);
        await catalog.storage.delete(backup.name);
        removed();
        // What belongs to the backup goes with it: a record never outlives it as a stray file.
        const manifest = (0,backup_name/* manifestNameOf */.S$)(backup.name);
        for (const companion of [manifest, ...(0,verification_record/* recordsOf */.M$)(backup.name, names)]) {
            if (names.has(companion))
                await catalog.storage.delete(companion);
        }
    }
    let stillThere = (name) => names.has(name);
    if (!policy.dryRun) {
        await catalog.refresh();
        const now = catalog.names;
        stillThere = (name) => now.has(name);
    }
    const kept = plan.keep.filter((backup) => stillThere(backup.name));
    return {
        kept: kept.map((b) => b.name),
        removed: plan.remove.map((b) => b.name),
        keptBackups: [...kept].reverse().map((b) => ({
            name: b.name,
            size: catalog.sizeOf(b.name) ?? 0,
            time: b.time.toISOString(),
            reasons: reasonsOf(b.name),
        })),
        ...(plan.keptForData ? { keptForData: plan.keptForData.name } : {}),
        ...(plan.keptVerified ? { keptVerified: plan.keptVerified.name } : {}),
        ...(plan.keptFreshestProof ? { keptFreshestProof: plan.keptFreshestProof.name } : {}),
        ...(plan.keptFailure ? { keptFailure: plan.keptFailure.name } : {}),
        leftAlone: unknown.map((e) => e.backup.name),
    };
}


/***/ }),

/***/ 37374:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  $z: () => (/* binding */ releaseStagedCopy),
  Q3: () => (/* binding */ runBackup),
  qy: () => (/* binding */ storeEverywhere)
});

// UNUSED EXPORTS: storeAt

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/domain/database-location.ts
var database_location = __webpack_require__(58523);
// EXTERNAL MODULE: ./src/engines/index.ts + 5 modules
var engines = __webpack_require__(9319);
// EXTERNAL MODULE: ./src/domain/errors.ts
var errors = __webpack_require__(10241);
// EXTERNAL MODULE: ./src/domain/manifest.ts
var manifest = __webpack_require__(52359);
// EXTERNAL MODULE: ./src/pipeline/encryption.ts
var encryption = __webpack_require__(31977);
// EXTERNAL MODULE: ./src/fs/files.ts
var files = __webpack_require__(18176);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
var promises_default = /*#__PURE__*/__webpack_require__.n(promises_);
// EXTERNAL MODULE: ./src/storage/factory.ts + 2 modules
var factory = __webpack_require__(10364);
// EXTERNAL MODULE: ./src/storage/storage.ts
var storage_storage = __webpack_require__(32912);
// EXTERNAL MODULE: ./src/domain/secrets.ts
var secrets = __webpack_require__(7513);
// EXTERNAL MODULE: ./src/domain/logger.ts
var logger = __webpack_require__(41322);
// EXTERNAL MODULE: ./src/commands/create-backup.ts + 1 modules
var create_backup = __webpack_require__(21204);
// EXTERNAL MODULE: ./src/commands/engine-settings.ts
var engine_settings = __webpack_require__(12774);
// EXTERNAL MODULE: ./src/catalog/catalog.ts
var catalog = __webpack_require__(97008);
// EXTERNAL MODULE: ./src/catalog/lock.ts
var lock = __webpack_require__(65484);
// EXTERNAL MODULE: ./src/catalog/retention.ts + 1 modules
var retention = __webpack_require__(47153);
;// CONCATENATED MODULE: ./src/commands/retention.ts



/**
 * Applies one database's rolling window at one storage target; the catalog
 * decides which backups are that database's and what may go.
 */
async function applyRetention(storage, policy, log) {
    const { own, ...rest } = policy;
    // Under the place's lock: two windows at once never plan from a listing the other is changing.
    return (0,lock/* withPlaceLock */.Rd)(storage, () => (0,catalog/* withCatalog */.w)(storage, (catalog) => (0,retention/* applyDatabaseRetention */.C)(catalog, own, rest, log)));
}

// EXTERNAL MODULE: ./src/catalog/identity.ts
var identity = __webpack_require__(66097);
// EXTERNAL MODULE: ./src/catalog/paired-upload.ts
var paired_upload = __webpack_require__(75646);
// EXTERNAL MODULE: ./src/domain/backup-name.ts
var backup_name = __webpack_require__(10206);
;// CONCATENATED MODULE: ./src/catalog/superseded.ts



/** Listings of a place to take at most while peers' windows change it. */
const MAX_LISTINGS = 5;
/**
 * A backup of the same database and kind at the place, newer than `name`:
 * what a rolling window removes `name` for. A window keeps the newest backup
 * of each database, so when `name` is gone and none is newer, no window
 * removed it (a person or another tool did). Undefined when none is there.
 */
async function newerBackupOf(storage, own, name, kind) {
    const mine = (0,backup_name/* parseBackupName */.Df)(name);
    if (!mine)
        return undefined;
    // A newer backup listed here, then removed by a still newer one's window before its
    // manifest was read, leaves this listing with neither; the next listing has the still
    // newer one. So the place is listed again while its listing changes.
    let previous;
    for (let listing = 0; listing < MAX_LISTINGS; listing += 1) {
        const { newer, names } = await (0,catalog/* withCatalog */.w)(storage, async (catalog) => {
            const { ours } = await (0,retention/* backupsOf */.p)(catalog, own, kind);
            return {
                newer: ours.find((entry) => (0,backup_name/* compareNewestFirst */.a0)(entry.backup, mine) < 0)?.backup.name,
                names: catalog
                    .entries({ engine: own.identity.engine, kind })
                    .map((entry) => entry.backup.name)
                    .join('\n'),
            };
        });
        if (newer)
            return newer;
        if (names === previous)
            return undefined;
        previous = names;
    }
    return undefined;
}

// EXTERNAL MODULE: ./src/catalog/checksum.ts
var checksum = __webpack_require__(57884);
;// CONCATENATED MODULE: ./src/commands/backup.ts



















/**
 * Backs up, then stores at every target: a failing target does not stop the
 * others, but fails the job. Each target's rolling window runs only after the
 * backup is stored and checked there.
 */
async function runBackup(config, context, 
/** The database's name in file names when no user-given name is (one of a server's databases). */
fileLabel) {
    const started = Date.now();
    for (const notice of config.notices)
        context.log.warn(notice);
    // Checked before anything is dumped: a bad key or an empty passphrase never yields a plain backup.
    const encryptor = await (0,encryption/* prepareEncryptor */.S)(config.encryption);
    const engine = await (0,engines/* createEngine */.P)(config.database, (0,engine_settings/* engineSettings */.O)(context, config.postgres));
    const storages = [];
    for (const id of config.storage)
        storages.push({ id, storage: await (0,factory/* createStorage */.w)(id, config.targets) });
    const database = (0,database_location/* describeDatabase */.DZ)(config.database);
    // Rules are checked against the database before anything is dumped or written.
    // Loaded only when asked for: its catalog reader brings the PostgreSQL client.
    const sanitizing = config.sanitize
        ? await (await Promise.all(/* import() */[__webpack_require__.e(849), __webpack_require__.e(584), __webpack_require__.e(115), __webpack_require__.e(654)]).then(__webpack_require__.bind(__webpack_require__, 41654))).prepareSanitizing(config.sanitize, config.database, context.log)
        : undefined;
    const beside = sanitizing !== undefined && (config.sanitize?.storage.length ?? 0) > 0;
    const kind = sanitizing && !beside ? 'sanitized' : 'backup';
    const backup = await (0,logger/* inSection */.Z)(context.log, `Dump ${database}`, async () => {
        await tidyBackupDir(config.backupDir, context);
        context.log.info(`Backing up ${database} into ${config.backupDir}`);
        const created = await (0,create_backup/* createBackup */.d)(sanitizing && !beside ? sanitizing.wrap(engine) : engine, config.backupDir, {
            kind,
            databaseName: config.name,
            fileLabel,
            compression: config.compression,
            encryptor,
            progress: context.progress,
            ...(context.now ? { now: context.now } : {}),
            ...(sanitizing && !beside ? { sanitized: sanitizing.info } : {}),
        });
        context.log.info(`Wrote ${created.name} (${created.manifest.file.size} bytes, sha256 ${created.manifest.file.sha256})`);
        return created;
    });
    const own = await (0,identity/* ownDatabase */.iz)(config.database, config.name);
    const targets = await storeEverywhere(storages, backup, { own, maxBackups: config.maxBackups, keep: config.keep, kind }, context);
    const stagedCopyKept = await releaseStagedCopy(storages.map(({ storage }) => storage), backup, targets, context);
    const warnings = [...config.notices];
    if (!(0,manifest/* heldRows */.j4)(backup.manifest)) {
        const warning = emptyDatabaseWarning(database, backup.name, targets);
        context.log.warn(warning);
        warnings.push(warning);
    }
    let sanitizedCopy;
    if (sanitizing && beside) {
        try {
            const { makeSanitizedCopy } = await __webpack_require__.e(/* import() */ 101).then(__webpack_require__.bind(__webpack_require__, 6101));
            sanitizedCopy = await makeSanitizedCopy(engine, sanitizing, config, encryptor, context);
        }
        catch (error) {
            // The backup itself is made and stored: the job fails, and says so.
            throw new errors/* JobFailure */.y3(`The backup ${backup.name} was made, but the sanitized copy failed: ${(0,secrets/* redact */.E$)((0,errors/* errorMessage */.gJ)(error))}`);
        }
    }
    return {
        command: 'backup',
        database,
        ...backup,
        durationMs: Date.now() - started,
        targets,
        stagedCopyKept,
        pruned: targets.flatMap((target) => target.pruned),
        kept: targets[0]?.kept.map((b) => b.name) ?? [],
        warnings,
        ...(sanitizedCopy ? { sanitizedCopy } : {}),
    };
}
/** An emptied database is backed up all the same, and said so: it may be an accident. */
function emptyDatabaseWarning(database, name, targets) {
    const kept = [...new Set(targets.flatMap((t) => (t.keptForData ? [t.keptForData] : [])))];
    const window = kept.length > 0
        ? `${kept.join(', ')}, the newest backup that held rows, is kept beyond max-backups.`
        : 'The rolling window never removes the newest backup that held rows.';
    return `${database} held no rows: ${name} was written and is marked "empty" in its manifest. ${window}`;
}
/**
 * Stores the backup at every target in turn (a failing target does not stop
 * the others); when the backup directory is one of them, its outcome is
 * looked at again once all had their turn ({@link stillInStaging}).
 */
async function storeEverywhere(storages, backup, policy, context) {
    const index = storages.findIndex(({ storage }) => (0,storage_storage/* liesAt */.V)(storage, backup.file));
    const staging = storages[index]?.storage;
    const targets = [];
    for (const { id, storage } of storages)
        targets.push(await storeAt(id, storage, backup, { ...policy, staging }, context));
    if (!staging)
        return targets;
    // Another target failed: the file is read again, it may be why (changed since it was written).
    const failed = targets.some((target) => !target.stored && target.superseded !== true);
    targets[index] = await stillInStaging(targets[index], staging, backup, policy, context, failed);
    return targets;
}
/** Stores a backup at one target (unless it is already there: the staging directory), then runs that target's window. */
async function storeAt(id, storage, backup, policy, context) {
    let outcome = {
        target: id,
        location: storage.location,
    };
    try {
        if (!(0,storage_storage/* liesAt */.V)(storage, backup.file)) {
            const receipt = await (0,logger/* inSection */.Z)(context.log, `Store at ${id}: ${storage.location}`, () => {
                context.log.info(`Storing ${backup.name} at ${storage.location}`);
                return (0,paired_upload/* uploadBackup */.kI)(storage, backup, context.progress);
            });
            if (receipt.id !== undefined)
                outcome = { ...outcome, storedId: receipt.id };
        }
    }
    catch (error) {
        return await notSent(error, backup, policy, outcome, context);
    }
    try {
        const retention = await (0,logger/* inSection */.Z)(context.log, `Rolling window at ${id}`, () => applyRetention(storage, {
            ...policy,
            protect: [backup.name],
            known: new Map([[backup.name, (0,manifest/* heldRows */.j4)(backup.manifest)]]),
        }, context.log));
        if (!retention.kept.includes(backup.name)) {
            return await notKept(storage, backup, policy, retention, outcome, context);
        }
        return {
            ...outcome,
            stored: true,
            pruned: retention.removed,
            kept: retention.keptBackups,
            ...(retention.keptForData ? { keptForData: retention.keptForData } : {}),
        };
    }
    catch (error) {
        // The backup is there; only the window failed: said, and the job fails, but nothing is lost.
        const message = (0,secrets/* redact */.E$)((0,errors/* errorMessage */.gJ)(error));
        context.log.warn(`${id}: the backup is stored, but the rolling window failed: ${message}`);
        return { ...outcome, stored: true, pruneError: message, pruned: [], kept: [] };
    }
}
/**
 * The outcome at a target the upload failed for: superseded when the files
 * were gone from the backup directory before anything was sent and a newer
 * backup of this database is there (a peer's window removed them); failed
 * otherwise.
 */
async function notSent(error, backup, policy, outcome, context) {
    const failure = { message: (0,secrets/* redact */.E$)((0,errors/* errorMessage */.gJ)(error)) };
    const verdict = error instanceof paired_upload/* BackupFilesGone */.bR && policy.staging
        ? await goneFrom(policy.staging, backup.name, policy, {
            superseded: (newer) => `superseded: a concurrent run's rolling window removed ${backup.name} from the backup directory, for ${newer}, a newer backup of this database, before it was stored here`,
            removed: failure.message,
        })
        : failure;
    return missing(outcome, verdict, { pruned: [], kept: [] }, context);
}
/**
 * Why a backup is no longer at `place`: a window keeps the newest backup of
 * each database, so a concurrent run's window removed it only when a newer
 * one is there (superseded); otherwise something else did. A place that
 * cannot be read shows no newer backup: the run then says it failed.
 */
async function goneFrom(place, name, policy, said) {
    const newer = await newerBackupOf(place, policy.own, name, policy.kind).catch(() => undefined);
    return newer ? { message: said.superseded(newer), superseded: true } : { message: said.removed };
}
/** A target's outcome for a backup that is not there: said, and never reported as stored. */
function missing(outcome, verdict, done, context) {
    context.log.warn(`${outcome.target}: ${verdict.message}`);
    return {
        ...outcome,
        stored: false,
        ...(verdict.superseded ? { superseded: true } : {}),
        error: verdict.message,
        ...done,
    };
}
/**
 * The outcome at a target whose window did not keep the backup just stored
 * there (its own run protects it: it is no longer there, or the window could
 * not read its manifest). A window keeps the newest backup of each database,
 * so a concurrent run's window removed it only when a newer one is there
 * (superseded); otherwise something else did, and the target failed.
 */
async function notKept(storage, backup, policy, retention, outcome, context) {
    const done = { pruned: retention.removed, kept: retention.keptBackups };
    const verdict = await goneFrom(storage, backup.name, policy, {
        superseded: (newer) => `superseded: a concurrent run's rolling window removed ${backup.name} for ${newer}, a newer backup of this database`,
        removed: `${backup.name} was removed from ${storage.location} during this run, and no newer backup of this database is there`,
    });
    // Listed while a peer's window was removing it for a newer backup: superseded, as when gone.
    if (!verdict.superseded && retention.leftAlone.includes(backup.name)) {
        const message = `${backup.name} is there, but its manifest could not be read back, so the rolling window could not count it`;
        context.log.warn(`${outcome.target}: the backup is stored, but ${message}`);
        return { ...outcome, stored: true, pruneError: message, ...done };
    }
    return missing(outcome, verdict, done, context);
}
/**
 * The backup directory's outcome once every target had its turn: a peer's
 * window (or a person) may have removed the backup from it meanwhile, or a
 * person replaced it: a backup not there, or no longer the file its manifest
 * describes, is never reported as stored there.
 */
async function stillInStaging(outcome, staging, backup, policy, context, 
/** Read the whole file again for its sha256 (not only its size). */
checkContent) {
    if (!outcome.stored)
        return outcome;
    const problem = await stagingProblem(staging, backup, policy, checkContent);
    if (!problem)
        return outcome;
    const { target, location, pruned, kept } = outcome;
    return missing({ target, location }, problem, { pruned, kept }, context);
}
/** What became of the backup in the backup directory during the run; undefined when it is still as written. */
async function stagingProblem(staging, backup, policy, checkContent) {
    const dir = external_node_path_default().dirname(backup.file);
    // The manifest first: a window removes a backup before its manifest, so a backup still there
    // once its manifest was found gone is no window's doing.
    const manifestThere = await (0,files/* exists */.t2)(backup.manifestFile);
    const size = (await promises_default().stat(backup.file).catch(() => undefined))?.size;
    if (size !== undefined) {
        if (!manifestThere)
            return { message: `the manifest of ${backup.name} was removed from ${dir} during this run` };
        const changed = size !== backup.manifest.file.size ||
            (checkContent && (await (0,checksum/* checksumStatus */.g)(backup).catch(() => 'mismatch')) === 'mismatch');
        if (!changed)
            return undefined;
        return {
            message: `${backup.name} in ${dir} no longer matches the size and sha256 in its manifest: it was changed during this run`,
        };
    }
    return goneFrom(staging, backup.name, policy, {
        superseded: (newer) => `superseded: a concurrent run's rolling window removed ${backup.name} from the backup directory during this run, for ${newer}, a newer backup of this database`,
        removed: `${backup.name} was removed from ${dir} during this run, and no newer backup of this database is there`,
    });
}
/**
 * Without `local` among the targets the backup directory is only a staging
 * place: its copy goes once every target holds the backup (or a newer one of
 * its database) — and stays, with a warning, when one failed (never lose the
 * only copy). Says whether the copy is still there at the end.
 */
async function releaseStagedCopy(storages, backup, targets, context, 
/** What the warnings speak of. */
copy = 'backup') {
    // A target itself: kept, unless a peer's window (or a person) removed it during the run.
    if (storages.some((storage) => (0,storage_storage/* liesAt */.V)(storage, backup.file)))
        return (0,files/* exists */.t2)(backup.file);
    // Superseded at a target, a newer backup of this database is there: the copy is not its only one.
    if (targets.every((target) => target.stored || target.superseded === true)) {
        await (0,files/* removeQuietly */.S2)(backup.file);
        await (0,files/* removeQuietly */.S2)(backup.manifestFile);
        return false;
    }
    const dir = external_node_path_default().dirname(backup.file);
    const failed = copy === 'backup' ? 'A target failed' : 'A target of the sanitized copy failed';
    if (!(await (0,files/* exists */.t2)(backup.file))) {
        context.log.warn(`${failed}, and ${backup.name} is no longer in ${dir} either.`);
        return false;
    }
    const it = copy === 'backup' ? 'the backup' : 'it';
    context.log.warn(`${failed}: ${it} stays in ${dir} as ${backup.name}.`);
    return true;
}
/** Leftovers of killed runs go; a directory others can read is pointed out (backups hold the whole database). */
async function tidyBackupDir(dir, context) {
    const stat = await promises_default().stat(dir).catch(() => undefined);
    if (!stat?.isDirectory())
        return;
    if ((stat.mode & 0o077) !== 0) {
        context.log.warn(`${dir} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}): backups hold the whole database; chmod 700 it.`);
    }
    for (const name of await (0,files/* removeStaleTemps */.jH)(dir))
        context.log.info(`Removed ${name}, left by an interrupted run`);
}


/***/ }),

/***/ 21204:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  d: () => (/* binding */ createBackup)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
var external_node_os_default = /*#__PURE__*/__webpack_require__.n(external_node_os_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
var promises_default = /*#__PURE__*/__webpack_require__.n(promises_);
// EXTERNAL MODULE: ./src/domain/backup-name.ts
var backup_name = __webpack_require__(10206);
// EXTERNAL MODULE: ./src/domain/database-location.ts
var database_location = __webpack_require__(58523);
// EXTERNAL MODULE: ./src/domain/errors.ts
var errors = __webpack_require__(10241);
// EXTERNAL MODULE: ./src/domain/manifest.ts
var domain_manifest = __webpack_require__(52359);
// EXTERNAL MODULE: ./src/pipeline/digest.ts
var pipeline_digest = __webpack_require__(29912);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: ./src/pipeline/compress.ts + 1 modules
var compress = __webpack_require__(36665);
// EXTERNAL MODULE: ./src/fs/files.ts
var files = __webpack_require__(18176);
// EXTERNAL MODULE: ./src/pipeline/progress-counter.ts
var progress_counter = __webpack_require__(72754);
;// CONCATENATED MODULE: ./src/pipeline/encode.ts







/**
 * dump → compress (gzip, zstd or none) → (encrypt) → sha256 → temporary file in `dir`, fsynced.
 * Any failing stage fails the whole write and the temporary file is removed;
 * an empty dump is a failure too.
 */
async function encodeToTempFile(source, dir, options) {
    const tempPath = (0,files/* tempPathIn */.Xk)(dir);
    const compressor = (0,compress/* createCompressor */._)(options.compression);
    const digest = new pipeline_digest/* DigestStream */.v();
    try {
        await (0,external_node_stream_promises_.pipeline)([
            source,
            ...(options.progress ? [new progress_counter/* ProgressCounter */.C(options.progress)] : []),
            compressor,
            ...(options.afterCompression ?? []),
            digest,
            (0,external_node_fs_.createWriteStream)(tempPath, { mode: files/* FILE_MODE */.rE, flags: 'wx' }),
        ]);
        if (compressor.bytesIn === 0) {
            throw new errors/* JobFailure */.y3('The dump produced no data: nothing was stored and nothing was pruned.');
        }
        await (0,files/* fsyncFile */.o7)(tempPath);
        return { tempPath, contentSize: compressor.bytesIn, ...digest.digest() };
    }
    catch (error) {
        await (0,files/* removeQuietly */.S2)(tempPath);
        throw describeWriteError(error, dir);
    }
}
/** Disk full, quota, permissions: one clear line instead of an errno. */
function describeWriteError(error, dir) {
    const code = error?.code;
    if (code === 'ENOSPC') {
        return new errors/* JobFailure */.y3(`The disk holding ${dir} is full: the partial backup was removed; free space or choose another backup-dir.`);
    }
    if (code === 'EACCES' || code === 'EPERM') {
        return new errors/* UserError */.yo(`Cannot write to ${dir}: permission denied.`);
    }
    if (code === 'EDQUOT') {
        return new errors/* JobFailure */.y3(`The disk quota for ${dir} is exhausted: the partial backup was removed.`);
    }
    return error;
}

// EXTERNAL MODULE: ./src/domain/progress.ts
var domain_progress = __webpack_require__(50229);
// EXTERNAL MODULE: ./src/domain/version.ts
var version = __webpack_require__(43356);
// EXTERNAL MODULE: ./src/catalog/identity.ts
var catalog_identity = __webpack_require__(66097);
// EXTERNAL MODULE: ./src/catalog/lock.ts
var lock = __webpack_require__(65484);
// EXTERNAL MODULE: ./src/fs/live-temps.ts
var live_temps = __webpack_require__(42883);
// EXTERNAL MODULE: ./src/process/interruptions.ts
var interruptions = __webpack_require__(36301);
;// CONCATENATED MODULE: ./src/commands/create-backup.ts


















/**
 * dump → compress → (encrypt) → temporary file → final name (never overwriting)
 * → checksum re-read from disk → manifest. Either a complete, checked backup
 * with its manifest exists afterwards, or nothing new does.
 */
async function createBackup(engine, dir, options) {
    await (0,files/* ensurePrivateDir */.rh)(dir);
    (0,files/* assertTemporaryDirectoryOutside */.EJ)(dir);
    const started = options.now?.() ?? new Date();
    const startedAt = Date.now();
    const { encoded, info, format } = await dumpToTempFile(engine, dir, options);
    try {
        const identity = await (0,catalog_identity/* identityOf */.cu)(engine.location, options.databaseName);
        // Named and described under the directory's lock: a peer's window never sees one without the other.
        return await (0,lock/* withDirectoryLock */.r4)(dir, () => publishWithManifest(engine, dir, options, {
            encoded,
            info,
            format,
            identity,
            started,
            startedAt,
        }));
    }
    catch (error) {
        // Not named (the lock could not be taken, or publishing failed): the encoded copy goes.
        await (0,files/* removeQuietly */.S2)(encoded.tempPath);
        throw error;
    }
}
async function publishWithManifest(engine, dir, options, made) {
    const { encoded, info, format, identity, started, startedAt } = made;
    // The new backup sorts newest of its second, after the names a peer's window removed too.
    const published = await publishedNames(dir);
    const floor = nextSequence([...(await promises_default().readdir(dir)), ...published.names], engine.kind, options.kind, started);
    // Until its manifest is written the backup is not complete: a signal's sweep takes back both
    // files. They are let go together, in one step no signal handler can run between.
    const unfinished = [];
    const claim = (file) => {
        (0,live_temps/* trackTemp */.EO)(file);
        unfinished.push(file);
    };
    try {
        const name = await (0,interruptions/* finishedBeforeExit */.q2)(publish(encoded.tempPath, dir, claim, (sequence) => (0,backup_name/* formatBackupName */.$K)({
            engine: engine.kind,
            label: options.databaseName ?? options.fileLabel,
            kind: options.kind,
            time: started,
            sequence: sequence + floor,
            compression: options.compression.algorithm,
            encrypted: options.encryptor !== undefined,
            ...(format ? { format } : {}),
        })));
        await published.remember(name);
        const file = external_node_path_default().join(dir, name);
        await assertReadsBack(file, name, encoded);
        const manifest = {
            formatVersion: domain_manifest/* MANIFEST_FORMAT_VERSION */.VK,
            tool: { name: version/* TOOL_NAME */.l, version: version/* TOOL_VERSION */.w },
            name,
            engine: engine.kind,
            kind: options.kind,
            createdAt: started.toISOString(),
            durationMs: Date.now() - startedAt,
            database: {
                name: (0,database_location/* confirmationName */.$e)(engine.location),
                serverVersion: info.serverVersion,
                ...(info.dumpTool ? { dumpTool: info.dumpTool } : {}),
                ...(info.filters && info.filters.length > 0 ? { filters: info.filters } : {}),
            },
            identity,
            file: { size: encoded.size, sha256: encoded.sha256 },
            contentSize: encoded.contentSize,
            compression: options.compression,
            ...(format ? { format } : {}),
            encryption: options.encryptor?.info ?? null,
            tables: info.tables,
            empty: !info.tables.some((table) => table.rows > 0),
            ...(info.roles ? { roles: info.roles } : {}),
            ...(options.sanitized ? { sanitized: options.sanitized } : {}),
        };
        const manifestFile = await (0,interruptions/* finishedBeforeExit */.q2)((0,files/* writeNewTextFile */.Rh)(dir, (0,backup_name/* manifestNameOf */.S$)(name), (0,domain_manifest/* serializeManifest */.MZ)(manifest), claim));
        for (const done of unfinished)
            (0,live_temps/* untrackTemp */.bK)(done);
        return { name, file, manifestFile, manifest };
    }
    catch (error) {
        // A backup without its manifest is not one this tool leaves behind.
        for (const left of unfinished)
            await (0,files/* removeQuietly */.S2)(left);
        throw describeWriteError(error, dir);
    }
}
/**
 * The names this backup directory gave out lately, newest last. A backup that
 * a concurrent run's window removed here may still be at a remote target under
 * its name, so a new backup of the same second must not take that name again.
 * Kept in the system's temporary directory (one small file per backup
 * directory), never among the backups.
 */
const PUBLISHED_KEPT = 200;
/** The names given lately (a missing or unreadable record: none) and how to add the next one. */
async function publishedNames(dir) {
    const key = (0,external_node_crypto_.createHash)('sha256')
        .update(await promises_default().realpath(dir))
        .digest('hex')
        .slice(0, 16);
    const file = external_node_path_default().join(external_node_os_default().tmpdir(), `.db-backup-names-${process.getuid?.() ?? 0}-${key}`);
    // No record (a first run, a cleaned /tmp): the directory's own names still count.
    const names = await promises_default().readFile(file, 'utf8')
        .then((text) => text.split('\n').filter(Boolean))
        .catch(() => []);
    return {
        names,
        // Called under the directory's lock, after the backup has its name; a record that cannot be written is only a hint lost.
        remember: async (name) => {
            const temp = `${file}.${process.pid}`;
            await promises_default().writeFile(temp, `${[...names, name].slice(-PUBLISHED_KEPT).join('\n')}\n`, { mode: 0o600 })
                .then(() => promises_default().rename(temp, file))
                .catch(() => undefined);
        },
    };
}
/** One more than the highest sequence of a backup named for the same second (0 when there is none). */
function nextSequence(names, engineKind, kind, time) {
    const second = Math.floor(time.getTime() / 1000) * 1000;
    let next = 0;
    for (const name of names) {
        const parsed = (0,backup_name/* parseBackupName */.Df)(name.endsWith(backup_name/* MANIFEST_SUFFIX */.OK) ? name.slice(0, -backup_name/* MANIFEST_SUFFIX */.OK.length) : name);
        if (parsed?.engine === engineKind && parsed.kind === kind && parsed.time.getTime() === second)
            next = Math.max(next, parsed.sequence + 1);
    }
    return next;
}
const KIND_WORDS = {
    backup: 'backup',
    'before-restore': 'safety backup',
    sanitized: 'sanitized copy',
};
async function dumpToTempFile(engine, dir, options) {
    // The engine's scratch files (a SQLite snapshot: a whole, unencrypted copy) stay out of the backup directory.
    const workDir = await (0,files/* temporaryDirectory */.De)('dump');
    const what = `${KIND_WORDS[options.kind]} of ${(0,database_location/* confirmationName */.$e)(engine.location)}`;
    const reporter = options.progress ?? domain_progress/* NO_PROGRESS */.c;
    let encoded;
    let dump;
    let progress;
    try {
        // Starting a dump can take a while on its own (SQLite: the snapshot and its integrity check).
        const starting = reporter.start(`preparing the ${what}`, { uncounted: true });
        try {
            dump = await engine.dump(workDir);
        }
        finally {
            starting.end();
        }
        progress = reporter.start(what, {
            total: dump.expectedSize?.bytes,
            estimate: dump.expectedSize?.estimate ?? false,
        });
        encoded = await encodeToTempFile(dump.stream, dir, {
            compression: options.compression,
            afterCompression: options.encryptor ? [options.encryptor.createStage()] : [],
            progress,
        });
        return { encoded, info: await dump.finish(), format: dump.format };
    }
    catch (error) {
        if (encoded)
            await (0,files/* removeQuietly */.S2)(encoded.tempPath);
        // A full disk while a damaged database was written: the damage is the news.
        if (!encoded)
            await dump?.assertSourceSound?.();
        throw error;
    }
    finally {
        progress?.end();
        await dump?.dispose();
        await (0,files/* removeQuietly */.S2)(workDir);
    }
}
/** The first free name whose manifest's name is free too: an orphaned NAME.json never blocks a backup. */
async function publish(tempPath, dir, claimed, nameFor) {
    try {
        return await (0,files/* publishWithoutOverwrite */.t)(tempPath, dir, (sequence) => {
            const candidate = nameFor(sequence);
            return (0,external_node_fs_.existsSync)(external_node_path_default().join(dir, (0,backup_name/* manifestNameOf */.S$)(candidate))) ? undefined : candidate;
        }, claimed);
    }
    catch (error) {
        await (0,files/* removeQuietly */.S2)(tempPath);
        throw describeWriteError(error, dir);
    }
}
async function assertReadsBack(file, name, written) {
    const onDisk = await (0,pipeline_digest/* digestFile */.T)(file);
    if (onDisk.sha256 !== written.sha256 || onDisk.size !== written.size) {
        throw new errors/* JobFailure */.y3(`${name} reads back differently from what was written (a storage fault): it was removed and nothing was pruned.`);
    }
}


/***/ }),

/***/ 12774:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   O: () => (/* binding */ engineSettings)
/* harmony export */ });
/* harmony import */ var _engines_index_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9319);

/** What an engine needs from the run: the log, PostgreSQL options, and (on GitHub-hosted runners) a client installer. */
function engineSettings(context, postgres) {
    const installer = (0,_engines_index_js__WEBPACK_IMPORTED_MODULE_0__/* .githubRunnerInstaller */ .Yl)(context.log);
    return {
        log: context.log,
        ...(postgres ? { postgres } : {}),
        ...(installer ? { installer } : {}),
    };
}


/***/ }),

/***/ 2038:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runCommand: () => (/* binding */ runCommand)
});

// EXTERNAL MODULE: ./src/fs/files.ts
var files = __webpack_require__(18176);
// EXTERNAL MODULE: ./src/commands/backup.ts + 2 modules
var commands_backup = __webpack_require__(37374);
// EXTERNAL MODULE: ./src/domain/backup-name.ts
var backup_name = __webpack_require__(10206);
// EXTERNAL MODULE: ./src/domain/database-location.ts
var database_location = __webpack_require__(58523);
// EXTERNAL MODULE: ./src/domain/errors.ts
var errors = __webpack_require__(10241);
// EXTERNAL MODULE: ./src/engines/index.ts + 5 modules
var engines = __webpack_require__(9319);
// EXTERNAL MODULE: ./src/pipeline/encryption.ts
var encryption = __webpack_require__(31977);
// EXTERNAL MODULE: ./src/domain/format.ts
var format = __webpack_require__(65077);
// EXTERNAL MODULE: ./src/domain/secrets.ts
var secrets = __webpack_require__(7513);
// EXTERNAL MODULE: ./src/process/interruptions.ts
var interruptions = __webpack_require__(36301);
// EXTERNAL MODULE: ./src/storage/factory.ts + 2 modules
var factory = __webpack_require__(10364);
// EXTERNAL MODULE: ./src/commands/backup-outcome.ts
var backup_outcome = __webpack_require__(72067);
;// CONCATENATED MODULE: ./src/commands/backup-databases.ts











/**
 * Backs up each chosen database of the server on its own, as `backup` backs
 * up one: its own file (its name in the file name), manifest, targets and
 * window. A database that fails is said and fails the run; the others go on.
 */
async function runServerBackup(config, wanted, context) {
    const started = Date.now();
    if (config.database.engine !== 'postgres')
        throw new errors/* UserError */.yo('all-databases and databases back up a PostgreSQL server only.');
    const location = config.database;
    const server = (0,database_location/* describeServer */.X8)(location);
    for (const notice of config.notices)
        context.log.warn(notice);
    // What every database would refuse alike is refused once, before anything is dumped.
    await (0,encryption/* prepareEncryptor */.S)(config.encryption);
    for (const id of config.storage)
        await (0,factory/* createStorage */.w)(id, config.targets);
    const { chosen, skipped } = await (0,engines/* chooseServerDatabases */.FP)(location, wanted);
    const warnings = [...config.notices];
    for (const { database, reason } of skipped) {
        const warning = `Skipped the database ${(0,format/* printableName */.Nt)(database)}: ${reason}.`;
        context.log.warn(warning);
        warnings.push(warning);
    }
    if (chosen.length === 0)
        throw new errors/* UserError */.yo(`No database on ${server} can be backed up by this user: grant it CONNECT on the databases to back up. Nothing was backed up.`);
    context.log.info(`Backing up ${chosen.length} databases of ${server}: ${chosen.map(format/* printableName */.Nt).join(', ')}`);
    const databases = [];
    const stopSaying = (0,interruptions/* onFinishedWork */.BL)(() => finishedBackups(databases));
    try {
        for (const database of chosen) {
            databases.push(await backUpOne(config, location, database, context));
            // Its window's removals are in its own account now ("stored and pruned by its own window").
            (0,interruptions/* prunedAccountedFor */.eW)();
        }
    }
    finally {
        stopSaying();
    }
    return {
        command: 'backup',
        server,
        databases,
        skipped,
        durationMs: Date.now() - started,
        warnings: [...warnings, ...databases.flatMap((outcome) => outcome.backup?.warnings ?? [])],
    };
}
/** One database of the server, backed up as `backup` backs up one; a failure is its outcome. */
async function backUpOne(config, server, database, context) {
    const one = {
        ...config,
        database: { ...server, database },
        serverDatabases: undefined,
        notices: [],
    };
    try {
        const backup = await (0,commands_backup/* runBackup */.Q3)(one, context, (0,backup_name/* labelOf */.Wy)(database));
        if ((0,backup_outcome/* backupSucceeded */.s)(backup))
            return { database, ok: true, backup };
        const error = (0,backup_outcome/* backupFailure */.p)(backup);
        context.log.warn(`${(0,format/* printableName */.Nt)(database)}: ${error}`);
        return { database, ok: false, backup, error };
    }
    catch (error) {
        // Our own words, or outside text masked: the next database goes on all the same.
        const message = (0,errors/* isWorded */.UD)(error) ? error.message : (0,secrets/* redact */.E$)((0,errors/* errorMessage */.gJ)(error));
        context.log.warn(`${(0,format/* printableName */.Nt)(database)}: the backup failed: ${message}`);
        return { database, ok: false, error: message };
    }
}
/** What a signal would cut short no longer: the databases backed up so far, each pruned by its window. */
function finishedBackups(databases) {
    const made = databases.flatMap(({ database, backup }) => backup ? [`${(0,format/* printableName */.Nt)(database)} (${backup.name})`] : []);
    if (made.length === 0)
        return undefined;
    return `${made.join(', ')}, stored and pruned by ${made.length === 1 ? 'its' : "each one's"} own window`;
}

// EXTERNAL MODULE: ./src/catalog/catalog.ts
var catalog = __webpack_require__(97008);
;// CONCATENATED MODULE: ./src/catalog/future.ts
/**
 * A backup dated more than this ahead of the clock was made by a machine
 * whose clock is wrong (or this one's is): it is reported, and never taken
 * as `latest`, which it would otherwise stay for ever.
 */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** The backup's time: the manifest's created-at when it has one, else the time in its name. */
function backupTime(backup, manifest) {
    const created = manifest ? Date.parse(manifest.createdAt) : Number.NaN;
    return Number.isNaN(created) ? backup.time : new Date(created);
}
/** Dated ahead of `now` beyond the tolerance, by its name or by its manifest. */
function isFutureDated(backup, manifest, now) {
    const limit = now.getTime() + FUTURE_TOLERANCE_MS;
    return backup.time.getTime() > limit || backupTime(backup, manifest).getTime() > limit;
}

// EXTERNAL MODULE: ./src/catalog/identity.ts
var catalog_identity = __webpack_require__(66097);
// EXTERNAL MODULE: ./src/verification/verification-record.ts
var verification_record = __webpack_require__(19688);
// EXTERNAL MODULE: ./src/catalog/checksum.ts
var catalog_checksum = __webpack_require__(57884);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
var promises_default = /*#__PURE__*/__webpack_require__.n(promises_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
;// CONCATENATED MODULE: ./src/catalog/latest.ts



/** `latest` and `latest-sanitized` (the newest sanitized copy: never what `latest` means). */
const LATEST = {
    latest: 'backup',
    'latest-sanitized': 'sanitized',
};
function isLatest(reference) {
    return Object.hasOwn(LATEST, reference);
}
function latestKind(reference) {
    return LATEST[reference] ?? 'backup';
}
const ENGINE_LABEL = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
/**
 * `latest`: the newest backup of the kind whose manifest proves it is of this
 * database, and that is not dated in the future. A backup without a manifest,
 * or with one from before identities, is never `latest`: it may be another
 * database's. Without a database (verify with no URL), the one database
 * whose backups the place holds; several refuse.
 */
async function latestEntry(catalog, given, options) {
    const kind = options.kind ?? 'backup';
    const engine = given?.identity.engine ?? options.engine;
    // A sanitized copy is made to be restored elsewhere (a developer's database): its latest is
    // that of the one database whose copies the place holds, or of the --name given.
    const own = kind === 'sanitized' && given?.identity.name === undefined ? undefined : given;
    const entries = catalog.entries({ engine, kind });
    const unproven = [];
    let future = 0;
    const candidates = [];
    /** Other databases' backups, newest first: one may be this database under another address. */
    const others = [];
    for (const entry of entries) {
        const { manifest } = entry.hasManifest
            ? await catalog.manifestOf(entry.backup.name)
            : { manifest: undefined };
        const ownership = own ? await catalog.ownership(entry, own) : undefined;
        if (own ? ownership !== 'ours' : !manifest?.identity) {
            if (ownership !== 'other')
                unproven.push(entry.backup.name);
            else if (manifest?.identity)
                others.push({ name: entry.backup.name, identity: manifest.identity });
            continue;
        }
        if (isFutureDated(entry.backup, manifest, options.now)) {
            future += 1;
            continue;
        }
        if (own)
            return entry;
        if (manifest?.identity)
            candidates.push({ entry, identity: manifest.identity });
    }
    // Without a database: the newest backup of the only database there.
    const first = candidates[0];
    if (first) {
        const others = candidates.filter((c) => !(0,catalog_identity/* sameDatabase */.KX)(c.identity, first.identity));
        if (others.length === 0)
            return first.entry;
        const shown = [first.identity, ...others.map((c) => c.identity)]
            .filter((id, index, all) => all.findIndex((o) => (0,catalog_identity/* sameDatabase */.KX)(o, id)) === index)
            .map(catalog_identity/* describeIdentity */.Cl);
        throw new errors/* UserError */.yo(`${catalog.location} holds backups of several databases (${shown.join(', ')}): give the database (--database-url, with its --name if it has one) to say whose latest, or name the backup.`);
    }
    const word = kind === 'sanitized' ? 'latest-sanitized' : 'latest';
    const label = engine ? `${ENGINE_LABEL[engine]} ` : '';
    const what = kind === 'sanitized' ? `sanitized ${label}copy` : `${label}backup`;
    const whose = own ? ` of ${(0,catalog_identity/* describeIdentity */.Cl)(own.identity)}` : '';
    const notes = [];
    if (catalog.absenceNote)
        notes.push(catalog.absenceNote);
    if (others.length > 0)
        notes.push(otherDatabasesNote(others, own?.identity));
    if (unproven.length > 0)
        notes.push(`${unproven.length} there cannot be told apart from other databases' (no manifest, or one older than database identities): restore one by its name, such as ${unproven[0]} (the newest)`);
    if (future > 0)
        notes.push(`${future} dated ahead of this clock by more than 5 minutes`);
    if (kind === 'backup' &&
        catalog.entries({ engine, kind: 'sanitized' }).length > 0 &&
        entries.length === 0)
        notes.push('it holds sanitized copies: name one, or use latest-sanitized');
    const detail = notes.length > 0 ? ` (${notes.join('; ')})` : '';
    // With backups there, "run a backup first" would back up the database one came to restore.
    const advice = others.length > 0 || unproven.length > 0
        ? 'name the backup to restore'
        : 'run a backup there first, or name a file';
    throw new errors/* UserError */.yo(`No ${what}${whose} in ${catalog.location} to take as ${word}${detail}: ${advice}.`);
}
/**
 * The other databases whose backups the place holds, each with its newest
 * backup: the one being restored may be among them under another address
 * (localhost for 127.0.0.1, a new host or path).
 */
function otherDatabasesNote(others, own) {
    const ownTail = own?.database.split(/[/\\]/).at(-1);
    // Those whose database is named as this one (app at another host, app.db at another path) first.
    const tail = (identity) => identity.database.split(/[/\\]/).at(-1) ?? '';
    const newest = others
        .filter((other, index) => others.findIndex((o) => (0,catalog_identity/* sameDatabase */.KX)(o.identity, other.identity)) === index)
        .sort((a, b) => Number(tail(b.identity) === ownTail) - Number(tail(a.identity) === ownTail));
    const listed = newest
        .slice(0, 5)
        .map((other) => `${(0,catalog_identity/* describeIdentity */.Cl)(other.identity)}, whose newest is ${other.name}`)
        .join(', and ');
    const more = newest.length > 5 ? `, and ${newest.length - 5} more` : '';
    return `it holds backups of other databases: ${listed}${more}; if one is this database under another address, name its backup, or give both the same --name`;
}

// EXTERNAL MODULE: ./src/domain/manifest.ts
var domain_manifest = __webpack_require__(52359);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
var external_node_zlib_default = /*#__PURE__*/__webpack_require__.n(external_node_zlib_);
// EXTERNAL MODULE: ./src/domain/dump-format.ts
var dump_format = __webpack_require__(47082);
// EXTERNAL MODULE: ./src/pipeline/compress.ts + 1 modules
var compress = __webpack_require__(36665);
;// CONCATENATED MODULE: ./src/pipeline/decompress.ts





/** Enough to see every magic number below (a tar header's "ustar" ends at byte 262). */
const CONTENT_SNIFF_BYTES = 512;
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/**
 * Classifies the start of a backup's content by its magic bytes, whatever
 * its name says: gzip `1f 8b`; a zstd frame `28 b5 2f fd`, or a skippable
 * frame `5? 2a 4d 18` (RFC 8878); an uncompressed SQLite database; or text,
 * as an uncompressed pg_dump is; or a pg_dump archive (custom, or a directory
 * as tar). Anything else (binary bytes that are none of
 * these, such as a gzip file whose first byte was damaged) is `unknown`.
 */
function classifyContent(head) {
    if (head.length === 0)
        return 'empty';
    if (head[0] === 0x1f && head[1] === 0x8b)
        return 'gzip';
    if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd)
        return 'zstd';
    if ((head[0] ?? 0) >> 4 === 0x5 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18)
        return 'zstd';
    const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
    if (bytes.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER))
        return 'sqlite';
    // An uncompressed pg_dump custom archive, or the tar file of a directory archive.
    if ((0,dump_format/* formatOfContent */.UD)(bytes) !== 'plain')
        return 'pg-archive';
    // Text holds no control characters but tab, newline, form feed, carriage return and escape.
    for (const byte of bytes) {
        if (byte < 0x20 &&
            byte !== 0x09 &&
            byte !== 0x0a &&
            byte !== 0x0c &&
            byte !== 0x0d &&
            byte !== 0x1b)
            return 'unknown';
        if (byte === 0x7f)
            return 'unknown';
    }
    return 'text';
}
/** The compression a content kind stands for. */
function compressionOf(kind) {
    return kind === 'gzip' || kind === 'zstd' ? kind : 'none';
}
/**
 * Output in 128 KiB pieces rather than zlib's 16 KiB: every piece is one trip
 * through the thread pool and one write to the next stage (psql's stdin), and
 * at 16 KiB those trips cost more system time than the decompression itself.
 */
const OUTPUT_CHUNK = 128 * 1024;
function decompressorFor(kind) {
    if (kind === 'gzip')
        return external_node_zlib_default().createGunzip({ chunkSize: OUTPUT_CHUNK });
    if (kind === 'zstd') {
        (0,compress/* assertZstdAvailable */.p)();
        return external_node_zlib_default().createZstdDecompress({ chunkSize: OUTPUT_CHUNK });
    }
    return undefined;
}
/**
 * A pipeline stage (an async generator, as `stream.pipeline` takes them) that
 * looks at the first bytes of the content, tells `onContent` what they are,
 * and decompresses accordingly: gzip, zstd, or nothing for an uncompressed
 * dump. A file that is empty or none of these is refused before any byte
 * goes further.
 */
function decompressByContent(name, onContent, 
/** The bytes come out of a decryption: garbage then most likely means a wrong passphrase. */
decrypted = false) {
    return async function* (source) {
        const iterator = source[Symbol.asyncIterator]();
        const head = [];
        let length = 0;
        let ended = false;
        while (length < CONTENT_SNIFF_BYTES) {
            const next = await iterator.next();
            if (next.done === true) {
                ended = true;
                break;
            }
            head.push(next.value);
            length += next.value.length;
        }
        const start = Buffer.concat(head);
        const kind = classifyContent(start);
        if (kind === 'empty')
            throw new errors/* UserError */.yo(`The backup ${name} holds no data (0 bytes).`);
        if (kind === 'unknown') {
            throw new errors/* UserError */.yo(decrypted
                ? `Cannot decrypt the backup: wrong passphrase, or the file is damaged (${name} decrypts to neither gzip nor zstd nor an uncompressed dump). Check the passphrase, or use another backup.`
                : `The backup ${name} is neither gzip nor zstd nor an uncompressed dump: it is damaged or not a backup. Use another backup.`);
        }
        onContent(kind);
        const rest = (async function* () {
            yield start;
            while (!ended) {
                const next = await iterator.next();
                if (next.done === true)
                    return;
                yield next.value;
            }
        })();
        const decompressor = decompressorFor(kind);
        if (!decompressor) {
            yield* rest;
            return;
        }
        // pipeline() carries an error either way: a failing source destroys the decompressor.
        yield* (0,external_node_stream_.pipeline)(external_node_stream_.Readable.from(rest, { objectMode: false }), decompressor, () => undefined);
    };
}

// EXTERNAL MODULE: ./src/process/memory-guard.ts
var memory_guard = __webpack_require__(10954);
// EXTERNAL MODULE: ./src/pipeline/progress-counter.ts
var progress_counter = __webpack_require__(72754);
// EXTERNAL MODULE: ./src/pipeline/digest.ts
var digest = __webpack_require__(29912);
;// CONCATENATED MODULE: ./src/pipeline/decode.ts










/** Passes the stored file's bytes on, and fails at their end unless they are the ones expected. */
class AsExpected extends digest/* DigestStream */.v {
    expected;
    name;
    constructor(expected, name) {
        super();
        this.expected = expected;
        this.name = name;
    }
    _flush(callback) {
        const read = this.digest();
        callback(read.size === this.expected.size && read.sha256 === this.expected.sha256
            ? null
            : new errors/* UserError */.yo(`The backup ${this.name} changed while it was being read: it no longer matches the sha256 and size in its manifest, as it did when it was checked. Nothing read from it is kept; run again, or use another backup.`));
    }
}
/** Counts the bytes that pass. */
class ByteCounter extends external_node_stream_.Transform {
    bytes = 0;
    _transform(chunk, _encoding, callback) {
        this.bytes += chunk.length;
        (0,memory_guard/* bytesMoved */.v)(chunk.length);
        callback(null, chunk);
    }
}
/**
 * stored file → (decrypt) → decompress (gzip, zstd or nothing, as the content's
 * magic bytes say) → sink. Reads to the very end, so a truncated or damaged
 * file fails here. Returns the decompressed size.
 */
async function decodeInto(file, sink, options = {}) {
    const counter = new ByteCounter();
    let content;
    const decompress = decompressByContent(external_node_path_default().basename(file), (kind) => {
        content = kind;
        options.onContent?.(kind);
    }, (options.beforeDecompression ?? []).length > 0);
    try {
        // pipeline() takes async functions as stages at run time; its array overload's type does not say so.
        await (0,external_node_stream_promises_.pipeline)([
            (0,external_node_fs_.createReadStream)(file),
            ...(options.expected ? [new AsExpected(options.expected, external_node_path_default().basename(file))] : []),
            ...(options.progress ? [new progress_counter/* ProgressCounter */.C(options.progress)] : []),
            ...(options.beforeDecompression ?? []),
            decompress,
            counter,
            sink,
        ]);
    }
    catch (error) {
        throw describeDecodeError(error, file, content);
    }
    return counter.bytes;
}
/** Decodes into a new file (mode 0600), fsynced; removes it on failure. */
async function decodeToFile(file, target, options = {}) {
    try {
        const size = await decodeInto(file, (0,external_node_fs_.createWriteStream)(target, { mode: files/* FILE_MODE */.rE, flags: 'wx' }), options);
        await (0,files/* fsyncFile */.o7)(target);
        return size;
    }
    catch (error) {
        await (0,files/* removeQuietly */.S2)(target);
        throw error;
    }
}
/** Decodes to nowhere: proves the file decrypts and decompresses to its end. */
async function decodeToNowhere(file, options = {}) {
    return decodeInto(file, async (source) => {
        for await (const chunk of source)
            void chunk;
    }, options);
}
function describeDecodeError(error, file, content) {
    if ((0,errors/* isWorded */.UD)(error))
        return error;
    const name = external_node_path_default().basename(file);
    const code = error?.code;
    const format = content === 'zstd' ? 'zstd' : 'gzip';
    if (code === 'Z_BUF_ERROR') {
        return new errors/* UserError */.yo(`The backup ${name} is truncated: its ${format} data ends early. Use another backup.`);
    }
    if (code === 'ZSTD_error_frameParameter_windowTooLarge') {
        return new errors/* UserError */.yo(`The backup ${name} was compressed with a zstd window larger than 128 MiB (zstd --long): unpack it with zstd -d --long=31 first.`);
    }
    if (code === 'Z_DATA_ERROR' || code?.startsWith('ZSTD_error_')) {
        return new errors/* UserError */.yo(`The backup ${name} is damaged: ${error.message} (not valid ${format} data). Use another backup.`);
    }
    if (code === 'ENOSPC') {
        return new errors/* JobFailure */.y3(`The disk is full while unpacking ${name}: nothing was changed; free space and retry.`);
    }
    if (code === 'ENOENT')
        return new errors/* UserError */.yo(`The backup file ${file} does not exist.`);
    return error;
}
class EnoughRead extends Error {
}
/**
 * Decodes only the first `bytes` of plain content: a wrong passphrase or key,
 * or a file that is not a backup, shows here, before a restore spends time
 * on a safety backup.
 */
async function decodeHead(file, options = {}, bytes = 64 * 1024) {
    let seen = 0;
    try {
        await decodeInto(file, async (source) => {
            for await (const chunk of source) {
                seen += chunk.length;
                if (seen >= bytes)
                    throw new EnoughRead();
            }
        }, options);
    }
    catch (error) {
        if (error instanceof EnoughRead || error.cause instanceof EnoughRead)
            return;
        throw error;
    }
}

// EXTERNAL MODULE: ./src/pipeline/openpgp-format.ts
var openpgp_format = __webpack_require__(84041);
// EXTERNAL MODULE: ./src/domain/progress.ts
var domain_progress = __webpack_require__(50229);
;// CONCATENATED MODULE: ./src/catalog/fetch-verified.ts









/**
 * Downloads a backup and its manifest (when the target has one) into `dir`,
 * and checks the file's size and sha256 against the manifest, whatever the
 * backend checked on its own. On a mismatch nothing downloaded is left.
 */
async function fetchVerified(storage, name, dir, progress = domain_progress/* NO_PROGRESS */.c) {
    const manifestName = (0,backup_name/* manifestNameOf */.S$)(name);
    const objects = await storage.list();
    const names = new Set(objects.map((object) => object.name));
    if (!names.has(name)) {
        throw new errors/* UserError */.yo(`${name} is not at ${storage.location}: run \`db-backup list\` to see the backups there.`);
    }
    const file = external_node_path_default().join(dir, name);
    const size = objects.find((object) => object.name === name)?.size;
    // Backends write the file as it arrives: its size on disk is the progress.
    const download = async () => {
        const task = progress.start(`downloading ${name} from ${storage.location}`, {
            total: size,
            poll: () => (0,external_node_fs_.statSync)(file).size,
        });
        try {
            await storage.get(name, file);
        }
        finally {
            task.end();
        }
    };
    if (!names.has(manifestName)) {
        await download();
        return { file, manifestFile: undefined, manifest: undefined };
    }
    // The manifest first: a bad one fails before a large download starts.
    const manifestFile = external_node_path_default().join(dir, manifestName);
    await storage.get(manifestName, manifestFile);
    let manifest;
    try {
        manifest = (0,domain_manifest/* parseManifest */.Ng)(await promises_default().readFile(manifestFile, 'utf8'), manifestFile);
        await download();
    }
    catch (error) {
        await (0,files/* removeQuietly */.S2)(manifestFile);
        throw error;
    }
    await checkAgainstManifest(file, manifestFile, manifest, storage.location);
    return { file, manifestFile, manifest };
}
async function checkAgainstManifest(file, manifestFile, manifest, location) {
    const actual = await (0,digest/* digestFile */.T)(file);
    if (actual.size === manifest.file.size && actual.sha256 === manifest.file.sha256)
        return;
    await (0,files/* removeQuietly */.S2)(file);
    await (0,files/* removeQuietly */.S2)(manifestFile);
    throw new errors/* IntegrityError */.cs(`${external_node_path_default().basename(file)} from ${location} does not match its manifest: the download or the stored object is damaged ` +
        `(${actual.size} bytes, sha256 ${actual.sha256}; expected ${manifest.file.size} bytes, sha256 ${manifest.file.sha256}). ` +
        'Try again; if it persists, restore an older backup.');
}

// EXTERNAL MODULE: ./src/storage/storage.ts
var storage_storage = __webpack_require__(32912);
;// CONCATENATED MODULE: ./src/commands/locate-backup.ts

















function describeCompression(algorithm) {
    return algorithm === 'none' ? 'uncompressed' : algorithm;
}
const locate_backup_ENGINE_LABEL = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
/**
 * Finds `<backup>` at the `from` target: `latest` per the catalog's rule, a
 * name there, or (local) a path. Only the manifest is read here, so that a
 * restore can be confirmed (or refused) before a large download; `fetch`
 * then downloads a remote backup into a private temporary directory and
 * checks it against its manifest's sha256.
 */
async function resolveBackup(reference, from, targets, cwd, scope) {
    refuseManifest(reference);
    const storage = await (0,factory/* createStorage */.w)(from, targets);
    if ((0,storage_storage/* isLocalPlace */.p)(storage)) {
        const backup = await locateBackup(reference, storage, cwd, scope);
        return {
            name: backup.name,
            manifest: backup.manifest,
            fetch: () => Promise.resolve({ backup, release: () => Promise.resolve() }),
        };
    }
    const { name, manifest } = await (0,catalog/* withCatalog */.w)(storage, async (catalog) => {
        const found = isLatest(reference)
            ? (await latestEntry(catalog, scope.own, { ...scope, kind: latestKind(reference) })).backup
                .name
            : external_node_path_default().basename(reference);
        return { name: found, manifest: (await catalog.manifestOf(found)).manifest };
    });
    return {
        name,
        manifest,
        fetch: async (progress = domain_progress/* NO_PROGRESS */.c) => {
            const dir = await (0,files/* temporaryDirectory */.De)('fetch');
            const release = () => (0,files/* removeQuietly */.S2)(dir);
            try {
                const fetched = await fetchVerified(storage, name, dir, progress);
                return { backup: located(fetched.file, fetched.manifest, false), release };
            }
            catch (error) {
                await release();
                throw error;
            }
        },
    };
}
/** Finds `<backup>` (see `resolveBackup`) and makes its file available. */
async function findBackup(reference, from, targets, cwd, scope, progress = domain_progress/* NO_PROGRESS */.c) {
    return (await resolveBackup(reference, from, targets, cwd, scope)).fetch(progress);
}
/**
 * `<backup>` is `latest`, a backup name in the backup directory, or a path.
 * `latest` is the newest regular backup of this database (see catalog/latest.ts).
 */
async function locateBackup(reference, storage, cwd, scope) {
    const dir = storage.localDirectory;
    let file;
    if (isLatest(reference)) {
        file = external_node_path_default().join(dir, await latestName(storage, scope, latestKind(reference)));
    }
    else {
        const inDir = external_node_path_default().join(dir, external_node_path_default().basename(reference));
        const asPath = external_node_path_default().resolve(cwd, reference);
        if (!reference.includes('/') && (await isFile(inDir)))
            file = inDir;
        else if (await isFile(asPath))
            file = asPath;
        else {
            if (/^[a-z][a-z0-9+.-]*:\/\//i.test(reference)) {
                // A database URL given where the backup belongs: quoted without its password.
                throw new errors/* UserError */.yo(`No backup "${(0,secrets/* withoutCredentials */.ri)(reference)}": the backup is a name, a file or latest; give the database as DATABASE_URL or --database-url.`);
            }
            throw new errors/* UserError */.yo(`No backup "${reference}" in ${dir} or at ${asPath}: db-backup list shows the backups there.`);
        }
    }
    return located(file, await readManifestBeside(file), true);
}
/** A backup's manifest named where the backup belongs (a shell's tab completion picks it too). */
function refuseManifest(reference) {
    const name = external_node_path_default().basename(reference);
    if (!name.endsWith(backup_name/* MANIFEST_SUFFIX */.OK))
        return;
    const backup = reference.slice(0, -backup_name/* MANIFEST_SUFFIX */.OK.length);
    // Only a backup's name with .json after it: another .json file is no backup either, and is refused later.
    const described = external_node_path_default().basename(backup);
    if (!(0,backup_name/* parseBackupName */.Df)(described) && !engineFromExtension(described))
        return;
    throw new errors/* UserError */.yo(`${name} is a backup's manifest, not a backup: give the backup it describes (${backup}). Nothing was changed.`);
}
/** The engine comes from the manifest, else the backup's name, else the file's extension. */
function located(file, manifest, inPlace) {
    const name = external_node_path_default().basename(file);
    return {
        name,
        file,
        inPlace,
        manifest,
        engine: manifest?.engine ?? (0,backup_name/* parseBackupName */.Df)(name)?.engine ?? engineFromExtension(name),
    };
}
/** For files named by hand: `dump.sql.gz`, `db.dump` or `db.dir.tar.zst` is PostgreSQL, `app.db.zst` or `app.sqlite` is SQLite. */
function engineFromExtension(name) {
    const base = name.replace(/\.gpg$/i, '').replace(/\.(gz|zst)$/i, '');
    if (/\.(sql|dump|tar)$/i.test(base))
        return 'postgres';
    if (/\.(db|sqlite3?)$/i.test(base))
        return 'sqlite';
    return undefined;
}
/**
 * `latest`: the newest regular backup of this database at the target (see
 * catalog/latest.ts); `latest-sanitized`: the newest sanitized copy.
 */
async function latestName(storage, scope, kind = 'backup') {
    return (0,catalog/* withCatalog */.w)(storage, async (catalog) => (await latestEntry(catalog, scope.own, { ...scope, kind })).backup.name);
}
async function isFile(file) {
    return (await promises_default().stat(file).catch(() => undefined))?.isFile() ?? false;
}
async function readManifestBeside(file) {
    const manifestFile = external_node_path_default().join(external_node_path_default().dirname(file), (0,backup_name/* manifestNameOf */.S$)(external_node_path_default().basename(file)));
    let text;
    try {
        text = await promises_default().readFile(manifestFile, 'utf8');
    }
    catch {
        return undefined;
    }
    return (0,domain_manifest/* parseManifest */.Ng)(text, external_node_path_default().basename(manifestFile));
}
/** Refuses a SQLite backup for a PostgreSQL target and the reverse. */
function assertEngineMatches(backup, target) {
    if (backup.engine !== undefined && backup.engine !== target) {
        throw new errors/* UserError */.yo(`${backup.name} is a ${locate_backup_ENGINE_LABEL[backup.engine]} backup and the target is a ${locate_backup_ENGINE_LABEL[target]} database: nothing was changed.`);
    }
}

/**
 * The compression a backup's manifest or name announces; undefined for a
 * file named by hand without a known suffix.
 */
function announcedCompression(backup) {
    const fromManifest = backup.manifest?.compression?.algorithm;
    if (fromManifest !== undefined)
        return fromManifest;
    const fromName = (0,backup_name/* parseBackupName */.Df)(backup.name)?.compression;
    if (fromName !== undefined)
        return fromName;
    const base = backup.name.replace(/\.gpg$/i, '');
    if (/\.gz$/i.test(base))
        return 'gzip';
    if (/\.zst$/i.test(base))
        return 'zstd';
    if (/\.(sql|dump|tar|db|sqlite3?)$/i.test(base))
        return 'none';
    return undefined;
}
/**
 * What a stored file's first bytes say: encrypted (then its compression is
 * hidden until it is decrypted), or else its compression.
 */
async function storedFormat(file) {
    const handle = await promises_default().open(file, 'r');
    try {
        const { buffer, bytesRead } = await handle.read(Buffer.alloc(CONTENT_SNIFF_BYTES), 0, CONTENT_SNIFF_BYTES, 0);
        const head = buffer.subarray(0, bytesRead);
        const outer = (0,openpgp_format/* classifyStart */.FO)(head);
        if (outer === 'openpgp-binary' || outer === 'openpgp-armored')
            return { encrypted: true, compression: undefined };
        const kind = classifyContent(head);
        return {
            encrypted: false,
            compression: kind === 'empty' || kind === 'unknown' ? undefined : compressionOf(kind),
        };
    }
    finally {
        await handle.close();
    }
}
const GIVE_PASSPHRASE = 'its passphrase (encryption-passphrase, --passphrase-file or BACKUP_PASSPHRASE)';
const GIVE_PRIVATE_KEY = 'the private key (decryption-private-key, --private-key-file)';
/** What to give for an encrypted backup given nothing: what its manifest says it needs, else either. */
function missingKeysMessage(backup) {
    // A manifest is read as found: a damaged one may hold anything there.
    const encryption = backup.manifest?.encryption;
    if (encryption?.mode === 'public-key') {
        const recipients = Array.isArray(encryption.recipients) ? encryption.recipients : [];
        const fingerprints = recipients.filter((key) => typeof key === 'string' && /^[0-9A-Fa-f]{16,64}$/.test(key));
        const keys = fingerprints.length > 0 ? ` (${fingerprints.slice(0, 5).join(', ')})` : '';
        return `${backup.name} is encrypted to a public key${keys}: give ${GIVE_PRIVATE_KEY} that matches it.`;
    }
    if (encryption?.mode === 'passphrase')
        return `${backup.name} is encrypted with a passphrase: give ${GIVE_PASSPHRASE}.`;
    return `${backup.name} is encrypted: give ${GIVE_PASSPHRASE} or ${GIVE_PRIVATE_KEY.replace('the private key', 'a private key')}.`;
}
/**
 * Opens a backup for reading: gzip, zstd or uncompressed, each perhaps
 * OpenPGP-encrypted, told apart by content (magic bytes, after decryption),
 * not by name. A name or manifest that says otherwise is pointed out once and
 * the content wins. Keys are checked here, before anything reads the file.
 */
async function openBackup(backup, keys, checksumVerified = false, log, progress = domain_progress/* NO_PROGRESS */.c) {
    const encrypted = await (0,encryption/* looksLikeOpenPgp */.Pe)(backup.file);
    let decryptor;
    if (encrypted) {
        if (keys.passphrase === undefined && (keys.privateKeys ?? []).length === 0) {
            throw new errors/* UserError */.yo(missingKeysMessage(backup));
        }
        decryptor = await (0,encryption/* prepareDecryptor */.st)(keys);
    }
    const announced = announcedCompression(backup);
    let warned = false;
    const onContent = (kind) => {
        const actual = compressionOf(kind);
        if (warned || announced === undefined || actual === announced)
            return;
        warned = true;
        log?.warn(`${backup.name} is named or described as ${describeCompression(announced)} but holds ${describeCompression(actual)} data: it is read as ${describeCompression(actual)}.`);
    };
    // The file its manifest vouched for is the file every read must see, to its last byte.
    const expected = checksumVerified && backup.manifest
        ? { sha256: backup.manifest.file.sha256, size: backup.manifest.file.size }
        : undefined;
    const stages = () => ({
        beforeDecompression: decryptor ? [decryptor.createStage()] : [],
        onContent,
        expected,
    });
    const size = (await promises_default().stat(backup.file)).size;
    /** A whole read of the file, shown as progress against its size. */
    const tracked = async (what, read) => {
        const task = progress.start(`${what} ${backup.name}`, { total: size });
        try {
            return await read({ ...stages(), progress: task });
        }
        finally {
            task.end();
        }
    };
    return {
        name: backup.name,
        checksumVerified,
        decodeInto: (sink) => tracked('restoring', (options) => decodeInto(backup.file, sink, options)),
        decodeToFile: (target) => tracked('unpacking', (options) => decodeToFile(backup.file, target, options)),
        check: () => tracked('checking', (options) => decodeToNowhere(backup.file, options)),
        probe: () => decodeHead(backup.file, stages()),
    };
}

;// CONCATENATED MODULE: ./src/commands/list.ts








async function runList(config, context) {
    const storage = await (0,factory/* createStorage */.w)(config.from, config.targets);
    const own = config.database && !config.all ? await (0,catalog_identity/* ownDatabase */.iz)(config.database, config.name) : undefined;
    const now = context.now?.() ?? new Date();
    return (0,catalog/* withCatalog */.w)(storage, async (catalog) => {
        catalog.assertThere('list');
        const entries = catalog.entries({ engine: config.all ? undefined : config.engine });
        const verifications = newestRecords([...catalog.names]);
        const backups = [];
        const warnings = [];
        let notShown = 0;
        for (const entry of entries) {
            const backup = entry.backup;
            const ownership = own ? await catalog.ownership(entry, own) : undefined;
            if (ownership === 'other' || ownership === 'unknown') {
                notShown += 1;
                continue;
            }
            const { manifest, checksum, stored } = await details(catalog, entry, (m) => context.log.warn(m));
            const createdAt = manifest?.createdAt ?? backup.time.toISOString();
            const future = isFutureDated(backup, manifest, now);
            if (future)
                warnings.push(`${backup.name} is dated ${createdAt}, ahead of this clock: a clock is wrong; it is never taken as latest.`);
            backups.push({
                name: backup.name,
                engine: backup.engine,
                kind: backup.kind,
                createdAt,
                size: entry.size,
                ageSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(createdAt)) / 1000)),
                checksum,
                encrypted: stored?.encrypted ?? backup.encrypted,
                compression: stored?.compression ?? manifest?.compression.algorithm ?? backup.compression,
                format: formatOf(backup, manifest),
                tables: manifest?.tables.length,
                lastVerification: verificationOf(verifications.get(backup.name), now.getTime()),
                database: manifest ? (0,catalog_identity/* describeBackupDatabase */.Nh)(manifest) : null,
                identified: manifest?.identity !== undefined,
                future,
            });
        }
        if (own && notShown > 0)
            context.log.info(`${notShown} other ${notShown === 1 ? 'backup' : 'backups'} at ${catalog.location} ${notShown === 1 ? 'is' : 'are'} not of ${(0,catalog_identity/* describeIdentity */.Cl)(own.identity)} or cannot be told apart: db-backup list --all shows every one.`);
        for (const warning of warnings)
            context.log.warn(warning);
        return {
            command: 'list',
            location: storage.location,
            database: own ? (0,catalog_identity/* describeIdentity */.Cl)(own.identity) : null,
            backups,
            notShown,
            warnings,
        };
    });
}
function formatOf(backup, manifest) {
    if (backup.engine !== 'postgres')
        return null;
    if (manifest)
        return manifest.format ?? 'plain';
    return backup.format;
}
/**
 * The verification to show for each backup, by backup name: its newest
 * record, except that a passed quick check never hides a failure that no
 * full verification has answered since.
 */
function newestRecords(names) {
    const records = names
        .map(verification_record/* parseVerificationRecordName */.hG)
        .filter((record) => record !== undefined)
        .sort(verification_record/* compareRecordsNewestFirst */.aF);
    const verdicts = (0,verification_record/* newestVerdicts */.Ld)(records);
    const shown = new Map();
    for (const record of records) {
        if (shown.has(record.backup.name))
            continue;
        const verdict = verdicts.get(record.backup.name);
        shown.set(record.backup.name, verdict?.outcome === 'verify-failed' ? verdict : record);
    }
    return shown;
}
function verificationOf(record, now) {
    if (!record)
        return null;
    return {
        outcome: record.outcome,
        at: record.time.toISOString(),
        ageSeconds: Math.max(0, Math.round((now - record.time.getTime()) / 1000)),
    };
}
/**
 * What is known of a backup without downloading it: a file in a local place
 * is hashed against its manifest and its first bytes read; a remote one's
 * manifest alone is read.
 */
async function details(catalog, entry, warn) {
    const read = await catalog.manifestOf(entry.backup.name);
    const file = catalog.localFile(entry.backup.name);
    if (file === undefined) {
        if (read.problem)
            warn(`Cannot read ${(0,backup_name/* manifestNameOf */.S$)(entry.backup.name)} at ${catalog.location}: ${read.problem}`);
        return {
            manifest: read.manifest,
            checksum: entry.hasManifest ? 'unchecked' : 'no-manifest',
        };
    }
    const stored = await storedFormat(file).catch(() => undefined);
    if (read.problem)
        return { manifest: undefined, checksum: 'invalid-manifest', ...(stored ? { stored } : {}) };
    const checksum = await (0,catalog_checksum/* checksumStatus */.g)({
        name: entry.backup.name,
        file,
        manifest: read.manifest,
    });
    return { manifest: read.manifest, checksum, ...(stored ? { stored } : {}) };
}

// EXTERNAL MODULE: ./src/catalog/lock.ts
var lock = __webpack_require__(65484);
// EXTERNAL MODULE: ./src/domain/version.ts
var version = __webpack_require__(43356);
;// CONCATENATED MODULE: ./src/catalog/orphans.ts



/**
 * Manifests whose backup is gone (a run stopped between deleting a backup
 * and its manifest, or a backup deleted by hand), of the given database or,
 * without one, of any: only files that read as a manifest this tool wrote.
 * Anything else named `*.json` is not ours and is never listed here.
 */
async function orphanManifestsOf(catalog, own) {
    const orphans = [];
    for (const name of catalog.orphanManifests()) {
        const backup = (0,backup_name/* parseBackupName */.Df)(name.slice(0, -backup_name/* MANIFEST_SUFFIX */.OK.length));
        if (!backup)
            continue;
        const { manifest } = await catalog.readManifest(name);
        if (!manifest || manifest.tool.name !== version/* TOOL_NAME */.l || manifest.name !== backup.name)
            continue;
        if (own) {
            const ownership = (0,catalog_identity/* ownershipOf */.VL)(backup, manifest, own);
            if (ownership !== 'ours' && ownership !== 'old-match')
                continue;
        }
        orphans.push(name);
    }
    return orphans;
}

// EXTERNAL MODULE: ./src/catalog/retention.ts + 1 modules
var retention = __webpack_require__(47153);
// EXTERNAL MODULE: ./src/retention/calendar-retention.ts
var calendar_retention = __webpack_require__(98269);
;// CONCATENATED MODULE: ./src/commands/prune.ts







const KINDS = ['backup', 'sanitized'];
/**
 * The rolling window on demand: the given database's, or without one each
 * database's own window (grouped by the identity in the manifests). Orphan
 * manifests of ours go too.
 */
async function runPrune(config, context) {
    const storage = await (0,factory/* createStorage */.w)(config.from, config.targets);
    const given = config.database ? await (0,catalog_identity/* ownDatabase */.iz)(config.database, config.name) : undefined;
    return (0,lock/* withPlaceLock */.Rd)(storage, () => (0,catalog/* withCatalog */.w)(storage, async (catalog) => {
        catalog.assertThere('prune');
        const removed = [];
        const kept = [];
        const keptForData = [];
        const keptBy = {};
        const counted = new Set();
        for (const own of given ? [given] : await everyDatabase(catalog)) {
            // Regular backups and sanitized copies each have a window of their own.
            for (const kind of KINDS) {
                const outcome = await (0,retention/* applyDatabaseRetention */.C)(catalog, own, { maxBackups: config.maxBackups, keep: config.keep, dryRun: config.dryRun, kind }, quietAboutLeftAlone(context));
                removed.push(...outcome.removed);
                kept.push(...outcome.kept);
                for (const name of [...outcome.removed, ...outcome.kept])
                    counted.add(name);
                if (outcome.keptForData)
                    keptForData.push(outcome.keptForData);
                for (const backup of [...outcome.keptBackups].reverse())
                    keptBy[backup.name] = backup.reasons;
            }
        }
        const leftAlone = catalog
            .entries({ engine: config.engine })
            .filter((entry) => entry.backup.kind !== 'before-restore')
            .map((entry) => entry.backup.name)
            .filter((name) => !counted.has(name) && !removed.includes(name));
        const unowned = given ? await unprovable(catalog, given, leftAlone) : leftAlone;
        if (unowned.length > 0) {
            context.log.info(`Left alone (no manifest says whose backup it is${given ? ', or it may be another database’s' : ''}): ${unowned.join(', ')}`);
        }
        const orphanManifests = await orphanManifestsOf(catalog, given);
        for (const name of orphanManifests) {
            context.log.info(`${config.dryRun ? 'Would remove' : 'Removing'} ${name} from ${storage.id}: its backup is gone`);
            if (!config.dryRun)
                await storage.delete(name);
        }
        return {
            command: 'prune',
            dryRun: config.dryRun,
            removed,
            kept,
            keptForData,
            keptBy,
            rules: (0,calendar_retention/* describeRules */.NH)(config.keep, config.maxBackups),
            leftAlone: unowned,
            orphanManifests,
        };
    }));
}
/** Each database whose backups the place holds, by the identity in their manifests. */
async function everyDatabase(catalog) {
    const seen = new Map();
    for (const entry of catalog.entries()) {
        if (!entry.hasManifest)
            continue;
        const identity = (await catalog.manifestOf(entry.backup.name)).manifest?.identity;
        if (identity)
            seen.set((0,catalog_identity/* identityKey */.US)(identity), identity);
    }
    return [...seen.values()].map((identity) => ({ identity, legacyName: '', exact: true }));
}
/** With a database given, the backups not of it that cannot be shown to be another's. */
async function unprovable(catalog, own, names) {
    const result = [];
    for (const entry of catalog.entries({ engine: own.identity.engine })) {
        if (!names.includes(entry.backup.name))
            continue;
        if ((await catalog.ownership(entry, own)) === 'unknown')
            result.push(entry.backup.name);
    }
    return result;
}
/** The per-window note on backups left alone is said once, for the whole prune. */
function quietAboutLeftAlone(context) {
    return {
        info: (message) => {
            if (!message.startsWith('Left alone'))
                context.log.info(message);
        },
        warn: (message) => context.log.warn(message),
    };
}

// EXTERNAL MODULE: ./src/commands/engine-settings.ts
var engine_settings = __webpack_require__(12774);
// EXTERNAL MODULE: ./src/commands/create-backup.ts + 1 modules
var create_backup = __webpack_require__(21204);
// EXTERNAL MODULE: ./src/catalog/paired-upload.ts
var paired_upload = __webpack_require__(75646);
// EXTERNAL MODULE: ./src/pipeline/passphrase-rules.ts
var passphrase_rules = __webpack_require__(1298);
;// CONCATENATED MODULE: ./src/commands/confirm-restore.ts

/**
 * A restore that overwrites data needs `--yes`, the action's `confirm` equal
 * to the database's name, or that name typed at a terminal.
 */
async function confirmOverwrite(databaseName, confirmation, context, 
/** Restoring another database's backup: "backup of A into B", said in every question and refusal. */
crossing) {
    if (confirmation.yes)
        return;
    const what = crossing ? ` with a ${crossing}` : '';
    if (confirmation.typed !== undefined) {
        if (confirmation.typed === databaseName)
            return;
        throw new errors/* UserError */.yo(`Restore refused: confirm is "${confirmation.typed}" but must equal the database name "${databaseName}". Nothing was changed.`);
    }
    if (context.prompt) {
        const answer = await context.prompt(`This overwrites the database "${databaseName}"${what}. Type its name to continue: `);
        if (answer.trim() === databaseName)
            return;
        throw new errors/* UserError */.yo('Restore cancelled: the name typed did not match. Nothing was changed.');
    }
    throw new errors/* UserError */.yo(`Restore refused: it would overwrite "${databaseName}"${what}. Pass --yes (CLI) or confirm: ${databaseName} (action). Nothing was changed.`);
}

;// CONCATENATED MODULE: ./src/commands/restore.ts















async function runRestore(config, context) {
    const started = Date.now();
    (0,passphrase_rules/* warnAboutShortPassphrase */.ox)(config.decryption.passphrase ??
        (config.encryption.mode === 'passphrase' ? config.encryption.passphrase : undefined), context.log);
    const engine = await (0,engines/* createEngine */.P)(config.database, (0,engine_settings/* engineSettings */.O)(context, config.postgres));
    const holdsData = await engine.holdsData();
    const own = await (0,catalog_identity/* ownDatabase */.iz)(config.database, config.name);
    // Found (and its manifest read) first, downloaded only once the overwrite is confirmed.
    const resolved = await resolveBackup(config.backup, config.from, config.targets, context.cwd, {
        own,
        engine: engine.kind,
        now: context.now?.() ?? new Date(),
    });
    const crossing = crossingOf(resolved.manifest, own);
    if (crossing)
        context.log.info(`${resolved.name} is a ${crossing}`);
    if (holdsData)
        await confirmOverwrite((0,database_location/* confirmationName */.$e)(config.database), config.confirmation, context, crossing);
    const handle = await resolved.fetch(context.progress);
    try {
        const result = await restoreFrom(handle.backup, engine, holdsData, config, context, started);
        return crossing ? { ...result, crossing } : result;
    }
    finally {
        await handle.release();
    }
}
/** "backup of A into B" when the backup's manifest says it is of another database. */
function crossingOf(manifest, own) {
    if (!manifest || manifest.engine !== own.identity.engine)
        return undefined;
    const backupOf = manifest.identity
        ? (0,catalog_identity/* sameDatabase */.KX)(manifest.identity, own.identity)
            ? undefined
            : (0,catalog_identity/* describeIdentity */.Cl)(manifest.identity)
        : manifest.database.name === own.legacyName
            ? undefined
            : (0,catalog_identity/* describeBackupDatabase */.Nh)(manifest);
    return backupOf ? `backup of ${backupOf} into ${(0,catalog_identity/* describeIdentity */.Cl)(own.identity)}` : undefined;
}
async function restoreFrom(backup, engine, holdsData, config, context, started) {
    const database = (0,database_location/* describeDatabase */.DZ)(config.database);
    assertEngineMatches(backup, engine.kind);
    if (backup.manifest)
        await (0,catalog_checksum/* assertChecksum */.o)(backup);
    else {
        context.log.warn(`${backup.name} has no manifest: its checksum cannot be checked (the data is still checked as it is unpacked).`);
    }
    const source = await openBackup(backup, config.decryption, backup.manifest !== undefined, context.log, context.progress);
    await source.probe();
    const safetyEncryptor = await (0,encryption/* prepareEncryptor */.S)(await safetyEncryption(config));
    let safetyCopy;
    if (holdsData && engine.keepsOwnSafetyCopy && !config.safetyBackup) {
        // Not refused: the reusable restore workflow passes one safety-backup input for both engines.
        context.log.warn('safety-backup false applies to PostgreSQL only: a SQLite restore always keeps the file it replaces as DB.before-restore (remove that file once you no longer need it).');
    }
    const beforeChange = async () => {
        if (!holdsData || engine.keepsOwnSafetyCopy || !config.safetyBackup)
            return;
        context.log.info(`Backing up ${database} before overwriting it`);
        const safety = await (0,create_backup/* createBackup */.d)(engine, config.backupDir, {
            kind: 'before-restore',
            databaseName: config.name,
            compression: config.compression,
            encryptor: safetyEncryptor,
            progress: context.progress,
        });
        safetyCopy = safety.file;
        context.log.info(`Safety backup: ${safety.file}`);
        const storage = await (0,factory/* createStorage */.w)(config.from, config.targets);
        if (!(0,storage_storage/* liesAt */.V)(storage, safety.file)) {
            // A runner's disk goes away with the job: keep the safety backup where the backups are.
            try {
                await (0,paired_upload/* uploadBackup */.kI)(storage, safety, context.progress);
            }
            catch (error) {
                throw new errors/* UserError */.yo(`The safety backup could not be stored at ${storage.location} (${(0,secrets/* redact */.E$)(error.message)}): nothing was changed. Fix the target, or pass --no-safety-backup to restore without one.`);
            }
            safetyCopy = `${storage.location} ${safety.name}`;
            context.log.info(`Safety backup stored at ${storage.location} as ${safety.name}`);
        }
    };
    const sanitized = sanitizedOf(backup);
    if (sanitized) {
        context.log.info(`${backup.name} is a sanitized copy: its personal data was masked by rules sha256 ${sanitized.rulesSha256.slice(0, 12)}…; it is not a copy of production's data.`);
    }
    context.log.info(`Restoring ${backup.name} into ${database}`);
    const outcome = await engine.restore(source, { beforeChange });
    const previousCopy = outcome.previousCopy ?? safetyCopy;
    if (outcome.previousCopy)
        context.log.info(`The previous database was kept as ${outcome.previousCopy}`);
    for (const note of outcome.notes ?? [])
        context.log.warn(note);
    return {
        command: 'restore',
        database,
        name: backup.name,
        // A downloaded file is gone when the command ends: no path to point at.
        file: backup.inPlace ? backup.file : '',
        info: outcome.info,
        previousCopy,
        durationMs: Date.now() - started,
        manifestChecked: backup.manifest !== undefined,
        ...(sanitized ? { sanitized } : {}),
    };
}
/** From the manifest, else from the name (a copy whose manifest was lost still says so). */
function sanitizedOf(backup) {
    if (backup.manifest?.sanitized)
        return backup.manifest.sanitized;
    return (0,backup_name/* parseBackupName */.Df)(backup.name)?.kind === 'sanitized'
        ? { rulesSha256: 'unknown' }
        : undefined;
}
/**
 * The safety backup is encrypted as a backup would be; when the job only holds
 * what decrypts (a passphrase, a private key), with that same secret.
 */
async function safetyEncryption(config) {
    if (config.encryption.mode !== 'none')
        return config.encryption;
    const { passphrase, privateKeys = [] } = config.decryption;
    if (passphrase !== undefined)
        return { mode: 'passphrase', passphrase };
    if (privateKeys.length > 0) {
        const { publicKeysOf } = await Promise.all(/* import() */[__webpack_require__.e(74), __webpack_require__.e(66)]).then(__webpack_require__.bind(__webpack_require__, 46066));
        return {
            mode: 'public-key',
            armoredPublicKeys: await publicKeysOf(privateKeys.map((key) => key.armored)),
        };
    }
    return { mode: 'none' };
}

;// CONCATENATED MODULE: ./src/status/status-verdict.ts



/** A backup dated this far ahead of the clock is clock skew, not a fresh backup (the catalog's rule). */

const ORDER = ['no-backup', 'stale', 'verification-failed', 'unverified'];
function judgeStatus(input) {
    const now = input.now.getTime();
    const all = input.names
        .map(backup_name/* parseBackupName */.Df)
        .filter((b) => b !== undefined)
        .filter((b) => b.kind === 'backup' &&
        (input.engine === undefined || b.engine === input.engine) &&
        (input.only === undefined || input.only.has(b.name)));
    const future = all.filter((b) => b.time.getTime() - now > FUTURE_TOLERANCE_MS);
    const held = all.filter((b) => !future.includes(b)).sort(backup_name/* compareNewestFirst */.a0);
    const heldNames = new Set(held.map((b) => b.name));
    // Only records of backups still held count: a leftover record proves nothing about what is there.
    const records = input.names
        .map(verification_record/* parseVerificationRecordName */.hG)
        .filter((r) => r !== undefined && heldNames.has(r.backup.name))
        .sort((a, b) => (0,verification_record/* compareRecordsNewestFirst */.aF)(a, b) || (0,backup_name/* compareNewestFirst */.a0)(a.backup, b.backup));
    // A passed quick check is no test restore: it neither proves a backup restores nor takes back
    // a failure. Every failure counts, of a full verification or a quick one.
    const verdicts = records.filter((r) => r.outcome !== 'quick-checked');
    const found = new Map();
    const what = input.what ?? (input.engine === undefined ? 'backup' : `${input.engine} backup`);
    const newestBackup = held[0];
    const newest = newestBackup
        ? {
            name: newestBackup.name,
            time: newestBackup.time,
            ageMs: Math.max(0, now - newestBackup.time.getTime()),
        }
        : null;
    if (!newest)
        found.set('no-backup', `there is no ${what}`);
    else if (newest.ageMs > input.maxAgeMs) {
        found.set('stale', `the newest ${what}, ${newest.name}, is ${ageText(newest.ageMs)} old (more than ${ageText(input.maxAgeMs)})`);
    }
    // A pass of a backup that failed a verification since proves nothing any more.
    const standing = (0,verification_record/* newestVerdicts */.Ld)(records);
    const passed = (0,verification_record/* freshestPass */.Eb)(standing);
    const lastVerified = passed
        ? {
            backup: passed.backup.name,
            time: passed.time,
            ageMs: Math.max(0, now - passed.time.getTime()),
        }
        : null;
    // Red while the newest verification failed, and while the newest backup with a verdict stands
    // failed: a later pass of an older backup does not make a bad newer one good.
    const newestRecord = verdicts[0];
    const failed = newestRecord?.outcome === 'verify-failed' ? newestRecord : (0,verification_record/* unhealedFailureOf */.yc)(standing, held);
    const lastFailure = failed ? { backup: failed.backup.name, time: failed.time } : null;
    if (failed) {
        const ago = ageText(Math.max(0, now - failed.time.getTime()));
        found.set('verification-failed', failed === newestRecord
            ? `the newest verification, of ${failed.backup.name} ${ago} ago, failed`
            : `the verification of ${failed.backup.name} ${ago} ago failed, and no newer backup has passed one since (a pass of an older backup does not take it back)`);
    }
    if (input.verifiedWithinMs !== undefined && newest) {
        if (!lastVerified) {
            found.set('unverified', `no ${what} held here has passed a test restore (db-backup verify)`);
        }
        else if (lastVerified.ageMs > input.verifiedWithinMs) {
            found.set('unverified', `the newest passed test restore, of ${lastVerified.backup}, was ${ageText(lastVerified.ageMs)} ago (more than ${ageText(input.verifiedWithinMs)})`);
        }
    }
    const problems = ORDER.filter((state) => found.has(state)).map((state) => found.get(state));
    return {
        state: ORDER.find((state) => found.has(state)) ?? 'ok',
        problems,
        newest,
        lastVerified,
        lastFailure,
        future: future.map((b) => b.name),
    };
}
/** The state that decides among several verdicts: the first problem in the order above, else ok. */
function worstState(states) {
    return ORDER.find((state) => states.includes(state)) ?? 'ok';
}
/** `3h 12m`, `2d 4h`, `45m`, `20s`: how long ago, for one-line messages. */
function ageText(ms) {
    const seconds = Math.floor(ms / 1000);
    if (seconds < 60)
        return `${seconds}s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60)
        return `${minutes}m`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48)
        return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
    const days = Math.floor(hours / 24);
    return hours % 24 === 0 ? `${days}d` : `${days}d ${hours % 24}h`;
}

;// CONCATENATED MODULE: ./src/commands/status.ts




const LABEL = {
    ok: 'OK',
    'no-backup': 'NO BACKUP',
    stale: 'STALE',
    'verification-failed': 'VERIFICATION FAILED',
    unverified: 'UNVERIFIED',
};
/**
 * Whether backups are still being made (and proven to restore), for cron
 * checks, Nagios-style monitors and scheduled workflows: the target's listing
 * alone decides, nothing is downloaded but the manifests that tell whose
 * backups are whose. Without a database, a place that holds the backups of
 * several is judged database by database, and the worst decides: one
 * database's fresh backup never hides another's stale one.
 */
async function runStatus(config, context) {
    const storage = await (0,factory/* createStorage */.w)(config.from, config.targets);
    const own = config.database ? await (0,catalog_identity/* ownDatabase */.iz)(config.database, config.name) : undefined;
    const now = context.now?.() ?? new Date();
    const judge = (names, only, what) => judgeStatus({
        names,
        engine: config.engine,
        only,
        what,
        now,
        maxAgeMs: config.maxAge.ms,
        verifiedWithinMs: config.verifiedWithin?.ms,
    });
    const { judged, absence } = await (0,catalog/* withCatalog */.w)(storage, async (catalog) => ({
        judged: await judgeDatabases(catalog, own, config.engine, judge),
        absence: catalog.absenceNote,
    }));
    const state = worstState(judged.map((j) => j.verdict.state));
    const deciding = judged.find((j) => j.verdict.state === state) ?? judged[0];
    const fallback = config.engine ? `${config.engine} backup` : 'backup';
    const goodOf = ({ what, verdict }) => {
        const good = [];
        if (verdict.newest && verdict.state !== 'stale') {
            good.push(`newest ${what ?? fallback} ${verdict.newest.name} is ${ageText(verdict.newest.ageMs)} old (max ${config.maxAge.text})`);
        }
        if (verdict.lastVerified && verdict.state !== 'unverified') {
            good.push(`last passed test restore ${ageText(verdict.lastVerified.ageMs)} ago${config.verifiedWithin ? ` (max ${config.verifiedWithin.text})` : ''}`);
        }
        return good.join('; ');
    };
    const several = judged.length > 1;
    const summary = state === 'ok'
        ? `OK: ${several ? `${judged.length} databases: ` : ''}${judged.map(goodOf).join('; ')} at ${storage.location}`
        : `${LABEL[state]}: ${judged.flatMap((j) => j.verdict.problems).join('; ')} at ${storage.location}${absence ? ` (${absence})` : ''}`;
    const decided = statusOf(deciding);
    return {
        command: 'status',
        location: storage.location,
        engine: config.engine ?? null,
        newest: decided.newest,
        lastVerified: decided.lastVerified,
        lastFailedVerification: decided.lastFailedVerification,
        ok: state === 'ok',
        state,
        summary,
        problems: judged.flatMap((j) => j.verdict.problems),
        maxAge: config.maxAge.text,
        maxAgeSeconds: seconds(config.maxAge.ms),
        verifiedWithin: config.verifiedWithin?.text ?? null,
        verifiedWithinSeconds: config.verifiedWithin ? seconds(config.verifiedWithin.ms) : null,
        future: [...new Set(judged.flatMap((j) => j.verdict.future))],
        ...(several ? { databases: judged.map(statusOf) } : {}),
    };
}
const seconds = (ms) => Math.round(ms / 1000);
function statusOf({ database, verdict }) {
    return {
        database: database ? (0,catalog_identity/* describeIdentity */.Cl)(database) : null,
        ok: verdict.state === 'ok',
        state: verdict.state,
        problems: verdict.problems,
        newest: verdict.newest
            ? {
                name: verdict.newest.name,
                createdAt: verdict.newest.time.toISOString(),
                ageSeconds: seconds(verdict.newest.ageMs),
            }
            : null,
        lastVerified: verdict.lastVerified
            ? {
                backup: verdict.lastVerified.backup,
                at: verdict.lastVerified.time.toISOString(),
                ageSeconds: seconds(verdict.lastVerified.ageMs),
            }
            : null,
        lastFailedVerification: verdict.lastFailure
            ? { backup: verdict.lastFailure.backup, at: verdict.lastFailure.time.toISOString() }
            : null,
    };
}
/** Each database's verdict: the one given, or every one whose backups the place holds. */
async function judgeDatabases(catalog, own, engine, judge) {
    const names = [...catalog.names];
    if (own) {
        // Only backups whose manifest proves they are its own count (as for latest).
        const ours = new Set();
        for (const entry of catalog.entries({ engine: own.identity.engine, kind: 'backup' }))
            if ((await catalog.ownership(entry, own)) === 'ours')
                ours.add(entry.backup.name);
        const what = `backup of ${(0,catalog_identity/* describeIdentity */.Cl)(own.identity)}`;
        return [{ database: own.identity, what, verdict: judge(names, ours, what) }];
    }
    const databases = await databasesAt(catalog, engine);
    if (databases.length < 2)
        return [{ database: undefined, what: undefined, verdict: judge(names, undefined) }];
    return databases.map(({ identity, backups }) => {
        const what = `backup of ${(0,catalog_identity/* describeIdentity */.Cl)(identity)}`;
        return { database: identity, what, verdict: judge(names, backups, what) };
    });
}
/**
 * The databases whose regular backups the place holds, told apart by the
 * identity their manifests record: by name where a backup has one, else by
 * address. Unnamed backups join the named database at their address only
 * when there is exactly one such; otherwise they are a database of their
 * own — never grouped by which backup came first. A backup without an
 * identity (made by another tool, or before identities) is nobody's here.
 */
async function databasesAt(catalog, engine) {
    const byKey = new Map();
    for (const entry of catalog.entries({ engine, kind: 'backup' })) {
        if (!entry.hasManifest)
            continue;
        const identity = (await catalog.manifestOf(entry.backup.name)).manifest?.identity;
        if (!identity)
            continue;
        // A named database is its name wherever it was backed up from (it may have moved).
        const key = JSON.stringify(identity.name !== undefined
            ? [identity.engine, 'name', identity.name]
            : [identity.engine, 'address', identity.database]);
        const known = byKey.get(key) ?? { identity, backups: new Set() };
        known.backups.add(entry.backup.name);
        byKey.set(key, known);
    }
    const groups = [...byKey.values()];
    const named = groups.filter((group) => group.identity.name !== undefined);
    const databases = named.slice();
    for (const unnamed of groups.filter((group) => group.identity.name === undefined)) {
        const at = named.filter((group) => group.identity.engine === unnamed.identity.engine &&
            group.identity.database === unnamed.identity.database);
        if (at.length === 1)
            for (const name of unnamed.backups)
                at[0].backups.add(name);
        else
            databases.push(unnamed);
    }
    return databases;
}

;// CONCATENATED MODULE: ./src/verification/compare-tables.ts
/**
 * Every table of the manifest must come back with its row count, and no table
 * may appear that the manifest does not list. Without a manifest the restored
 * tables are reported as they are.
 */
function compareTables(expected, restored) {
    const restoredByName = new Map(restored.map((table) => [table.name, table.rows]));
    if (!expected) {
        return restored.map((table) => ({
            name: table.name,
            expected: undefined,
            restored: table.rows,
            status: 'ok',
        }));
    }
    const expectedNames = new Set(expected.map((table) => table.name));
    const rows = expected.map((table) => {
        const count = restoredByName.get(table.name);
        const status = count === undefined ? 'missing' : count === table.rows ? 'ok' : 'row count differs';
        return { name: table.name, expected: table.rows, restored: count, status };
    });
    for (const table of restored) {
        if (!expectedNames.has(table.name)) {
            rows.push({
                name: table.name,
                expected: undefined,
                restored: table.rows,
                status: 'not in manifest',
            });
        }
    }
    return rows;
}

// EXTERNAL MODULE: ./src/domain/logger.ts
var logger = __webpack_require__(41322);
;// CONCATENATED MODULE: ./src/commands/record-verification.ts








/** At most this many problems are kept in a record: it stays small whatever went wrong. */
const MAX_PROBLEMS = 10;
/**
 * Writes the verification's record beside the backup at the target it was
 * read from, so that `status` (and people) can see when it was last proven
 * to restore. Only backups of ours that the target lists get one: a file
 * verified by its path elsewhere has no place the record would be found.
 */
async function recordVerification(result, backup, config, context) {
    const name = result.name;
    if (!(0,backup_name/* parseBackupName */.Df)(name)) {
        context.log.info(`${name} is not named as this tool names backups: no verification record.`);
        return {};
    }
    try {
        const storage = await (0,factory/* createStorage */.w)(config.from, config.targets);
        if (backup && (0,storage_storage/* isLocalPlace */.p)(storage) && !(0,storage_storage/* liesAt */.V)(storage, backup.file)) {
            context.log.info(`${backup.file} is outside ${storage.localDirectory}: no verification record.`);
            return {};
        }
        const names = new Set((await storage.list()).map((object) => object.name));
        if (!names.has(name)) {
            context.log.info(`${name} is not at ${storage.location}: no verification record.`);
            return {};
        }
        const time = context.now?.() ?? new Date();
        const record = {
            formatVersion: 1,
            kind: 'verification',
            tool: { name: version/* TOOL_NAME */.l, version: version/* TOOL_VERSION */.w },
            backup: name,
            sha256: backup?.manifest?.file.sha256 ?? null,
            verifiedAt: time.toISOString(),
            level: result.level,
            verified: result.verified,
            tables: result.tables.length,
            rows: result.tables.reduce((sum, table) => sum + (table.restored ?? 0), 0),
            problems: result.problems.slice(0, MAX_PROBLEMS),
        };
        const recordName = (0,verification_record/* freeRecordName */.BC)(name, (0,verification_record/* outcomeOf */.sG)(record), time, names);
        const bytes = Buffer.from((0,verification_record/* serializeVerificationRecord */.Vv)(record));
        await storage.put(recordName, { open: () => external_node_stream_.Readable.from([bytes]), size: bytes.length });
        context.log.info(`Recorded the verification as ${recordName} at ${storage.location}`);
        return { record: recordName };
    }
    catch (error) {
        const warning = `the verification could not be recorded at ${config.from} (${(0,secrets/* redact */.E$)((0,errors/* errorMessage */.gJ)(error))}): db-backup status will not see it.`;
        context.log.warn(warning);
        return { warning };
    }
}

;// CONCATENATED MODULE: ./src/commands/verify.ts
















/** A place to restore into for the test: never the database in DATABASE_URL. */
async function scratchFor(kind, config, context) {
    if (kind === 'sqlite') {
        const dir = await (0,files/* temporaryDirectory */.De)('verify');
        return {
            engine: await (0,engines/* createEngine */.P)({ engine: 'sqlite', path: external_node_path_default().join(dir, 'restored.db') }, (0,engine_settings/* engineSettings */.O)(context)),
            dispose: () => (0,files/* removeQuietly */.S2)(dir),
        };
    }
    const server = scratchServer(config);
    // pg_restore --jobs cannot run in one transaction: as restore --jobs does, the engine fills a
    // new database and renames it to the scratch name, which therefore must not exist yet.
    const parallel = config.postgres.jobs > 1;
    // A signal stops the test restore where it is (its own handler); the copy it made goes after,
    // from the moment the scratch database has its name.
    let stopCleanup = () => undefined;
    const scratch = await (0,engines/* createScratchDatabase */.KI)(server, 'verify', !parallel, (named) => {
        const database = named.location.database;
        stopCleanup = (0,interruptions/* onInterruptCleanup */.Ro)(async () => (await named.drop()) ? `The temporary database ${database} was dropped.` : undefined, `The temporary database ${database} could not be dropped in time: drop it on the scratch server (DROP DATABASE "${database.replace(/"/g, '""')}").`);
    });
    context.log.info(parallel
        ? `The restore creates the temporary database ${scratch.location.database} on ${(0,database_location/* describeDatabase */.DZ)(server)} (--jobs ${config.postgres.jobs})`
        : `Created the temporary database ${scratch.location.database} on ${(0,database_location/* describeDatabase */.DZ)(server)}`);
    return {
        engine: await (0,engines/* createEngine */.P)(scratch.location, (0,engine_settings/* engineSettings */.O)(context, {
            ...config.postgres,
            leaveOutMissingRoles: true,
            createDatabase: parallel,
        })),
        dispose: async () => {
            stopCleanup();
            if (await scratch.drop())
                context.log.info(`Dropped the temporary database ${scratch.location.database}`);
        },
    };
}
/** A query's first value counts as true when it is true, 't', 'true' or a non-zero number. */
function isTruthy(value) {
    if (typeof value === 'boolean')
        return value;
    if (typeof value === 'number' || typeof value === 'bigint')
        return Number(value) !== 0;
    if (typeof value === 'string')
        return (['t', 'true', '1', 'yes', 'on'].includes(value.trim().toLowerCase()) ||
            /^[1-9]\d*$/.test(value.trim()));
    return false;
}
async function runSqlChecks(engine, queries) {
    const checks = [];
    for (const sql of queries) {
        try {
            const value = await engine.evaluate(sql);
            checks.push({ sql, passed: isTruthy(value), result: String(value) });
        }
        catch (error) {
            checks.push({ sql, passed: false, result: `error: ${(0,secrets/* redact */.E$)(error.message)}` });
        }
    }
    return checks;
}
/**
 * Proves a backup restores: its checksum, that it decodes to its end, and
 * (full level) a real restore into a scratch place compared with the
 * manifest, plus the user's own queries. Problems are collected, not thrown:
 * the result says what failed.
 */
async function runVerify(config, context) {
    const started = Date.now();
    (0,passphrase_rules/* warnAboutShortPassphrase */.ox)(config.decryption.passphrase, context.log);
    const expected = config.database?.engine ?? config.verifyDatabase?.engine;
    // Said before any download: a full check of a PostgreSQL backup needs somewhere to restore.
    if (expected)
        assertScratchServer(expected, config);
    const scope = {
        own: config.database ? await (0,catalog_identity/* ownDatabase */.iz)(config.database, config.name) : undefined,
        engine: expected,
        now: context.now?.() ?? new Date(),
    };
    // A remote `latest` is named first, so that a download that arrives damaged is recorded against it.
    const place = await (0,factory/* createStorage */.w)(config.from, config.targets);
    const reference = config.backup === 'latest' && !(0,storage_storage/* isLocalPlace */.p)(place)
        ? await latestName(place, scope)
        : config.backup;
    let handle;
    try {
        handle = await (0,logger/* inSection */.Z)(context.log, `Fetch ${reference} from ${config.from}`, () => findBackup(reference, config.from, config.targets, context.cwd, scope, context.progress));
    }
    catch (error) {
        if (!(error instanceof errors/* IntegrityError */.cs))
            throw error;
        const failed = failedBeforeReading(config, reference, error.message, started);
        return withRecord(failed, undefined, config, context);
    }
    try {
        const result = await verifyBackup(handle.backup, config, context, started);
        return await withRecord(result, handle.backup, config, context);
    }
    finally {
        await handle.release();
    }
}
/** Leaves the verification's record at the target; a record that cannot be written is a warning, not a failed verification. */
async function withRecord(result, backup, config, context) {
    const recorded = await (0,logger/* inSection */.Z)(context.log, 'Record the verification', () => recordVerification(result, backup, config, context));
    if (recorded.warning)
        return { ...result, warnings: [...result.warnings, recorded.warning] };
    return recorded.record ? { ...result, record: recorded.record } : result;
}
/** A backup that did not arrive as its manifest describes is a failed verification, not a usage error. */
function failedBeforeReading(config, name, problem, started) {
    return {
        command: 'verify',
        name,
        level: config.quick ? 'quick' : 'full',
        verified: false,
        checksum: 'mismatch',
        contentSize: 0,
        tables: [],
        checks: [],
        problems: [problem],
        warnings: [],
        durationMs: Date.now() - started,
    };
}
function assertScratchServer(kind, config) {
    if (!config.quick && kind === 'postgres')
        scratchServer(config);
}
function scratchServer(config) {
    const server = config.verifyDatabase;
    if (server?.engine === 'postgres')
        return server;
    throw new errors/* UserError */.yo('Verifying a PostgreSQL backup needs a scratch PostgreSQL server to restore into: set VERIFY_DATABASE_URL or --verify-database-url (the input verify-database-url in the action), for example postgres://postgres:postgres@localhost:5432/postgres or a service container; or check only the checksum and readability with --quick (input quick).');
}
async function verifyBackup(backup, config, context, started) {
    const level = config.quick ? 'quick' : 'full';
    const problems = [];
    const warnings = [];
    let contentSize = 0;
    let tables = [];
    let checks = [];
    const engineKind = backup.engine ?? config.database?.engine ?? config.verifyDatabase?.engine ?? 'sqlite';
    if (engineKind === 'sqlite' && config.postgres.jobs > 1) {
        throw new errors/* UserError */.yo(`jobs applies to PostgreSQL backups only, and ${backup.name} is a SQLite backup: remove it. Nothing was changed.`);
    }
    // Set once the file is known to be the one its manifest describes.
    let asWritten = false;
    const attempt = async (step) => {
        try {
            await step();
            return true;
        }
        catch (error) {
            if (!(0,errors/* isWorded */.UD)(error))
                throw error;
            // A wrong passphrase or key says nothing about a file that is as it was written: refused, not recorded as failed.
            if (error instanceof errors/* CredentialsDoNotFit */.ai && asWritten)
                throw error;
            // Nor does a scratch server whose role may not make the test restore's database.
            if (error instanceof errors/* CannotCreateDatabases */.Qb) {
                throw new errors/* CannotCreateDatabases */.Qb(errors/* SCRATCH_ROLE_CANNOT_CREATE */.Zc);
            }
            problems.push(error.message);
            return false;
        }
    };
    const { checksum, readable, source } = await (0,logger/* inSection */.Z)(context.log, `Check ${backup.name}: checksum, decryption and decompression`, async () => {
        const checksum = await (0,catalog_checksum/* checksumStatus */.g)(backup);
        asWritten = checksum === 'ok';
        if (checksum === 'mismatch')
            problems.push('the file does not match the sha256 and size in its manifest');
        if (checksum === 'no-manifest') {
            warnings.push('no manifest: row counts cannot be compared, only integrity is checked');
        }
        assertScratchServer(engineKind, config);
        const source = await openBackup(backup, config.decryption, checksum === 'ok', context.log, context.progress);
        const readable = problems.length === 0 &&
            (await attempt(async () => {
                contentSize = await source.check();
            }));
        return { checksum, readable, source };
    });
    if (readable && level === 'full') {
        await (0,logger/* inSection */.Z)(context.log, `Test restore into a scratch ${engineKind} database`, async () => {
            context.log.info(`Restoring ${backup.name} into a scratch ${engineKind} database`);
            const scratch = await scratchFor(engineKind, config, context);
            try {
                await attempt(async () => {
                    const restored = await scratch.engine.restore(source);
                    warnings.push(...(restored.notes ?? []));
                    tables = compareTables(backup.manifest?.tables, restored.info.tables);
                    for (const table of tables)
                        if (table.status !== 'ok')
                            problems.push(`table ${table.name}: ${table.status}`);
                    checks = await runSqlChecks(scratch.engine, config.verifySql);
                    for (const check of checks)
                        if (!check.passed)
                            problems.push(`check failed: ${check.sql} → ${check.result}`);
                });
            }
            finally {
                await scratch.dispose().catch((error) => {
                    warnings.push(`the scratch database could not be removed: ${(0,secrets/* redact */.E$)(error.message)}`);
                });
            }
        });
    }
    return {
        command: 'verify',
        name: backup.name,
        level,
        verified: problems.length === 0,
        checksum,
        contentSize,
        tables,
        checks,
        problems,
        warnings,
        durationMs: Date.now() - started,
    };
}

;// CONCATENATED MODULE: ./src/commands/run.ts








/** Runs one command (the CLI and the action import this only when a command runs). */
async function runCommand(config, context) {
    // Whole copies of a database that a killed run (SIGKILL) left in the temporary directory go first.
    for (const dir of await (0,files/* removeStaleTemporaryDirectories */.Ah)())
        context.log.info(`Removed ${dir}, left by an interrupted run`);
    // Every command may unpack or download into it (verify, a restore from a remote target, retention's checks).
    (0,files/* assertTemporaryDirectoryOutside */.EJ)(config.backupDir);
    switch (config.command) {
        case 'backup':
            return config.serverDatabases
                ? runServerBackup(config, config.serverDatabases, context)
                : (0,commands_backup/* runBackup */.Q3)(config, context);
        case 'restore':
            return runRestore(config, context);
        case 'verify':
            return runVerify(config, context);
        case 'list':
            return runList(config, context);
        case 'prune':
            return runPrune(config, context);
        case 'status':
            return runStatus(config, context);
    }
}


/***/ }),

/***/ 41322:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Z: () => (/* binding */ inSection)
/* harmony export */ });
/** `work` as a phase of the log, when the log has phases. */
function inSection(log, title, work) {
    return log.section ? log.section(title, work) : work();
}


/***/ }),

/***/ 52359:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   MZ: () => (/* binding */ serializeManifest),
/* harmony export */   Ng: () => (/* binding */ parseManifest),
/* harmony export */   VK: () => (/* binding */ MANIFEST_FORMAT_VERSION),
/* harmony export */   j4: () => (/* binding */ heldRows)
/* harmony export */ });
/* harmony import */ var _dump_format_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(47082);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(10241);


const MANIFEST_FORMAT_VERSION = 1;
/** Whether the backup held any row: its `empty` flag, or (older manifests) its tables. */
function heldRows(manifest) {
    if (manifest.empty !== undefined)
        return !manifest.empty;
    return manifest.tables.some((table) => table.rows > 0);
}
function isObject(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/** Reads a manifest, refusing anything that does not have the fields restore and verify rely on. */
function parseManifest(text, source) {
    let data;
    try {
        data = JSON.parse(text);
    }
    catch {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`The manifest ${source} is not valid JSON: restore the backup without it by removing the file, or fetch it again.`);
    }
    const problem = manifestProblem(data);
    if (problem)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`The manifest ${source} is not usable (${problem}).`);
    return data;
}
function manifestProblem(data) {
    if (!isObject(data))
        return 'not an object';
    if (typeof data.formatVersion !== 'number' || data.formatVersion > MANIFEST_FORMAT_VERSION) {
        return `format version ${String(data.formatVersion)} is not one this tool reads; upgrade db-backup`;
    }
    if (data.engine !== 'sqlite' && data.engine !== 'postgres')
        return 'unknown engine';
    const file = data.file;
    if (!isObject(file) ||
        typeof file.size !== 'number' ||
        typeof file.sha256 !== 'string' ||
        !/^[0-9a-f]{64}$/.test(file.sha256)) {
        return 'missing file size or sha256';
    }
    if (!Array.isArray(data.tables))
        return 'missing tables';
    if (data.format !== undefined && !_dump_format_js__WEBPACK_IMPORTED_MODULE_0__/* .DUMP_FORMATS */ .Md.includes(data.format))
        return `unknown format ${JSON.stringify(data.format)}; upgrade db-backup`;
    if (data.identity !== undefined) {
        const identity = data.identity;
        if (!isObject(identity) ||
            identity.engine !== data.engine ||
            typeof identity.database !== 'string' ||
            (identity.name !== undefined && typeof identity.name !== 'string'))
            return 'an identity without engine or database';
    }
    if (data.empty !== undefined && typeof data.empty !== 'boolean')
        return 'empty is not true or false';
    for (const table of data.tables) {
        if (!isObject(table) || typeof table.name !== 'string' || typeof table.rows !== 'number') {
            return 'a table entry without name or rows';
        }
    }
    return undefined;
}
function serializeManifest(manifest) {
    return `${JSON.stringify(manifest, null, 2)}\n`;
}


/***/ }),

/***/ 50229:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   c: () => (/* binding */ NO_PROGRESS)
/* harmony export */ });
const IDLE_TASK = { advance: () => undefined, end: () => undefined };
/** Shows nothing: `--quiet`, tests, and callers that were given no progress. */
const NO_PROGRESS = { start: () => IDLE_TASK };


/***/ }),

/***/ 9319:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  FP: () => (/* binding */ chooseServerDatabases),
  P: () => (/* binding */ createEngine),
  KI: () => (/* binding */ createScratchDatabase),
  Yl: () => (/* reexport */ githubRunnerInstaller)
});

// EXTERNAL MODULE: ./src/engines/postgres/options.ts
var options = __webpack_require__(2161);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
var promises_default = /*#__PURE__*/__webpack_require__.n(promises_);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/domain/errors.ts
var errors = __webpack_require__(10241);
// EXTERNAL MODULE: ./src/fs/files.ts
var files = __webpack_require__(18176);
// EXTERNAL MODULE: ./src/engines/sqlite-driver.ts
var sqlite_driver = __webpack_require__(2022);
;// CONCATENATED MODULE: ./src/engines/sqlite-wal-hint.ts


/** Bytes 18 and 19 of a SQLite header are 2 in WAL mode (1 for a rollback journal). */
function inWalMode(file) {
    let fd;
    try {
        fd = (0,external_node_fs_.openSync)(file, 'r');
        const versions = Buffer.alloc(2);
        return (0,external_node_fs_.readSync)(fd, versions, 0, 2, 18) === 2 && versions[0] === 2 && versions[1] === 2;
    }
    catch {
        return false;
    }
    finally {
        if (fd !== undefined)
            (0,external_node_fs_.closeSync)(fd);
    }
}
function writable(target) {
    try {
        (0,external_node_fs_.accessSync)(target, external_node_fs_.constants.W_OK);
        return true;
    }
    catch {
        return false;
    }
}
/**
 * Even a read-only connection to a WAL database needs the `-shm` file beside
 * it, and SQLite creates it when it is missing: a backup user who may read the
 * database but not write its directory gets "attempt to write a readonly
 * database". Says what to change, or nothing when that is not the cause.
 */
function walDirectoryHint(file) {
    if (!inWalMode(file))
        return undefined;
    const name = external_node_path_default().basename(file);
    const dir = external_node_path_default().dirname(file);
    const who = typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
    if (!(0,external_node_fs_.existsSync)(`${file}-shm`) && !writable(dir)) {
        return `${name} is a WAL-mode database and SQLite must create ${name}-shm beside it to read it, but this user${who} cannot write ${dir}: run the backup as the user that owns the database, or give this user write access to that directory (a group with write permission works). Nothing was changed.`;
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/engines/sqlite-side-files.ts




/**
 * Reading a WAL-mode database makes SQLite create its `-wal` and `-shm` beside
 * it when they are not there (nothing has the database open), with the
 * database's mode but owned by the reading user. Made by a backup user that is
 * not the database's owner, they stay so after the backup, and the
 * application then opens them read-only: every write fails ("attempt to write
 * a readonly database") until they are gone. Root is spared: SQLite gives
 * them the database's owner.
 *
 * Handing them over afterwards cannot be made safe (a group member can swap a
 * link in, ACLs hide the group's rights, an application that connected
 * meanwhile stays read-only), so such a read is refused instead, before
 * SQLite opens anything.
 */
async function assertSideFilesStayTheOwners(file) {
    const uid = process.getuid?.();
    if (uid === undefined || uid === 0)
        return;
    // SQLite makes them beside the file a link leads to.
    const real = await promises_default().realpath(file).catch(() => undefined);
    if (real === undefined)
        return;
    const database = await promises_default().stat(real).catch(() => undefined);
    if (!database || database.uid === uid || !inWalMode(real))
        return;
    const missing = [];
    for (const suffix of ['-wal', '-shm']) {
        if (!(await promises_default().lstat(`${real}${suffix}`).catch(() => undefined)))
            missing.push(suffix);
    }
    if (missing.length === 0)
        return;
    const name = external_node_path_default().basename(real);
    const made = missing.map((suffix) => `${name}${suffix}`).join(' and ');
    throw new errors/* UserError */.yo(`Cannot read ${name} as this user (uid ${uid}) now: it is in WAL mode and ${made} ${missing.length > 1 ? 'are' : 'is'} not there (nothing has it open), so SQLite would create ${missing.length > 1 ? 'them' : 'it'} owned by this user, and the database's owner (uid ${database.uid}) could no longer write to it. Run the backup as the owner of ${name} (or as root). Nothing was changed.`);
}

// EXTERNAL MODULE: external "node:worker_threads"
var external_node_worker_threads_ = __webpack_require__(75919);
;// CONCATENATED MODULE: ./src/engines/sqlite-check-thread.ts

// CommonJS, evaluated in the worker: no file of its own to find inside a bundle.
const CHECK_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// Node 22 calls its SQLite experimental: the check is internal, its warning would only alarm.
process.removeAllListeners('warning');
function check() {
  let sqlite;
  try {
    sqlite = process.getBuiltinModule('node:sqlite');
  } catch {
    sqlite = undefined;
  }
  if (!sqlite) return undefined;
  // Read-write, as the in-process check opens it: on a read-only connection SQLite's
  // quick_check leaves CHECK constraints out. Nothing is written; the snapshot is private.
  // mode=rw: a file that is not there is an error, never a new empty database.
  const url = require('node:url').pathToFileURL(workerData.file);
  url.search = 'mode=rw';
  const db = new sqlite.DatabaseSync(url);
  try {
    return db
      .prepare('PRAGMA quick_check')
      .all()
      .map((row) => String(Object.values(row)[0]))
      .filter((line) => line !== 'ok');
  } finally {
    db.close();
  }
}
let problems;
try {
  problems = check();
} catch (error) {
  problems = undefined;
}
parentPort.postMessage({ problems });
`;
function startQuickCheck(file) {
    let worker;
    const problems = new Promise((resolve) => {
        try {
            // An empty environment: the check needs none of the job's settings.
            worker = new external_node_worker_threads_.Worker(CHECK_SOURCE, { eval: true, workerData: { file }, env: {} });
        }
        catch {
            resolve(undefined);
            return;
        }
        worker.once('message', (message) => resolve(message.problems));
        worker.once('error', () => resolve(undefined));
        worker.once('exit', () => resolve(undefined));
    });
    return {
        problems,
        stop: async () => {
            await worker?.terminate();
        },
    };
}

// EXTERNAL MODULE: ./src/engines/sqlite-integrity.ts
var sqlite_integrity = __webpack_require__(84909);
;// CONCATENATED MODULE: ./src/engines/sqlite.ts










const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** A page count larger than any database: the whole copy happens in one step, under one read lock. */
const ALL_PAGES = 0x7fffffff;
const BUSY_TIMEOUT_MS = 10_000;
const SNAPSHOT_READ_SIZE = 1024 * 1024;
class SqliteEngine {
    location;
    log;
    kind = 'sqlite';
    keepsOwnSafetyCopy = true;
    constructor(location, log) {
        this.location = location;
        this.log = log;
    }
    get file() {
        return this.location.path;
    }
    async exists() {
        return (0,files/* exists */.t2)(this.file);
    }
    async holdsData() {
        const stat = await promises_default().stat(this.file).catch(() => undefined);
        return stat !== undefined && stat.size > 0;
    }
    /**
     * A consistent snapshot through SQLite's online backup API, taken in one
     * step from a read-only connection: it sees committed WAL content, never
     * checkpoints, and leaves the live database's -wal/-shm files alone. The
     * snapshot is a whole, unencrypted copy: it goes into `workDir`, a private
     * temporary directory, never beside the backups.
     */
    async dump(workDir, hooks = {}) {
        await this.assertIsSqliteFile();
        const Database = await (0,sqlite_driver/* loadSqlite */.T)();
        const snapshot = (0,files/* tempPathIn */.Xk)(workDir, 'snapshot-');
        try {
            // Created first so the copy of production data is private from its first byte.
            await promises_default().writeFile(snapshot, '', { mode: files/* FILE_MODE */.rE, flag: 'wx' });
            await this.readLive(async () => {
                const source = new Database(this.file, {
                    readonly: true,
                    fileMustExist: true,
                    timeout: BUSY_TIMEOUT_MS,
                });
                try {
                    await source.backup(snapshot, { progress: () => ALL_PAGES });
                }
                finally {
                    source.close();
                }
            });
            // A damaged database must not become the newest backup and push the good ones out of the window.
            // Its check runs on a thread of its own while the snapshot is compressed; a sanitized
            // copy is checked first, since it rewrites the snapshot.
            const rewrite = hooks.rewriteSnapshot;
            if (rewrite) {
                await assertSnapshotSound(snapshot, this.file, this.log);
                await rewrite(snapshot);
            }
            const { size } = await promises_default().stat(snapshot);
            const check = rewrite ? undefined : startQuickCheck(snapshot);
            let info;
            try {
                info = await inspectFile(snapshot);
            }
            catch (error) {
                await check?.stop();
                await assertSnapshotSound(snapshot, this.file, this.log);
                throw error;
            }
            const assertSourceSound = async () => {
                if (check)
                    await assertSnapshotSound(snapshot, this.file, this.log, await check.problems);
            };
            return {
                // Reads of 1 MiB, not 64 KiB: fewer trips through the thread pool (measured: 0.5 s of 7).
                stream: (0,external_node_fs_.createReadStream)(snapshot, { highWaterMark: SNAPSHOT_READ_SIZE }),
                expectedSize: { bytes: size, estimate: false },
                finish: async () => {
                    await assertSourceSound();
                    return info;
                },
                assertSourceSound,
                dispose: async () => {
                    await check?.stop();
                    await removeSqliteFiles(snapshot);
                },
            };
        }
        catch (error) {
            await removeSqliteFiles(snapshot);
            const code = error?.code;
            if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
                throw new errors/* JobFailure */.y3(`No room for a snapshot of ${external_node_path_default().basename(this.file)} in the temporary directory ${external_node_path_default().dirname(workDir)}: set TMPDIR to a directory on a disk with room for a copy of the database. Nothing was kept or pruned.`);
            }
            throw describeSqliteError(error, this.file);
        }
    }
    async evaluate(sql) {
        return this.readLive(() => withDatabase(this.file, true, (db) => {
            const row = db.prepare(sql).raw().get();
            return row?.[0];
        }));
    }
    async inspect() {
        await this.assertIsSqliteFile();
        return this.readLive(() => inspectFile(this.file, { readonly: true }));
    }
    /**
     * A read of the live database, refused first when SQLite would leave side
     * files its owner cannot write (see sqlite-side-files.ts).
     */
    async readLive(read) {
        await assertSideFilesStayTheOwners(this.file);
        return read();
    }
    /**
     * Unpacks the whole backup beside the target, checks it, keeps the current
     * database as `<db>.before-restore`, then swaps the new file in with one
     * rename. The old database's -wal/-shm are emptied first so that they can
     * never be applied to the new file. A target that is a symbolic link
     * (app.db -> /data/app.db) is restored into the file it leads to, in that
     * file's directory; the link stays as it is.
     */
    async restore(source, hooks = {}) {
        const file = await this.restoreTarget();
        const dir = external_node_path_default().dirname(file);
        await assertWritableDirectory(dir, file);
        // Unpacked copies a killed restore (SIGKILL, power loss) left beside the database a day ago or more.
        await (0,files/* removeStaleTemps */.jH)(dir);
        const incoming = (0,files/* tempPathIn */.Xk)(dir, 'restore-');
        let replaced = false;
        try {
            await source.decodeToFile(incoming);
            if (!(await hasSqliteHeader(incoming))) {
                throw new errors/* UserError */.yo(`${source.name} does not hold a SQLite database: nothing was changed.`);
            }
            const note = await assertIntegrity(incoming, source.name);
            const info = await inspectFile(incoming);
            await hooks.beforeChange?.();
            let previousCopy;
            const current = await promises_default().stat(file).catch(() => undefined);
            if (current) {
                if (!current.isFile())
                    throw new errors/* UserError */.yo(`${file} is not a file: nothing was changed.`);
                previousCopy = await keepPreviousCopy(file);
                // The application keeps its file: same owner (when we may set it) and mode.
                await promises_default().chown(incoming, current.uid, current.gid).catch(() => undefined);
                await promises_default().chmod(incoming, current.mode & 0o777);
            }
            await promises_default().rename(incoming, file);
            replaced = true;
            await (0,files/* fsyncDir */.t_)(dir);
            return {
                info,
                ...(previousCopy === undefined ? {} : { previousCopy }),
                ...(note === undefined ? {} : { notes: [note] }),
            };
        }
        catch (error) {
            const code = error?.code;
            if (!replaced && (code === 'ENOSPC' || code === 'SQLITE_FULL')) {
                // Every step before the one rename writes beside the database, never into it.
                const name = external_node_path_default().basename(file);
                throw new errors/* JobFailure */.y3(`The disk holding ${name} is full: the restore could not write ${name}.before-restore (the safety copy) and the restored database beside it, so ${name} was not changed; free space (about twice its size) and retry.`);
            }
            throw describeSqliteError(error, file);
        }
        finally {
            await removeSqliteFiles(incoming);
        }
    }
    /**
     * The file a restore replaces, with every symbolic link on the way
     * followed (a link, a chain of links, a linked directory): replacing the
     * link itself would leave the real database untouched. A link that leads
     * nowhere is refused.
     */
    async restoreTarget() {
        const dir = external_node_path_default().dirname(this.file);
        if (!(await (0,files/* exists */.t2)(dir))) {
            throw new errors/* UserError */.yo(`The directory ${dir} does not exist: create it, or fix the database URL.`);
        }
        const link = await promises_default().lstat(this.file).catch(() => undefined);
        if (link === undefined)
            return external_node_path_default().join(await promises_default().realpath(dir), external_node_path_default().basename(this.file));
        try {
            return await promises_default().realpath(this.file);
        }
        catch (error) {
            const code = error.code;
            const leadsTo = await promises_default().readlink(this.file).catch(() => '?');
            if (code === 'ELOOP') {
                throw new errors/* UserError */.yo(`${this.file} is a loop of symbolic links: fix the link or the database URL. Nothing was changed.`);
            }
            throw new errors/* UserError */.yo(`${this.file} is a symbolic link to ${leadsTo}, which does not exist: fix the link (or point the database URL at the real file). Nothing was changed.`);
        }
    }
    async assertIsSqliteFile() {
        const stat = await promises_default().stat(this.file).catch(() => undefined);
        if (!stat && (await promises_default().lstat(this.file).catch(() => undefined))?.isSymbolicLink()) {
            const leadsTo = await promises_default().readlink(this.file).catch(() => '?');
            throw new errors/* UserError */.yo(`The SQLite database ${this.file} is a symbolic link to ${leadsTo}, which does not exist: fix the link or DATABASE_URL.`);
        }
        if (!stat) {
            throw new errors/* UserError */.yo(`The SQLite database ${this.file} does not exist: check DATABASE_URL (relative paths start from ${process.cwd()}).`);
        }
        if (!stat.isFile())
            throw new errors/* UserError */.yo(`${this.file} is not a file.`);
        if (stat.size > 0 && !(await hasSqliteHeader(this.file))) {
            throw new errors/* UserError */.yo(`${this.file} is not a SQLite database.`);
        }
    }
}
/**
 * Copies the current database byte for byte to `<db>.before-restore`: its
 * WAL is checkpointed into the main file first, and the copy is taken under
 * a read lock so no writer or checkpoint changes the file meanwhile. A busy
 * database stops the restore. Only a file too damaged for SQLite to read is
 * copied as it lies, with its -wal and -journal beside the copy (restoring is
 * what one does to a damaged database). The copy keeps the database's mode
 * and is on disk (fsynced) before the database is replaced.
 */
async function keepPreviousCopy(file) {
    const dir = external_node_path_default().dirname(file);
    const copy = `${file}.before-restore`;
    // Another process holding the database is found before anything is written.
    await assertNotHeld(file);
    const temp = (0,files/* tempPathIn */.Xk)(dir, 'before-restore-');
    try {
        let damaged = false;
        try {
            await copyUnderReadLock(file, temp);
        }
        catch (error) {
            if (!isDamagedDatabase(error))
                throw error;
            damaged = true;
            await (0,files/* removeQuietly */.S2)(temp);
            await promises_default().copyFile(file, temp);
            for (const suffix of SIDE_JOURNALS) {
                if (await (0,files/* exists */.t2)(`${file}${suffix}`))
                    await promises_default().copyFile(`${file}${suffix}`, `${temp}${suffix}`);
            }
        }
        for (const suffix of ['', ...SIDE_JOURNALS]) {
            if (await (0,files/* exists */.t2)(`${temp}${suffix}`))
                await (0,files/* fsyncFile */.o7)(`${temp}${suffix}`);
        }
        await keepOlderCopy(copy);
        for (const suffix of SIDE_JOURNALS) {
            if (await (0,files/* exists */.t2)(`${temp}${suffix}`))
                await promises_default().rename(`${temp}${suffix}`, `${copy}${suffix}`);
        }
        await promises_default().rename(temp, copy);
        await (0,files/* fsyncDir */.t_)(dir);
        if (damaged) {
            // Their content is kept beside the copy; here they must not be replayed onto the new file.
            for (const suffix of [...SIDE_JOURNALS, '-shm'])
                await (0,files/* removeQuietly */.S2)(`${file}${suffix}`);
        }
        else {
            await settleSideFiles(file);
        }
        return copy;
    }
    finally {
        await removeSqliteFiles(temp);
    }
}
async function copyUnderReadLock(file, target) {
    const Database = await (0,sqlite_driver/* loadSqlite */.T)();
    const current = new Database(file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    try {
        if (String(current.pragma('journal_mode', { simple: true })) === 'wal') {
            const [result] = current.pragma('wal_checkpoint(TRUNCATE)');
            if (result?.busy) {
                throw new errors/* UserError */.yo(`${external_node_path_default().basename(file)} is in use by another process: stop the application, then restore.`);
            }
        }
        current.exec('BEGIN');
        try {
            current.prepare('SELECT count(*) FROM sqlite_schema').get();
            await promises_default().copyFile(file, target);
        }
        finally {
            current.exec('COMMIT');
        }
    }
    finally {
        current.close();
    }
}
/** Opens and closes the database once: side files left behind mean another process has it open. */
async function assertNotHeld(file) {
    const Database = await (0,sqlite_driver/* loadSqlite */.T)();
    try {
        const probe = new Database(file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
        try {
            if (String(probe.pragma('journal_mode', { simple: true })) === 'wal')
                probe.pragma('wal_checkpoint(PASSIVE)');
            else
                assertNoLockHeld(probe, file);
        }
        finally {
            probe.close();
        }
    }
    catch (error) {
        if (isDamagedDatabase(error))
            return;
        throw error;
    }
    await settleSideFiles(file);
}
/**
 * A rollback-journal database another process reads in an open transaction,
 * or is about to write (a reserved lock), leaves no file behind: an exclusive
 * lock, taken and let go at once, waits up to the busy timeout for it to end.
 */
function assertNoLockHeld(probe, file) {
    try {
        probe.exec('BEGIN EXCLUSIVE');
        probe.exec('ROLLBACK');
    }
    catch (error) {
        const code = error?.code;
        if (code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED')
            throw error;
        throw new errors/* UserError */.yo(`${external_node_path_default().basename(file)} is held by another process (its lock stayed for ${BUSY_TIMEOUT_MS / 1000} s): stop the application, then restore again. Nothing was changed.`);
    }
}
/**
 * Our connection was the last one if SQLite removed the -wal and -shm when
 * it closed. Side files left behind mean another process has the database
 * open (or wrote meanwhile): the restore stops rather than pull the file
 * from under it. A -journal is only ever present during a write.
 */
async function settleSideFiles(file) {
    for (const suffix of ['-journal', '-wal', '-shm']) {
        const side = `${file}${suffix}`;
        if (await (0,files/* exists */.t2)(side)) {
            throw new errors/* UserError */.yo(`${external_node_path_default().basename(file)} is open in another process (${external_node_path_default().basename(side)} is present): stop the application, then restore again. Nothing was changed.`);
        }
    }
}
/**
 * A restore writes the restored database and the safety copy beside the
 * target, then swaps: a directory this process may not write in is refused
 * before the backup is read, with nothing changed.
 */
async function assertWritableDirectory(dir, file) {
    const name = external_node_path_default().basename(file);
    const current = await promises_default().stat(file).catch(() => undefined);
    const writes = current
        ? `the restored database and ${name}.before-restore there before it swaps them`
        : 'the restored database there';
    try {
        await promises_default().access(dir, external_node_fs_.constants.W_OK | external_node_fs_.constants.X_OK);
    }
    catch (error) {
        const code = error.code;
        if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS')
            throw error;
        const why = code === 'EROFS' ? 'is on a read-only file system' : 'is not writable by this user';
        throw new errors/* UserError */.yo(`Cannot restore ${name}: its directory ${dir} ${why}, and a restore writes ${writes}. Run as a user who may write in that directory, or make it writable. Nothing was changed.`);
    }
    // The restored file is this user's: another user's database would no longer be its owner's.
    // In a sticky directory (as /tmp) only a file's or the directory's owner may even replace it.
    const uid = process.getuid?.();
    if (!current || uid === undefined || uid === 0)
        return;
    const directory = await promises_default().stat(dir);
    const sticky = (directory.mode & 0o1000) !== 0 && directory.uid !== uid;
    if (current.uid !== uid) {
        throw new errors/* UserError */.yo(sticky
            ? `Cannot restore ${name}: it belongs to another user, and its directory ${dir} has the sticky bit (as /tmp does), so only that user may replace it. Run the restore as the owner of ${name}. Nothing was changed.`
            : `Cannot restore ${name}: it belongs to another user (uid ${current.uid}), and the restored file would belong to this one (uid ${uid}; only root may give a file to another user), so its owner could no longer write to it. Run the restore as the owner of ${name}, or as root. Nothing was changed.`);
    }
    if (!sticky)
        return;
    for (const suffix of ['', '-wal', '-journal', '-shm']) {
        const earlier = await promises_default().lstat(`${file}.before-restore${suffix}`).catch(() => undefined);
        if (earlier && earlier.uid !== uid) {
            throw new errors/* UserError */.yo(`Cannot restore ${name}: ${name}.before-restore${suffix}, ${suffix ? 'beside ' : ''}an earlier safety copy, belongs to another user, and its directory ${dir} has the sticky bit (as /tmp does), so this restore may not move it aside to keep it. Have its owner move or remove it, or run the restore as that user. Nothing was changed.`);
        }
    }
}
/**
 * An earlier safety copy is never overwritten: it moves to
 * `<db>.before-restore.<time>`, with its -wal and -journal (a damaged
 * database's copy keeps them beside it), so that none of them is ever read as
 * part of the new copy. Side files without a copy move aside the same way.
 */
async function keepOlderCopy(copy) {
    const present = [];
    for (const suffix of ['', ...SIDE_JOURNALS, '-shm']) {
        if (await promises_default().lstat(`${copy}${suffix}`).catch(() => undefined))
            present.push(suffix);
    }
    if (present.length === 0)
        return;
    const stat = await promises_default().lstat(`${copy}${present[0]}`);
    const stamp = stat.mtime.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
    // lstat, not exists: a dangling link at a name takes that name too.
    const taken = async (name) => {
        for (const suffix of ['', ...SIDE_JOURNALS, '-shm'])
            if (await promises_default().lstat(`${name}${suffix}`).catch(() => undefined))
                return true;
        return false;
    };
    let aside = `${copy}.${stamp}`;
    for (let n = 1; await taken(aside); n += 1)
        aside = `${copy}.${stamp}_${n}`;
    for (const suffix of present)
        await promises_default().rename(`${copy}${suffix}`, `${aside}${suffix}`);
}
const SIDE_JOURNALS = ['-wal', '-journal'];
/** SQLite could not read the file at all: only then is a plain copy the right safety copy. */
function isDamagedDatabase(error) {
    const code = error?.code;
    return (typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB'));
}
async function hasSqliteHeader(file) {
    const handle = await promises_default().open(file, 'r');
    try {
        const { buffer, bytesRead } = await handle.read(Buffer.alloc(16), 0, 16, 0);
        return bytesRead === 16 && buffer.equals(SQLITE_HEADER);
    }
    finally {
        await handle.close();
    }
}
/**
 * Fails the backup when the snapshot fails `quick_check`. `threadVerdict` is the
 * check thread's answer: only "sound" is taken from it; a problem, or no answer,
 * is decided by checking here, with the driver the rest of the tool uses.
 */
async function assertSnapshotSound(snapshot, file, log, threadVerdict) {
    if (threadVerdict?.length === 0)
        return;
    const integrity = await integrityOf(snapshot, 'quick_check');
    if (integrity.problems.length > 0) {
        throw new errors/* JobFailure */.y3(`${external_node_path_default().basename(file)} fails SQLite's integrity check (${integrity.problems.slice(0, 3).join('; ')}): no backup was kept and nothing was pruned. Restore a good backup, or repair the database (sqlite3 DB .recover).`);
    }
    const note = (0,sqlite_integrity/* uncheckedNote */.BH)(external_node_path_default().basename(file), integrity);
    if (note)
        log?.warn(note);
}
async function withDatabase(file, readonly, use) {
    const Database = await (0,sqlite_driver/* loadSqlite */.T)();
    const db = new Database(file, { readonly, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    try {
        return use(db);
    }
    finally {
        db.close();
    }
}
/** Refused (nothing changed) when `file` fails the integrity check; a note when part of it could not run. */
async function assertIntegrity(file, label) {
    const integrity = await integrityOf(file);
    if (integrity.problems.length > 0) {
        throw new errors/* UserError */.yo(`${label} fails SQLite's integrity check (${integrity.problems.slice(0, 3).join('; ')}): nothing was changed.`);
    }
    return (0,sqlite_integrity/* uncheckedNote */.BH)(label, integrity);
}
/** SQLite's integrity check of a file, on a read-write connection (see checkIntegrity). */
async function integrityOf(file, check = 'integrity_check') {
    try {
        return await withDatabase(file, false, (db) => (0,sqlite_integrity/* checkIntegrity */._D)(db, check));
    }
    catch (error) {
        return { problems: [error.message] };
    }
}
/** Version, tables and row counts. Virtual tables whose module is missing are skipped. */
async function inspectFile(file, options = {}) {
    return withDatabase(file, options.readonly ?? false, (db) => {
        const serverVersion = String(db.prepare('SELECT sqlite_version() AS v').get().v);
        const names = db
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
            .pluck()
            .all();
        const tables = [];
        for (const name of names) {
            try {
                const rows = db
                    .prepare(`SELECT count(*) FROM "${name.replace(/"/g, '""')}"`)
                    .pluck()
                    .get();
                tables.push({ name, rows: Number(rows) });
            }
            catch {
                // A virtual table whose module this build lacks cannot be counted; its shadow tables are.
            }
        }
        return { serverVersion, tables };
    });
}
async function removeSqliteFiles(file) {
    for (const suffix of ['', '-wal', '-shm', '-journal'])
        await (0,files/* removeQuietly */.S2)(`${file}${suffix}`);
}
function describeSqliteError(error, file) {
    if ((0,errors/* isWorded */.UD)(error))
        return error;
    const code = error?.code ?? '';
    const name = external_node_path_default().basename(file);
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
        return new errors/* UserError */.yo(`${name} stayed locked by another process for ${BUSY_TIMEOUT_MS / 1000} s: retry when it is less busy.`);
    }
    if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')) {
        const hint = walDirectoryHint(file);
        if (hint)
            return new errors/* UserError */.yo(hint);
    }
    if (code === 'SQLITE_NOTADB')
        return new errors/* UserError */.yo(`${file} is not a SQLite database.`);
    if (code === 'SQLITE_CORRUPT')
        return new errors/* UserError */.yo(`${file} is corrupt: ${error.message}.`);
    if (code === 'SQLITE_CANTOPEN')
        return new errors/* UserError */.yo(`Cannot open ${file}: ${error.message}.`);
    if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
        return new errors/* JobFailure */.y3(`The disk is full while copying ${name}: nothing was kept; free space and retry.`);
    }
    return error;
}

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
var external_node_os_default = /*#__PURE__*/__webpack_require__.n(external_node_os_);
// EXTERNAL MODULE: ./src/process/child-processes.ts
var child_processes = __webpack_require__(48415);
// EXTERNAL MODULE: ./src/domain/secrets.ts
var secrets = __webpack_require__(7513);
;// CONCATENATED MODULE: ./src/engines/postgres/install-client.ts





const PGDG_KEY_URL = 'https://www.postgresql.org/media/keys/ACCC4CF8.asc';
const PGDG_KEYRING = '/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc';
const PGDG_LIST = '/etc/apt/sources.list.d/pgdg.list';
const DEBIAN_ARCH = {
    x64: { deb: 'amd64', triplet: 'x86_64-linux-gnu' },
    arm64: { deb: 'arm64', triplet: 'aarch64-linux-gnu' },
};
/**
 * How to get postgresql-client-<major> on an Ubuntu runner without touching the
 * system's PostgreSQL: add the PostgreSQL apt repository (PGDG) if missing,
 * download the client and libpq packages, and unpack them into a private
 * directory that @actions/cache can keep for later runs.
 */
function planClientInstall(major, options) {
    const arch = DEBIAN_ARCH[options.arch] ?? {
        deb: options.arch,
        triplet: `${options.arch}-linux-gnu`,
    };
    const dir = external_node_path_default().join(options.toolCache, 'db-backup-postgresql-client', String(major), arch.deb);
    const source = `deb [signed-by=${PGDG_KEYRING}] https://apt.postgresql.org/pub/repos/apt ${options.codename}-pgdg main`;
    const download = external_node_path_default().join(dir, '.debs');
    return {
        key: `db-backup-postgresql-client-linux-${arch.deb}-${major}-v1`,
        dir,
        binDir: external_node_path_default().join(dir, 'usr/lib/postgresql', String(major), 'bin'),
        env: { LD_LIBRARY_PATH: external_node_path_default().join(dir, 'usr/lib', arch.triplet) },
        commands: [
            ['sudo', 'install', '-d', external_node_path_default().dirname(PGDG_KEYRING)],
            [
                'sudo',
                'curl',
                '--fail',
                '--silent',
                '--show-error',
                '--location',
                '-o',
                PGDG_KEYRING,
                PGDG_KEY_URL,
            ],
            ['sudo', 'sh', '-c', `echo "$1" > ${PGDG_LIST}`, 'sh', source],
            [
                'sudo',
                'apt-get',
                'update',
                '-qq',
                '-o',
                `Dir::Etc::sourcelist=${PGDG_LIST}`,
                '-o',
                'Dir::Etc::sourceparts=-',
                '-o',
                'APT::Get::List-Cleanup=0',
            ],
            ['mkdir', '-p', download],
            ['sh', '-c', `cd "$1" && apt-get download postgresql-client-${major} libpq5`, 'sh', download],
            ['sh', '-c', 'for deb in "$1"/*.deb; do dpkg-deb -x "$deb" "$2"; done', 'sh', download, dir],
            ['rm', '-rf', download],
        ],
    };
}
/** True on GitHub's own Linux runners, where installing packages is expected and allowed. */
function onGitHubHostedLinuxRunner(env = process.env) {
    return (env.GITHUB_ACTIONS === 'true' &&
        env.RUNNER_ENVIRONMENT === 'github-hosted' &&
        process.platform === 'linux');
}
async function ubuntuCodename() {
    const release = await promises_default().readFile('/etc/os-release', 'utf8').catch(() => '');
    return /^VERSION_CODENAME=(\S+)$/m.exec(release)?.[1]?.replace(/"/g, '') ?? 'noble';
}
/** The installer used by the action on GitHub-hosted runners; elsewhere none. */
function githubRunnerInstaller(log) {
    if (!onGitHubHostedLinuxRunner())
        return undefined;
    return async (major) => {
        const { restoreCache, saveCache } = await Promise.all(/* import() */[__webpack_require__.e(878), __webpack_require__.e(659), __webpack_require__.e(647), __webpack_require__.e(88), __webpack_require__.e(872)]).then(__webpack_require__.bind(__webpack_require__, 63872));
        const plan = planClientInstall(major, {
            arch: external_node_os_default().arch(),
            codename: await ubuntuCodename(),
            toolCache: process.env.RUNNER_TOOL_CACHE ?? external_node_os_default().tmpdir(),
        });
        const hit = await restoreCache([plan.dir], plan.key).catch(() => undefined);
        if (hit) {
            log.info(`Using postgresql-client-${major} from the actions cache (${plan.key})`);
            return { binDir: plan.binDir, env: plan.env };
        }
        log.info(`Installing postgresql-client-${major} from apt.postgresql.org into ${plan.dir}`);
        for (const [command, ...args] of plan.commands) {
            // Proxies and paths only: apt and curl need no secret of the run.
            if (command)
                await (0,child_processes/* runChild */.w$)('client-installer', command, args);
        }
        await saveCache([plan.dir], plan.key).catch((error) => {
            log.warn(`Could not cache postgresql-client-${major}: ${(0,secrets/* redact */.E$)(error.message)}`);
        });
        return { binDir: plan.binDir, env: plan.env };
    };
}

;// CONCATENATED MODULE: ./src/engines/index.ts



/**
 * The engine for a database. The PostgreSQL engine (and the `pg` client under
 * it) is imported only when a PostgreSQL database is used.
 */
async function createEngine(location, settings) {
    switch (location.engine) {
        case 'sqlite':
            return new SqliteEngine(location, settings.log);
        case 'postgres': {
            const { PostgresEngine } = await Promise.all(/* import() */[__webpack_require__.e(849), __webpack_require__.e(584), __webpack_require__.e(115), __webpack_require__.e(954)]).then(__webpack_require__.bind(__webpack_require__, 26954));
            return new PostgresEngine(location, {
                ...options/* DEFAULT_POSTGRES_OPTIONS */.fh,
                ...settings.postgres,
                installer: settings.installer,
                log: settings.log,
            });
        }
    }
}
/**
 * A new, empty PostgreSQL database on `server` for a test restore, and how to
 * drop it, which says whether it was there (with `create: false` only its
 * name: the restore creates it); `named` hears of it before it is created.
 * The PostgreSQL client loads only when one is made.
 */
async function createScratchDatabase(server, purpose, create = true, named) {
    const { createScratchDatabase: scratch } = await Promise.all(/* import() */[__webpack_require__.e(849), __webpack_require__.e(584), __webpack_require__.e(809)]).then(__webpack_require__.bind(__webpack_require__, 77809));
    return scratch(server, purpose, create, named);
}
/**
 * The databases of the PostgreSQL server `location` points at that a run over
 * several takes (`all`, or these names), and those it leaves out with why.
 * The PostgreSQL client loads only when asked.
 */
async function chooseServerDatabases(location, wanted) {
    const { chooseDatabases, listServerDatabases } = await Promise.all(/* import() */[__webpack_require__.e(849), __webpack_require__.e(584), __webpack_require__.e(103)]).then(__webpack_require__.bind(__webpack_require__, 71103));
    return chooseDatabases(await listServerDatabases(location), wanted, location);
}


/***/ }),

/***/ 2161:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   L$: () => (/* binding */ DEFAULT_LOCK_TIMEOUT_MS),
/* harmony export */   MY: () => (/* binding */ dumpFilters),
/* harmony export */   P0: () => (/* binding */ LOCK_WAIT_TIMEOUT_MS),
/* harmony export */   fh: () => (/* binding */ DEFAULT_POSTGRES_OPTIONS),
/* harmony export */   uH: () => (/* binding */ pgDumpArguments)
/* harmony export */ });
const DEFAULT_POSTGRES_OPTIONS = {
    pgDumpPath: undefined,
    includeRoles: false,
    schemas: [],
    excludeSchemas: [],
    tables: [],
    excludeTables: [],
    excludeTableData: [],
    format: 'plain',
    jobs: 1,
    restoreTables: [],
    restoreSchemas: [],
    dropDatabase: false,
    terminateConnections: false,
    createDatabase: false,
    owner: true,
    privileges: true,
    leaveOutMissingRoles: false,
    lockTimeoutMs: undefined,
    installer: undefined,
};
/** A restore gives up waiting for a lock after this long unless told otherwise (--lock-timeout). */
const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
/** How long pg_dump (--lock-wait-timeout) and the dump's own session wait for a table lock. */
const LOCK_WAIT_TIMEOUT_MS = 300_000;
/** The options that make a dump partial, as pg_dump arguments (recorded in the manifest). */
function dumpFilters(options) {
    return [
        ...options.schemas.map((pattern) => `--schema=${pattern}`),
        ...options.excludeSchemas.map((pattern) => `--exclude-schema=${pattern}`),
        ...options.tables.map((pattern) => `--table=${pattern}`),
        ...options.excludeTables.map((pattern) => `--exclude-table=${pattern}`),
        ...options.excludeTableData.map((pattern) => `--exclude-table-data=${pattern}`),
    ];
}
/**
 * pg_dump's arguments: plain SQL that replaces what it contains (--clean
 * --if-exists), with owners and privileges, as pg_dump makes a complete copy
 * (what a restore leaves out is chosen at restore time). An archive goes to
 * `archive.file` (a custom one without it: to stdout) uncompressed
 * (--compress=0: this tool's gzip or zstd stage compresses it, in parallel,
 * as it does SQL); pg_restore adds --clean.
 */
function pgDumpArguments(options, snapshot, lockWaitTimeoutMs = LOCK_WAIT_TIMEOUT_MS, archive) {
    const args = archive
        ? [
            `--format=${archive.format}`,
            '--compress=0',
            ...(archive.file === undefined ? [] : [`--file=${archive.file}`]),
            '--no-password',
        ]
        : ['--format=plain', '--no-password', '--clean', '--if-exists'];
    if (archive?.format === 'directory' && archive.jobs > 1)
        args.push(`--jobs=${archive.jobs}`);
    if (lockWaitTimeoutMs > 0)
        args.push(`--lock-wait-timeout=${lockWaitTimeoutMs}`);
    if (snapshot)
        args.push(`--snapshot=${snapshot}`);
    args.push(...dumpFilters(options));
    return args;
}


/***/ }),

/***/ 2022:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   T: () => (/* binding */ loadSqlite)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(73136);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_url__WEBPACK_IMPORTED_MODULE_1__);


let driver;
/**
 * better-sqlite3, loaded on first use. Its loader finds its prebuilt binary
 * through `__dirname`, which an ESM bundle lacks: define it first (the bundle
 * keeps the binaries in dist/prebuilds/, beside this code).
 */
async function loadSqlite() {
    if (driver)
        return driver;
    const scope = globalThis;
    scope.__dirname ??= node_path__WEBPACK_IMPORTED_MODULE_0___default().dirname((0,node_url__WEBPACK_IMPORTED_MODULE_1__.fileURLToPath)(import.meta.url));
    const loaded = (await __webpack_require__.e(/* import() */ 918).then(__webpack_require__.t.bind(__webpack_require__, 4918, 23)));
    driver = loaded.default;
    return driver;
}


/***/ }),

/***/ 84909:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   BH: () => (/* binding */ uncheckedNote),
/* harmony export */   HX: () => (/* binding */ withStandIns),
/* harmony export */   _D: () => (/* binding */ checkIntegrity)
/* harmony export */ });
/* unused harmony export missingFunction */
function attempts(requested) {
    const ladder = [
        { check: requested, checks: true },
        { check: requested, checks: false },
    ];
    if (requested === 'integrity_check') {
        // Only integrity_check evaluates index expressions.
        ladder.push({ check: 'quick_check', checks: true }, { check: 'quick_check', checks: false });
    }
    return ladder;
}
/**
 * `PRAGMA integrity_check` (or the faster `quick_check`) on `db`, which must be
 * a read-write connection: on a read-only one SQLite leaves CHECK constraints out.
 *
 * When the schema calls a function SQLite here lacks, the file-wide check runs
 * again with as little left out as lets it run (CHECK constraints, then index
 * contents), and then every table on its own (`integrity_check('table')`),
 * each down the same ladder: only what calls such a function goes unchecked,
 * so one REGEXP() never hides a broken constraint or index elsewhere.
 */
function checkIntegrity(db, requested) {
    const run = (pragma) => db.pragma(pragma, { simple: false })
        .map((row) => String(Object.values(row)[0]))
        .filter((line) => line !== 'ok');
    const functions = new Set();
    try {
        return { problems: run(requested) };
    }
    catch (error) {
        functions.add(unknownFunctionOrThrow(error));
    }
    /** The first attempt that runs: its problems and which it was; undefined when none can. */
    const firstThatRuns = (argument) => {
        for (const attempt of attempts(requested)) {
            db.pragma(`ignore_check_constraints = ${attempt.checks ? 'OFF' : 'ON'}`);
            try {
                return { problems: run(`${attempt.check}${argument}`), attempt };
            }
            catch (error) {
                functions.add(unknownFunctionOrThrow(error));
            }
            finally {
                db.pragma('ignore_check_constraints = OFF');
            }
        }
        return undefined;
    };
    const problems = new Set();
    const fileWide = firstThatRuns('');
    for (const problem of fileWide?.problems ?? [])
        problems.add(problem);
    const checksOf = [];
    const indexesOf = [];
    const tables = [];
    for (const table of ordinaryTables(db)) {
        const checked = firstThatRuns(`(${sqlString(table)})`);
        if (!checked) {
            tables.push(table);
            continue;
        }
        for (const problem of checked.problems)
            problems.add(problem);
        if (!checked.attempt.checks)
            checksOf.push(table);
        if (checked.attempt.check !== requested)
            indexesOf.push(table);
    }
    // Last: its stand-ins stay on this connection, and every check above needed to run without them.
    const structure = fileWide ? undefined : structureOnly(db, functions, run);
    for (const problem of structure ?? [])
        problems.add(problem);
    return {
        problems: [...problems],
        uncheckable: {
            functions: [...functions],
            checksOf,
            indexesOf,
            tables,
            fileWide: fileWide === undefined && structure === undefined,
        },
    };
}
/** What quick_check says of rows rather than of the file's pages: the per-table pass tells those. */
const ROW_PROBLEM = /^(?:NULL value in |non-\S+ value in |CHECK constraint failed in |row \d+ missing from index |wrong # of entries in index |non-unique entry in index )/;
/**
 * The file-wide part when even quick_check without CHECK constraints needs a
 * missing function (a generated column on it): run with a stand-in for each
 * that gives NULL, and keep only what it says of pages (two tables claiming
 * one, pages nobody owns, the free list). What it says of rows, computed from
 * the stand-ins, is no finding; the table-by-table pass checked the rows.
 */
function structureOnly(db, functions, run) {
    db.pragma('ignore_check_constraints = ON');
    try {
        return withStandIns(db, functions, () => () => null, () => run('quick_check')).filter((line) => !ROW_PROBLEM.test(line));
    }
    catch (error) {
        if (missingFunction(error) === undefined)
            throw error;
        return undefined;
    }
    finally {
        db.pragma('ignore_check_constraints = OFF');
    }
}
/**
 * Runs `work` (which must leave nothing behind when it fails) with a stand-in
 * for each function in `names`, and again with one more each time it fails
 * for a function SQLite here lacks (the application defines it: SQLite has no
 * REGEXP of its own). SQLite needs such a function to exist before it
 * prepares a statement that may call it; what the stand-in does when called
 * is `standIn`'s to say. `names` gains every function given one; a function
 * still missing once it has a stand-in fails as it did.
 */
function withStandIns(db, names, standIn, work) {
    const give = (name) => {
        db.function(name, { varargs: true, deterministic: true }, standIn(name));
    };
    for (const name of names)
        give(name);
    for (;;) {
        try {
            return work();
        }
        catch (error) {
            const name = missingFunction(error);
            if (name === undefined || names.has(name))
                throw error;
            names.add(name);
            give(name);
        }
    }
}
/**
 * The function a SQLite error says it lacks: "unknown function: REGEXP()" (as
 * a statement runs) or "no such function: REGEXP" (as it is prepared).
 */
function missingFunction(error) {
    const { code, message } = error;
    if (code !== 'SQLITE_ERROR' || typeof message !== 'string')
        return undefined;
    return /^(?:unknown|no such) function: ([^\s(]+)(?:\(\))?$/.exec(message)?.[1];
}
/** The function an error names as missing; any other error is thrown on. */
function unknownFunctionOrThrow(error) {
    const name = missingFunction(error);
    if (name === undefined)
        throw error;
    return name;
}
/** Tables with rows of their own (not virtual tables, whose module may be missing here). */
function ordinaryTables(db) {
    return db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")
        .pluck()
        .all();
}
const sqlString = (text) => `'${text.replace(/'/g, "''")}'`;
/** The warning for what could not be checked, or undefined when everything was. */
function uncheckedNote(name, integrity) {
    const left = integrity.uncheckable;
    if (!left)
        return undefined;
    const names = (tables) => tables.map((table) => JSON.stringify(table)).join(', ');
    const what = [
        left.checksOf.length > 0 ? `the CHECK constraints of ${names(left.checksOf)}` : undefined,
        left.indexesOf.length > 0
            ? `whether the indexes of ${names(left.indexesOf)} match their rows`
            : undefined,
        left.tables.length > 0 ? `the rows of ${names(left.tables)}` : undefined,
        left.fileWide
            ? "the file's pages as a whole (pages two tables claim, pages none owns, the free list)"
            : undefined,
    ].filter(Boolean);
    return `${name}: its schema calls ${left.functions.map((name) => `${name}()`).join(', ')}, which the application defines and SQLite here does not have, so ${what.length > 0 ? what.join(' and ') : 'what calls it'} could not be checked; the rest of SQLite's integrity check passed.`;
}


/***/ }),

/***/ 18176:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Ah: () => (/* binding */ removeStaleTemporaryDirectories),
/* harmony export */   De: () => (/* binding */ temporaryDirectory),
/* harmony export */   EJ: () => (/* binding */ assertTemporaryDirectoryOutside),
/* harmony export */   MX: () => (/* binding */ TEMP_PREFIX),
/* harmony export */   Rh: () => (/* binding */ writeNewTextFile),
/* harmony export */   S2: () => (/* binding */ removeQuietly),
/* harmony export */   Xk: () => (/* binding */ tempPathIn),
/* harmony export */   Yb: () => (/* binding */ publishAs),
/* harmony export */   _j: () => (/* binding */ DIR_MODE),
/* harmony export */   jH: () => (/* binding */ removeStaleTemps),
/* harmony export */   o7: () => (/* binding */ fsyncFile),
/* harmony export */   rE: () => (/* binding */ FILE_MODE),
/* harmony export */   rh: () => (/* binding */ ensurePrivateDir),
/* harmony export */   t: () => (/* binding */ publishWithoutOverwrite),
/* harmony export */   t2: () => (/* binding */ exists),
/* harmony export */   t_: () => (/* binding */ fsyncDir)
/* harmony export */ });
/* unused harmony export TEMP_DIR_PREFIX */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(48161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var _domain_errors_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(10241);
/* harmony import */ var _live_temps_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(42883);







const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
/** Temporary files start with this, so nothing mistakes them for backups. */
const TEMP_PREFIX = '.db-backup-tmp-';
const BACKUP_DIR = { what: 'backup directory', option: 'backup-dir' };
/** Creates the directory (and missing parents) with mode 0700. */
async function ensurePrivateDir(dir, role = BACKUP_DIR) {
    const { what, option } = role;
    const notADirectory = new _domain_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .UserError */ .yo(`The ${what} ${dir} is a file, not a directory: choose another ${option}.`);
    try {
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().mkdir(dir, { recursive: true, mode: DIR_MODE });
    }
    catch (error) {
        const code = error.code;
        if (code === 'EEXIST')
            throw notADirectory;
        // mkdir -p makes every missing directory, so ENOENT means a symbolic link that leads nowhere;
        // ENOTDIR, a file or such a link on the way (which of them, only the path itself tells).
        const blocked = code === 'ENOTDIR' ? await whatBlocks(dir) : code;
        if (blocked === 'ENOTDIR') {
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .UserError */ .yo(`The ${what} ${dir} cannot be made: a directory in its path is a file. Choose another ${option}.`);
        }
        if (blocked === 'ENOENT' || blocked === 'ELOOP') {
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .UserError */ .yo(`The ${what} ${dir} cannot be made: a symbolic link in its path leads ${blocked === 'ELOOP' ? 'round in a loop' : 'nowhere'}. Fix the link, or choose another ${option}.`);
        }
        if (code === 'EACCES' || code === 'EPERM') {
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .UserError */ .yo(`Cannot create the ${what} ${dir}: permission denied; choose another ${option} or fix its permissions.`);
        }
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .UserError */ .yo(`Cannot create the ${what} ${dir}: ${error.message}`);
    }
    const stat = await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().stat(dir);
    if (!stat.isDirectory())
        throw notADirectory;
    await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().access(dir, node_fs__WEBPACK_IMPORTED_MODULE_1__.constants.W_OK).catch(() => {
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .UserError */ .yo(`Cannot write to ${dir}: permission denied; choose another ${option} or fix its permissions.`);
    });
}
/** Of the entries on the way to `dir`, the first that is no directory: a file, or a link that leads nowhere or round. */
async function whatBlocks(dir) {
    const parts = node_path__WEBPACK_IMPORTED_MODULE_4___default().resolve(dir).split((node_path__WEBPACK_IMPORTED_MODULE_4___default().sep)).filter(Boolean);
    for (let depth = 1; depth <= parts.length; depth += 1) {
        const entry = node_path__WEBPACK_IMPORTED_MODULE_4___default().join((node_path__WEBPACK_IMPORTED_MODULE_4___default().sep), ...parts.slice(0, depth));
        const link = await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().lstat(entry).catch(() => undefined);
        if (!link)
            break;
        if (link.isDirectory())
            continue;
        if (!link.isSymbolicLink())
            return 'ENOTDIR';
        const code = await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().stat(entry).then((target) => (target.isDirectory() ? undefined : 'ENOTDIR'), (error) => (error.code === 'ELOOP' ? 'ELOOP' : 'ENOENT'));
        if (code)
            return code;
    }
    return 'ENOTDIR';
}
function tempPathIn(dir, hint = '') {
    const temp = node_path__WEBPACK_IMPORTED_MODULE_4___default().join(dir, `${TEMP_PREFIX}${hint}${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(6).toString('hex')}`);
    (0,_live_temps_js__WEBPACK_IMPORTED_MODULE_6__/* .trackTemp */ .EO)(temp);
    return temp;
}
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;
/**
 * Temporary files a killed run (SIGKILL, power loss) left in `dir` a day or more
 * ago, removed; one this user may not remove is left where it is.
 */
async function removeStaleTemps(dir) {
    const entries = await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().readdir(dir).catch(() => []);
    const removed = [];
    for (const entry of entries) {
        if (!entry.startsWith(TEMP_PREFIX))
            continue;
        const file = node_path__WEBPACK_IMPORTED_MODULE_4___default().join(dir, entry);
        const stat = await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().stat(file).catch(() => undefined);
        if (!stat?.isFile() || Date.now() - stat.mtimeMs <= STALE_TEMP_MS)
            continue;
        try {
            // unlink, not rm: rm takes a refusal (EPERM) for a directory and answers ENOTDIR.
            await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().unlink(file);
            removed.push(entry);
        }
        catch (error) {
            // Gone meanwhile, or another user's in a sticky directory (as /tmp): theirs to remove.
            const code = error.code;
            if (code !== 'ENOENT' && code !== 'EPERM' && code !== 'EACCES')
                throw error;
        }
    }
    return removed;
}
async function fsyncFile(file) {
    const handle = await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().open(file, 'r');
    try {
        await handle.sync();
    }
    finally {
        await handle.close();
    }
}
/** Makes a rename or link in `dir` durable. Some file systems refuse fsync on directories. */
async function fsyncDir(dir) {
    let handle;
    try {
        handle = await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().open(dir, 'r');
        await handle.sync();
    }
    catch {
        // Not supported here (some network and Windows file systems): the rename stands anyway.
    }
    finally {
        await handle?.close();
    }
}
async function removeQuietly(file) {
    await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().rm(file, { force: true, recursive: true }).catch(() => undefined);
    (0,_live_temps_js__WEBPACK_IMPORTED_MODULE_6__/* .untrackTemp */ .bK)(file);
}
/** Temporary directories of this tool start with this, under the system's temporary directory. */
const TEMP_DIR_PREFIX = 'db-backup-';
/** Inside each: who made it, so that a later run can tell a killed run's leftovers from a live one's. */
const OWNER_MARKER = '.db-backup-owner.json';
function bootId() {
    try {
        return (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readFileSync)('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
    }
    catch {
        return undefined;
    }
}
function pidNamespace() {
    try {
        return (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readlinkSync)('/proc/self/ns/pid');
    }
    catch {
        return undefined;
    }
}
/** Field 22 of /proc/<pid>/stat (after the command name, which may hold spaces and parentheses). */
function processStartTime(pid) {
    try {
        const stat = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readFileSync)(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    }
    catch {
        return undefined;
    }
}
/**
 * A private (0700) temporary directory under the system's temporary
 * directory (TMPDIR), never in the backup directory: it may hold whole,
 * unencrypted copies of the database, and a synced or uploaded backup
 * directory must never see them. Removed by `removeQuietly` or on
 * SIGINT/SIGTERM; after a SIGKILL, by the next run (see
 * `removeStaleTemporaryDirectories`).
 */
async function temporaryDirectory(purpose) {
    let dir;
    try {
        dir = await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().mkdtemp(node_path__WEBPACK_IMPORTED_MODULE_4___default().join(node_os__WEBPACK_IMPORTED_MODULE_3___default().tmpdir(), `${TEMP_DIR_PREFIX}${purpose}-`));
    }
    catch (error) {
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .UserError */ .yo(`Cannot create a private directory in the temporary directory ${node_os__WEBPACK_IMPORTED_MODULE_3___default().tmpdir()} (${error.code ?? 'error'}): set TMPDIR to a writable directory.`);
    }
    (0,_live_temps_js__WEBPACK_IMPORTED_MODULE_6__/* .trackTemp */ .EO)(dir);
    await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().chmod(dir, DIR_MODE);
    const boot = bootId();
    const started = processStartTime('self');
    const namespace = pidNamespace();
    const marker = {
        tool: 'db-backup',
        pid: process.pid,
        host: node_os__WEBPACK_IMPORTED_MODULE_3___default().hostname(),
        ...(boot ? { boot } : {}),
        ...(started ? { started } : {}),
        ...(namespace ? { pidNamespace: namespace } : {}),
        createdAt: new Date().toISOString(),
    };
    try {
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().writeFile(node_path__WEBPACK_IMPORTED_MODULE_4___default().join(dir, OWNER_MARKER), JSON.stringify(marker), {
            mode: FILE_MODE,
            flag: 'wx',
        });
    }
    catch (error) {
        // Unmarked, no later run would know it for ours.
        await removeQuietly(dir);
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .UserError */ .yo(`Cannot write in the temporary directory ${node_os__WEBPACK_IMPORTED_MODULE_3___default().tmpdir()} (${error.code ?? 'error'}): set TMPDIR to a writable directory on a disk with room.`);
    }
    return dir;
}
function isAlive(pid, started) {
    // A pid taken over by another process (or seen from another PID namespace) is not the run.
    const now = started === undefined ? undefined : processStartTime(pid);
    if (now !== undefined)
        return now === started;
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (error) {
        // EPERM: it exists, under another user.
        return error.code === 'EPERM';
    }
}
/**
 * Removes `dir` when it holds nothing, or nothing but an empty owner marker;
 * anything else in it, and it stays as it is. rmdir takes only an empty one.
 */
async function removeUnmarked(dir) {
    const entries = await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().readdir(dir).catch(() => undefined);
    if (entries === undefined || entries.some((entry) => entry !== OWNER_MARKER))
        return false;
    const marker = node_path__WEBPACK_IMPORTED_MODULE_4___default().join(dir, OWNER_MARKER);
    if (entries.length > 0) {
        const stat = await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().lstat(marker).catch(() => undefined);
        if (!stat?.isFile() || stat.size > 0)
            return false;
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().unlink(marker).catch(() => undefined);
    }
    return node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().rmdir(dir).then(() => true, () => false);
}
async function readOwnerMarker(dir) {
    try {
        const marker = JSON.parse(await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().readFile(node_path__WEBPACK_IMPORTED_MODULE_4___default().join(dir, OWNER_MARKER), 'utf8'));
        if (marker.tool !== 'db-backup' ||
            typeof marker.pid !== 'number' ||
            typeof marker.host !== 'string')
            return undefined;
        return marker;
    }
    catch {
        return undefined;
    }
}
/**
 * A directory is a killed run's leftover when this machine made it and its
 * process is gone (or the machine rebooted since); one made on another
 * machine, or in another container, sharing the temporary directory, when
 * it is a day old (its process cannot be seen from here).
 */
function isLeftover(marker, now) {
    const sameHost = marker.host === node_os__WEBPACK_IMPORTED_MODULE_3___default().hostname();
    const boot = bootId();
    if (sameHost && marker.boot !== undefined && boot !== undefined && marker.boot !== boot)
        return true;
    if (sameHost && marker.pidNamespace === pidNamespace()) {
        return marker.pid !== process.pid && !isAlive(marker.pid, marker.started);
    }
    const created = Date.parse(marker.createdAt);
    return Number.isFinite(created) && now - created > STALE_TEMP_MS;
}
/** The real path of `dir`, or of its nearest existing parent with the rest appended (a directory not yet created). */
function realPathSoFar(dir) {
    const absolute = node_path__WEBPACK_IMPORTED_MODULE_4___default().resolve(dir);
    try {
        return node_fs__WEBPACK_IMPORTED_MODULE_1__.realpathSync.native(absolute);
    }
    catch {
        const parent = node_path__WEBPACK_IMPORTED_MODULE_4___default().dirname(absolute);
        return parent === absolute
            ? absolute
            : node_path__WEBPACK_IMPORTED_MODULE_4___default().join(realPathSoFar(parent), node_path__WEBPACK_IMPORTED_MODULE_4___default().basename(absolute));
    }
}
/**
 * The system's temporary directory must not lie inside the backup directory:
 * the unencrypted scratch copies would then sit where backups are synced.
 */
function assertTemporaryDirectoryOutside(backupDir) {
    // Compared where the links lead: a TMPDIR or backup directory reached through a symbolic link is no way around it.
    const relative = node_path__WEBPACK_IMPORTED_MODULE_4___default().relative(realPathSoFar(backupDir), realPathSoFar(node_os__WEBPACK_IMPORTED_MODULE_3___default().tmpdir()));
    if (relative === '' || (!relative.startsWith('..') && !node_path__WEBPACK_IMPORTED_MODULE_4___default().isAbsolute(relative))) {
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .UserError */ .yo(`The temporary directory ${node_os__WEBPACK_IMPORTED_MODULE_3___default().tmpdir()} (TMPDIR) lies inside the backup directory ${backupDir}, where unencrypted scratch copies must never be: point TMPDIR elsewhere.`);
    }
}
/**
 * Removes the temporary directories killed runs (SIGKILL, power loss) left
 * under the system's temporary directory: only directories of ours (name,
 * owner marker, our user) whose run is over, and, a day old, ours that were
 * never marked and hold nothing but an empty marker at most. Returns their paths.
 */
async function removeStaleTemporaryDirectories() {
    const root = node_os__WEBPACK_IMPORTED_MODULE_3___default().tmpdir();
    const entries = await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().readdir(root).catch(() => []);
    const removed = [];
    const now = Date.now();
    for (const entry of entries) {
        if (!entry.startsWith(TEMP_DIR_PREFIX))
            continue;
        const dir = node_path__WEBPACK_IMPORTED_MODULE_4___default().join(root, entry);
        const stat = await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().lstat(dir).catch(() => undefined);
        if (!stat?.isDirectory())
            continue;
        if (process.getuid && stat.uid !== process.getuid())
            continue;
        const marker = await readOwnerMarker(dir);
        if (!marker) {
            // Made and never marked: a run stopped between the two (or while writing the marker).
            // Old enough that no live run can still be about to mark it.
            if (now - stat.mtimeMs > STALE_TEMP_MS && (await removeUnmarked(dir)))
                removed.push(dir);
            continue;
        }
        if (!isLeftover(marker, now))
            continue;
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().rm(dir, { recursive: true, force: true }).catch(() => undefined);
        removed.push(dir);
    }
    return removed;
}
async function exists(file) {
    return node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().access(file).then(() => true, () => false);
}
/**
 * Gives a finished temporary file its final name without ever replacing an
 * existing file: a hard link fails when the name is taken, and the next name
 * from `nameFor(sequence)` is tried (undefined skips a sequence). Returns the
 * name used. `claimed` hears the final path the moment it is this run's,
 * before any other await: so a signal's sweep can take back a file that is
 * not complete yet (its manifest unwritten), and never one that is not ours.
 */
async function publishWithoutOverwrite(tempPath, dir, nameFor, claimed) {
    for (let sequence = 0; sequence < 1000; sequence += 1) {
        const name = nameFor(sequence);
        if (name === undefined)
            continue;
        const target = node_path__WEBPACK_IMPORTED_MODULE_4___default().join(dir, name);
        try {
            await linkOrExclusiveCopy(tempPath, target, claimed);
        }
        catch (error) {
            if (error.code === 'EEXIST')
                continue;
            throw error;
        }
        await removeQuietly(tempPath);
        await fsyncDir(dir);
        return name;
    }
    throw new Error(`No free backup name in ${dir} after 1000 attempts.`);
}
async function linkOrExclusiveCopy(from, to, claimed) {
    try {
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().link(from, to);
        claimed?.(to);
        return;
    }
    catch (error) {
        const code = error.code;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV')
            throw error;
    }
    // File systems without hard links: the name is taken first (exclusively, so never from
    // another run), then filled; a copy that fails part way leaves nothing under it.
    await (await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().open(to, 'wx', FILE_MODE)).close();
    claimed?.(to);
    try {
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().copyFile(from, to);
        await fsyncFile(to);
    }
    catch (error) {
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().rm(to, { force: true }).catch(() => undefined);
        throw error;
    }
}
/** Publishes under exactly `name`, refusing (and leaving the existing file) when it is taken. */
async function publishAs(tempPath, dir, name, claimed) {
    await publishWithoutOverwrite(tempPath, dir, (sequence) => {
        if (sequence > 0)
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .UserError */ .yo(`${node_path__WEBPACK_IMPORTED_MODULE_4___default().join(dir, name)} already exists; it was left as it is.`);
        return name;
    }, claimed);
}
/** Writes a small text file (a manifest) under a final name that must not exist yet. */
async function writeNewTextFile(dir, name, text, claimed) {
    const temp = tempPathIn(dir);
    try {
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default().writeFile(temp, text, { mode: FILE_MODE, flag: 'wx' });
        await fsyncFile(temp);
        await publishAs(temp, dir, name, claimed);
        return node_path__WEBPACK_IMPORTED_MODULE_4___default().join(dir, name);
    }
    finally {
        await removeQuietly(temp);
    }
}


/***/ }),

/***/ 36665:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  p: () => (/* binding */ assertZstdAvailable),
  _: () => (/* binding */ createCompressor)
});

// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(57975);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
var external_node_zlib_default = /*#__PURE__*/__webpack_require__.n(external_node_zlib_);
// EXTERNAL MODULE: ./src/domain/errors.ts
var errors = __webpack_require__(10241);
// EXTERNAL MODULE: ./src/process/memory-guard.ts
var memory_guard = __webpack_require__(10954);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
var external_node_os_default = /*#__PURE__*/__webpack_require__.n(external_node_os_);
;// CONCATENATED MODULE: ./src/pipeline/parallel-compress.ts



const DEFAULT_BLOCK_SIZE = 1024 * 1024;
/**
 * One block more in flight than there are cores (at least 2, at most 4): while
 * the main thread writes out a finished block, the pool still has one to work on.
 */
function defaultConcurrency() {
    return Math.max(2, Math.min(4, external_node_os_default().availableParallelism() + 1));
}
/**
 * Compression that uses every core: the input is cut into blocks, each
 * compressed on the thread pool, and written in order. Consecutive gzip
 * members are one gzip stream to every reader (RFC 1952), and consecutive
 * zstd frames one zstd stream (RFC 8878), so `gunzip` and `zstd -d` read the
 * file as if it were made in one piece.
 *
 * Memory is bounded whatever the input's size: `concurrency` blocks in
 * flight plus the one being filled (their buffers are reused), their
 * compressed forms, and the readable side's usual high-water mark, which
 * holds back further input while the next stage is slow.
 */
class ParallelCompressor extends external_node_stream_.Transform {
    compressBlock;
    blockSize;
    concurrency;
    spare = [];
    block;
    filled = 0;
    inFlight = [];
    blocksWritten = 0;
    /** Bytes received: the size of the content before compression. */
    bytesIn = 0;
    constructor(options) {
        super();
        this.compressBlock = options.compressBlock;
        this.blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
        this.concurrency = options.concurrency ?? defaultConcurrency();
        this.block = Buffer.allocUnsafe(this.blockSize);
    }
    _transform(chunk, _encoding, callback) {
        this.bytesIn += chunk.length;
        (0,memory_guard/* bytesMoved */.v)(chunk.length);
        this.absorb(chunk).then(() => callback(), callback);
    }
    _flush(callback) {
        // An empty input still becomes one (empty) member or frame: a valid, empty file.
        if (this.filled > 0 || (this.blocksWritten === 0 && this.inFlight.length === 0)) {
            this.dispatch(this.block.subarray(0, this.filled));
        }
        this.writeAll().then(() => callback(), callback);
    }
    async absorb(chunk) {
        let offset = 0;
        while (offset < chunk.length) {
            const copied = chunk.copy(this.block, this.filled, offset);
            this.filled += copied;
            offset += copied;
            if (this.filled < this.blockSize)
                continue;
            this.dispatch(this.block);
            this.block = this.spare.pop() ?? Buffer.allocUnsafe(this.blockSize);
            this.filled = 0;
            while (this.inFlight.length >= this.concurrency)
                await this.writeOldest();
        }
    }
    dispatch(input) {
        const output = this.compressBlock(input);
        // A rejection is handled when the block's turn comes; keep Node from reporting it early.
        output.catch(() => undefined);
        this.inFlight.push({ input, output });
    }
    async writeOldest() {
        const oldest = this.inFlight.shift();
        if (!oldest)
            return;
        this.push(await oldest.output);
        this.blocksWritten += 1;
        // The compressor has read all of it by now: the buffer takes the next block.
        if (oldest.input.length === this.blockSize)
            this.spare.push(oldest.input);
    }
    async writeAll() {
        while (this.inFlight.length > 0)
            await this.writeOldest();
    }
}

;// CONCATENATED MODULE: ./src/pipeline/compress.ts






const gzip = (0,external_node_util_.promisify)((external_node_zlib_default()).gzip);
/**
 * Each block's compressed output in 256 KiB pieces rather than zlib's 16 KiB:
 * every piece is a trip through the thread pool (measured: 10 % less CPU).
 */
const OUTPUT_CHUNK = 256 * 1024;
/** zstd came to Node's zlib in 22.15 and 23.8: an older Node gets a sentence, not a crash. */
function assertZstdAvailable() {
    if (typeof (external_node_zlib_default()).zstdCompress !== 'function' || typeof (external_node_zlib_default()).createZstdDecompress !== 'function') {
        throw new errors/* UserError */.yo(`zstd needs Node.js 22.15 or later (this is ${process.versions.node}): upgrade Node.js, or use compression gzip.`);
    }
}
/** Passes the content through unchanged (compression `none`), counting it. */
class Uncompressed extends external_node_stream_.Transform {
    bytesIn = 0;
    _transform(chunk, _encoding, callback) {
        this.bytesIn += chunk.length;
        (0,memory_guard/* bytesMoved */.v)(chunk.length);
        callback(null, chunk);
    }
}
/**
 * zstd frames as the `zstd` tool writes them: with the block's size in the
 * header (which also lets zstd size its tables to the block rather than to an
 * unknown stream) and an XXH64 checksum of the content at the end, which
 * `zstd -d` and our restore check.
 *
 * zstd's own worker threads (ZSTD_c_nbWorkers) are not used: Node's zstd
 * stream does not support them (it fails with "stream.push() after EOF"), and
 * independent frames on the thread pool are as fast on two cores.
 */
function zstdBlock(level) {
    assertZstdAvailable();
    const zstdCompress = (0,external_node_util_.promisify)((external_node_zlib_default()).zstdCompress);
    return (block) => zstdCompress(block, {
        params: {
            [(external_node_zlib_default()).constants.ZSTD_c_compressionLevel]: level,
            [(external_node_zlib_default()).constants.ZSTD_c_checksumFlag]: 1,
        },
        pledgedSrcSize: block.length,
        chunkSize: OUTPUT_CHUNK,
    });
}
function gzipBlock(level) {
    return (block) => gzip(block, { level, chunkSize: OUTPUT_CHUNK });
}
/** The stage that compresses a dump as the settings say; gzip and zstd in parallel blocks. */
function createCompressor(settings) {
    switch (settings.algorithm) {
        case 'gzip':
            return new ParallelCompressor({ compressBlock: gzipBlock(settings.level ?? 6) });
        case 'zstd':
            return new ParallelCompressor({ compressBlock: zstdBlock(settings.level ?? 3) });
        case 'none':
            return new Uncompressed();
    }
}


/***/ }),

/***/ 29912:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   T: () => (/* binding */ digestFile),
/* harmony export */   v: () => (/* binding */ DigestStream)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(46466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _process_memory_guard_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(10954);





/** Passes bytes through unchanged, counting them and hashing them with SHA-256. */
class DigestStream extends node_stream__WEBPACK_IMPORTED_MODULE_2__.Transform {
    hash = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256');
    size = 0;
    _transform(chunk, _encoding, callback) {
        this.hash.update(chunk);
        this.size += chunk.length;
        callback(null, chunk);
    }
    /** Only meaningful once the stream has finished. */
    digest() {
        return { size: this.size, sha256: this.hash.digest('hex') };
    }
}
/** Size and SHA-256 of a file, read from disk in a stream. */
async function digestFile(path) {
    const hash = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256');
    let size = 0;
    await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_3__.pipeline)((0,node_fs__WEBPACK_IMPORTED_MODULE_1__.createReadStream)(path), async (source) => {
        for await (const chunk of source) {
            hash.update(chunk);
            size += chunk.length;
            (0,_process_memory_guard_js__WEBPACK_IMPORTED_MODULE_4__/* .bytesMoved */ .v)(chunk.length);
        }
    });
    return { size, sha256: hash.digest('hex') };
}


/***/ }),

/***/ 31977:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Pe: () => (/* reexport safe */ _openpgp_format_js__WEBPACK_IMPORTED_MODULE_1__.Pe),
/* harmony export */   S: () => (/* binding */ prepareEncryptor),
/* harmony export */   st: () => (/* binding */ prepareDecryptor)
/* harmony export */ });
/* harmony import */ var _passphrase_rules_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1298);
/* harmony import */ var _openpgp_format_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(84041);



/**
 * Checks the passphrase or the recipients' keys before any dump starts, so a
 * bad setting fails the run at once and never falls back to a plain backup.
 * Returns undefined when no encryption is asked for.
 *
 * What the stage writes is what `gpg --decrypt` (2.2 and later) opens: a
 * binary OpenPGP message, SEIPD v1 with AES-256, no compression; a
 * passphrase goes through iterated+salted S2K; with public keys, every
 * recipient can decrypt on their own. `info.recipients` holds the primary-key
 * fingerprints, upper-case hex, as `gpg --list-keys` prints them.
 */
async function prepareEncryptor(request) {
    switch (request.mode) {
        case 'none':
            return undefined;
        case 'passphrase': {
            (0,_passphrase_rules_js__WEBPACK_IMPORTED_MODULE_0__/* .usablePassphrase */ .r7)(request.passphrase, 'encryption');
            const { openPgpEncryptor } = await Promise.all(/* import() */[__webpack_require__.e(74), __webpack_require__.e(469)]).then(__webpack_require__.bind(__webpack_require__, 24469));
            return openPgpEncryptor({ mode: 'passphrase', cipher: 'AES256', recipients: [] }, {
                passwords: [request.passphrase],
            });
        }
        case 'public-key': {
            const { openPgpEncryptor, readRecipientKeys } = await Promise.all(/* import() */[__webpack_require__.e(74), __webpack_require__.e(469)]).then(__webpack_require__.bind(__webpack_require__, 24469));
            const recipients = await readRecipientKeys(request.armoredPublicKeys);
            return openPgpEncryptor({
                mode: 'public-key',
                cipher: 'AES256',
                recipients: recipients.map((recipient) => recipient.fingerprint),
            }, { encryptionKeys: recipients.map((recipient) => recipient.key) });
        }
    }
}
/**
 * Checks the keys and passphrases that open backups (see decryption.ts). The
 * OpenPGP library is imported here, when a backup is encrypted, not at start.
 */
async function prepareDecryptor(keys) {
    const decryption = await Promise.all(/* import() */[__webpack_require__.e(74), __webpack_require__.e(402)]).then(__webpack_require__.bind(__webpack_require__, 93402));
    return decryption.prepareDecryptor(keys);
}


/***/ }),

/***/ 84041:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   FO: () => (/* binding */ classifyStart),
/* harmony export */   Pe: () => (/* binding */ looksLikeOpenPgp),
/* harmony export */   dD: () => (/* binding */ SNIFF_BYTES)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);

/** Enough bytes to see the armor line `-----BEGIN PGP MESSAGE-----`, after a little leading whitespace. */
const SNIFF_BYTES = 64;
const ARMOR_HEADER = '-----BEGIN PGP MESSAGE-----';
/**
 * Packets an encrypted OpenPGP message may start with: a public-key or a
 * symmetric-key encrypted session key, or the obsolete marker packet.
 */
const OPENING_PACKET_TAGS = new Set([1, 3, 10]);
/**
 * Classifies the start of a stored backup. gzip starts 1f 8b; a binary
 * OpenPGP message starts with a packet header whose top bit is set: new
 * format `11tttttt`, old format `10ttttll` (t = tag, l = length type).
 */
function classifyStart(head) {
    const first = head[0];
    if (first === undefined)
        return 'empty';
    if (first === 0x1f && head[1] === 0x8b)
        return 'gzip';
    if ((first & 0x80) !== 0) {
        const tag = (first & 0x40) !== 0 ? first & 0x3f : (first & 0x3c) >> 2;
        return OPENING_PACKET_TAGS.has(tag) ? 'openpgp-binary' : 'other';
    }
    const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
    return text.trimStart().startsWith(ARMOR_HEADER) ? 'openpgp-armored' : 'other';
}
/**
 * True when the file holds an encrypted OpenPGP message (binary, as this tool
 * and `gpg` write them, or ASCII-armored as `gpg --armor` writes them), so that
 * restore can tell an encrypted backup from a plain gzip one without trusting
 * the name.
 */
async function looksLikeOpenPgp(file) {
    const handle = await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().open(file, 'r');
    try {
        const { buffer, bytesRead } = await handle.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
        const kind = classifyStart(buffer.subarray(0, bytesRead));
        return kind === 'openpgp-binary' || kind === 'openpgp-armored';
    }
    finally {
        await handle.close();
    }
}


/***/ }),

/***/ 72754:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   C: () => (/* binding */ ProgressCounter)
/* harmony export */ });
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_0__);

/** Passes bytes through unchanged, telling a progress task how many went by. */
class ProgressCounter extends node_stream__WEBPACK_IMPORTED_MODULE_0__.Transform {
    task;
    constructor(task) {
        super();
        this.task = task;
    }
    _transform(chunk, _encoding, callback) {
        this.task.advance(chunk.length);
        callback(null, chunk);
    }
}


/***/ }),

/***/ 48415:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   VR: () => (/* binding */ runChildSync),
/* harmony export */   aJ: () => (/* binding */ inheritedEnvironment),
/* harmony export */   v0: () => (/* binding */ startChild),
/* harmony export */   w$: () => (/* binding */ runChild)
/* harmony export */ });
/* unused harmony export childEnvironment */
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(31421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(57975);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_util__WEBPACK_IMPORTED_MODULE_1__);
/**
 * The only place that starts child processes (a lint rule keeps it so). A
 * child never gets a copy of our environment, which holds DATABASE_URL, the
 * backup passphrase, cloud keys and tokens: it gets what its purpose allows,
 * by name, and nothing else — version probes included.
 */


const execFileAsync = (0,node_util__WEBPACK_IMPORTED_MODULE_1__.promisify)(node_child_process__WEBPACK_IMPORTED_MODULE_0__.execFile);
/** Every child may have these: where programs are, and the language and time zone of its messages. */
const EVERY_CHILD = /^(PATH|LANG|LANGUAGE|LC_[A-Z_]+|TZ|SYSTEMROOT)$/;
/** Taken from our own environment, per purpose, besides EVERY_CHILD. */
const INHERITED = {
    // An unpacked client package finds its libpq through the library path.
    'version-probe': /^(LD_LIBRARY_PATH|DYLD_LIBRARY_PATH)$/,
    // HOME: ~/.pgpass and ~/.postgresql/root.crt; Kerberos for GSSAPI logins; libpq's service files.
    'libpq-client': /^(HOME|LD_LIBRARY_PATH|DYLD_LIBRARY_PATH|KRB5CCNAME|KRB5_CONFIG|PGSERVICEFILE|PGSYSCONFDIR)$/,
    // curl and apt behind a proxy.
    'client-installer': /^(HOME|https?_proxy|no_proxy|HTTPS?_PROXY|NO_PROXY)$/,
    // Node.js posting the last notifications of an interrupted run: a company CA, a proxy.
    notifier: /^(NODE_EXTRA_CA_CERTS|NODE_USE_ENV_PROXY|https?_proxy|no_proxy|HTTPS?_PROXY|NO_PROXY)$/,
};
/** Set by the caller for the call at hand (the connection: PGHOST, PGPASSWORD, ...). */
const GIVEN = {
    'version-probe': undefined,
    'libpq-client': /^PG[A-Z_]+$/,
    'client-installer': undefined,
    notifier: undefined,
};
function pick(env, allowed) {
    const picked = {};
    for (const [name, value] of Object.entries(env)) {
        if (value !== undefined && allowed(name))
            picked[name] = value;
    }
    return picked;
}
/** What a child of `purpose` may inherit from `from` (our environment). */
function inheritedEnvironment(purpose, from = process.env) {
    return pick(from, (name) => EVERY_CHILD.test(name) || INHERITED[purpose].test(name));
}
/**
 * The environment a child of `purpose` starts with: `env` filtered by the
 * purpose's allow-list. Whatever a caller passes (even all of process.env),
 * nothing outside the list reaches the child.
 */
function childEnvironment(purpose, env) {
    const given = GIVEN[purpose];
    return pick(env, (name) => EVERY_CHILD.test(name) || INHERITED[purpose].test(name) || (given?.test(name) ?? false));
}
/** Starts `file` without a shell, with an argument array and the purpose's environment. */
function startChild(purpose, file, args, options) {
    return (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawn)(file, args, {
        env: childEnvironment(purpose, options.env),
        stdio: options.stdio,
        shell: false,
    });
}
/** Runs `file` to its end and returns what it printed; fails on a non-zero exit or the timeout. */
async function runChild(purpose, file, args, options = {}) {
    const { stdout, stderr } = await execFileAsync(file, args, {
        env: childEnvironment(purpose, options.env ?? inheritedEnvironment(purpose)),
        shell: false,
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
        ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    });
    return { stdout, stderr };
}
/**
 * Runs `file` to its end while this process waits, blocked (nothing else of
 * ours moves meanwhile), feeding it `input` on stdin; killed after the timeout.
 */
function runChildSync(purpose, file, args, options) {
    (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawnSync)(file, args, {
        env: inheritedEnvironment(purpose),
        input: options.input,
        stdio: ['pipe', 'ignore', 'ignore'],
        timeout: options.timeoutMs,
        killSignal: 'SIGKILL',
        shell: false,
    });
}


/***/ }),

/***/ 10954:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   v: () => (/* binding */ bytesMoved)
/* harmony export */ });
/* harmony import */ var node_v8__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(78877);
/* harmony import */ var node_v8__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_v8__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_vm__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(30714);
/* harmony import */ var node_vm__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_vm__WEBPACK_IMPORTED_MODULE_1__);


/**
 * Keeps a backup's memory flat. Streaming a file through Node makes a new
 * Buffer for every chunk read and every chunk compressed; their memory goes
 * back only when V8 collects them, and V8 lets about 64 MB of such dead
 * memory pile up before it does. At hundreds of MB/s that pile, not the data
 * in flight, is most of a backup's peak RSS (measured on 300 MB through the
 * parallel gzip: 134 MB peak, 91 MB with this guard, the same CPU time).
 *
 * So the stages that move bulk bytes report them here, and every MiB the
 * guard looks at the memory Buffers hold; above LIMIT it asks for a full
 * collection, which frees the dead ones. That costs a few milliseconds about
 * once every 15 MB moved.
 */
const CHECK_EVERY = 1024 * 1024;
const LIMIT = 24 * 1024 * 1024;
let sinceCheck = 0;
let collect;
/** V8's own `gc()`, made available to this process once; null where it cannot be had. */
function fullCollection() {
    if (collect === undefined) {
        try {
            // --expose-gc takes effect in contexts created after it is set: a fresh one hands it over.
            node_v8__WEBPACK_IMPORTED_MODULE_0___default().setFlagsFromString('--expose-gc');
            const gc = node_vm__WEBPACK_IMPORTED_MODULE_1___default().runInNewContext('gc');
            collect = typeof gc === 'function' ? gc : null;
        }
        catch {
            collect = null;
        }
    }
    return collect;
}
/** Called with the bytes a stage just moved. */
function bytesMoved(bytes) {
    sinceCheck += bytes;
    if (sinceCheck < CHECK_EVERY)
        return;
    sinceCheck = 0;
    if (process.memoryUsage().arrayBuffers > LIMIT)
        fullCollection()?.();
}


/***/ }),

/***/ 10364:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  w: () => (/* binding */ createStorage)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
var promises_default = /*#__PURE__*/__webpack_require__.n(promises_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: ./src/domain/errors.ts
var errors = __webpack_require__(10241);
// EXTERNAL MODULE: ./src/fs/files.ts
var files = __webpack_require__(18176);
;// CONCATENATED MODULE: ./src/storage/local.ts







/** The backup directory: the staging place of every backup, and a target of its own. */
class LocalStorage {
    dir;
    id = 'local';
    constructor(dir) {
        this.dir = dir;
    }
    get location() {
        return this.dir;
    }
    get localDirectory() {
        return this.dir;
    }
    pathOf(name) {
        return external_node_path_default().join(this.dir, name);
    }
    async put(name, body) {
        const temp = (0,files/* tempPathIn */.Xk)(this.dir);
        try {
            await (0,external_node_stream_promises_.pipeline)(body.open(), (0,external_node_fs_.createWriteStream)(temp, { mode: files/* FILE_MODE */.rE, flags: 'wx' }));
            await (0,files/* fsyncFile */.o7)(temp);
            await (0,files/* publishAs */.Yb)(temp, this.dir, name);
        }
        finally {
            await (0,files/* removeQuietly */.S2)(temp);
        }
    }
    async get(name, target) {
        await promises_default().copyFile(this.pathOf(name), target, external_node_fs_.constants.COPYFILE_EXCL);
    }
    async list() {
        let entries;
        try {
            entries = await promises_default().readdir(this.dir);
        }
        catch (error) {
            const code = error.code;
            if (code === 'ENOENT')
                return [];
            if (code === 'ENOTDIR')
                throw new errors/* UserError */.yo(`The backup directory ${this.dir} is a file, not a directory.`);
            if (code === 'EACCES')
                throw new errors/* UserError */.yo(`Cannot read the backup directory ${this.dir}: permission denied.`);
            throw error;
        }
        const objects = [];
        for (const name of entries) {
            if (name.startsWith(files/* TEMP_PREFIX */.MX))
                continue;
            const stat = await promises_default().stat(this.pathOf(name)).catch(() => undefined);
            if (stat?.isFile())
                objects.push({ name, size: stat.size, modified: stat.mtime });
        }
        return objects;
    }
    async delete(name) {
        await promises_default().rm(this.pathOf(name), { force: true });
        await (0,files/* fsyncDir */.t_)(this.dir);
    }
}

;// CONCATENATED MODULE: ./src/storage/prefixed.ts
/**
 * Gives a backend without folders (GitHub artifacts) a name prefix, so that
 * several databases can share it: objects are stored as `prefix + name`, and
 * only names with the prefix are listed — retention never sees the others.
 */
class PrefixedStorage {
    inner;
    prefix;
    constructor(inner, prefix) {
        this.inner = inner;
        this.prefix = prefix;
    }
    get id() {
        return this.inner.id;
    }
    get location() {
        return `${this.inner.location} (names starting ${this.prefix})`;
    }
    put(name, body) {
        return this.inner.put(this.prefix + name, body);
    }
    get(name, target) {
        return this.inner.get(this.prefix + name, target);
    }
    async list() {
        return (await this.inner.list())
            .filter((object) => object.name.startsWith(this.prefix))
            .map((object) => ({ ...object, name: object.name.slice(this.prefix.length) }));
    }
    delete(name) {
        return this.inner.delete(this.prefix + name);
    }
}

;// CONCATENATED MODULE: ./src/storage/factory.ts


/**
 * The backend for a target id; its settings are checked here, when it is used.
 * Each cloud backend (and its SDK, tens of megabytes of code) is imported only
 * when a run uses it: `--help` or a local backup never loads them.
 */
async function createStorage(id, settings) {
    switch (id) {
        case 'local':
            return new LocalStorage(settings.backupDir);
        case 's3': {
            const options = settings.s3();
            const { S3Storage } = await Promise.all(/* import() */[__webpack_require__.e(358), __webpack_require__.e(279)]).then(__webpack_require__.bind(__webpack_require__, 69279));
            return new S3Storage(options);
        }
        case 'gcs': {
            const options = settings.gcs();
            const { GcsStorage } = await Promise.all(/* import() */[__webpack_require__.e(878), __webpack_require__.e(324), __webpack_require__.e(923), __webpack_require__.e(930)]).then(__webpack_require__.bind(__webpack_require__, 74930));
            return new GcsStorage(options);
        }
        case 'azure': {
            const options = settings.azure();
            const { AzureBlobStorage } = await Promise.all(/* import() */[__webpack_require__.e(878), __webpack_require__.e(659), __webpack_require__.e(255), __webpack_require__.e(88), __webpack_require__.e(324), __webpack_require__.e(16), __webpack_require__.e(582)]).then(__webpack_require__.bind(__webpack_require__, 36582));
            return new AzureBlobStorage(options);
        }
        case 'artifact': {
            const { prefix, ...options } = settings.artifact();
            const { ArtifactStorage } = await Promise.all(/* import() */[__webpack_require__.e(878), __webpack_require__.e(659), __webpack_require__.e(647), __webpack_require__.e(255), __webpack_require__.e(799), __webpack_require__.e(322)]).then(__webpack_require__.bind(__webpack_require__, 60322));
            const storage = new ArtifactStorage(options);
            return prefix ? new PrefixedStorage(storage, prefix) : storage;
        }
    }
}


/***/ }),

/***/ 32912:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   V: () => (/* binding */ liesAt),
/* harmony export */   p: () => (/* binding */ isLocalPlace)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);

function isLocalPlace(storage) {
    return storage.localDirectory !== undefined;
}
/** `file` lies in the place's own directory: it is one of the place's objects already (nothing to store or fetch). */
function liesAt(storage, file) {
    return (isLocalPlace(storage) &&
        node_path__WEBPACK_IMPORTED_MODULE_0___default().resolve(node_path__WEBPACK_IMPORTED_MODULE_0___default().dirname(file)) === node_path__WEBPACK_IMPORTED_MODULE_0___default().resolve(storage.localDirectory));
}


/***/ }),

/***/ 19688:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   BC: () => (/* binding */ freeRecordName),
/* harmony export */   Eb: () => (/* binding */ freshestPass),
/* harmony export */   Ld: () => (/* binding */ newestVerdicts),
/* harmony export */   M$: () => (/* binding */ recordsOf),
/* harmony export */   Vv: () => (/* binding */ serializeVerificationRecord),
/* harmony export */   aF: () => (/* binding */ compareRecordsNewestFirst),
/* harmony export */   hG: () => (/* binding */ parseVerificationRecordName),
/* harmony export */   sG: () => (/* binding */ outcomeOf),
/* harmony export */   yc: () => (/* binding */ unhealedFailureOf)
/* harmony export */ });
/* unused harmony export formatVerificationRecordName */
/* harmony import */ var _domain_backup_name_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(10206);

const RECORD = /^(.+)\.(verified|quick-checked|verify-failed)_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})(?:_(\d{1,3}))?\.json$/;
function pad(value) {
    return String(value).padStart(2, '0');
}
function formatVerificationRecordName(backup, outcome, time, sequence = 0) {
    const stamp = `${time.getUTCFullYear()}${pad(time.getUTCMonth() + 1)}${pad(time.getUTCDate())}_` +
        `${pad(time.getUTCHours())}${pad(time.getUTCMinutes())}${pad(time.getUTCSeconds())}`;
    return `${backup}.${outcome}_${stamp}${sequence > 0 ? `_${sequence}` : ''}.json`;
}
/** A record of one of our backups; anything else (a manifest, a foreign file) gives undefined. */
function parseVerificationRecordName(name) {
    const match = RECORD.exec(name);
    if (!match)
        return undefined;
    const [, backupName, outcome, year, month, day, hour, minute, second, sequence] = match;
    const backup = (0,_domain_backup_name_js__WEBPACK_IMPORTED_MODULE_0__/* .parseBackupName */ .Df)(backupName ?? '');
    if (!backup)
        return undefined;
    const time = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)));
    const parsed = {
        name,
        backup,
        outcome: outcome,
        time,
        sequence: Number(sequence ?? 0),
    };
    // Impossible dates (20261340) are not rolled over into real ones.
    return formatVerificationRecordName(backupName, parsed.outcome, time, parsed.sequence) === name
        ? parsed
        : undefined;
}
/**
 * Newest first: by second, then by the order written within it (the
 * sequence). A pass and a failure that cannot be told apart (records of one
 * second from before sequences ran across outcomes) count the failure as the
 * later: a doubt never makes a backup look proven.
 */
function compareRecordsNewestFirst(a, b) {
    return (b.time.getTime() - a.time.getTime() ||
        b.sequence - a.sequence ||
        Number(b.outcome === 'verify-failed') - Number(a.outcome === 'verify-failed'));
}
/**
 * Each backup's standing: its newest full verification or failure (a passed
 * quick check neither proves nor takes back anything), by backup name. A
 * backup passes while its newest such record is a pass. Status, list and
 * retention all judge by this.
 */
function newestVerdicts(records) {
    const newest = new Map();
    for (const record of records) {
        if (record.outcome === 'quick-checked')
            continue;
        const seen = newest.get(record.backup.name);
        if (!seen || compareRecordsNewestFirst(record, seen) < 0)
            newest.set(record.backup.name, record);
    }
    return newest;
}
/**
 * The freshest proof: of the backups whose standing (newestVerdicts) is a
 * pass, the one whose pass is the most recent (status's "last passed test
 * restore"; retention keeps its backup). Ties of one second go to the newer
 * backup.
 */
function freshestPass(standing) {
    let freshest;
    for (const record of standing.values()) {
        if (record.outcome !== 'verified')
            continue;
        if (!freshest ||
            (compareRecordsNewestFirst(record, freshest) ||
                (0,_domain_backup_name_js__WEBPACK_IMPORTED_MODULE_0__/* .compareNewestFirst */ .a0)(record.backup, freshest.backup)) < 0)
            freshest = record;
    }
    return freshest;
}
/**
 * The failure that stands on the newest backup with a verdict (its
 * standing, by newestVerdicts, when that failed; undefined when it passed,
 * or no backup has one). Until a newer backup passes, status stays red for
 * it and retention keeps it. `newestFirst`: the backups held, newest first.
 */
function unhealedFailureOf(standing, newestFirst) {
    const judged = newestFirst.map((backup) => standing.get(backup.name)).find(Boolean);
    return judged?.outcome === 'verify-failed' ? judged : undefined;
}
/** The records among `names` that belong to `backup`. */
function recordsOf(backup, names) {
    const records = [];
    for (const name of names) {
        if (parseVerificationRecordName(name)?.backup.name === backup)
            records.push(name);
    }
    return records;
}
/**
 * The name for this verification: its second, and a sequence above that of
 * every record already at the target from the same second (of any backup,
 * any outcome), so that records of one second still sort in the order they
 * were written — a failure a moment after a pass must not read as older.
 */
function freeRecordName(backup, outcome, time, taken) {
    const second = Math.floor(time.getTime() / 1000) * 1000;
    let sequence = 0;
    for (const name of taken) {
        const record = parseVerificationRecordName(name);
        if (record && record.time.getTime() === second)
            sequence = Math.max(sequence, record.sequence + 1);
    }
    if (sequence >= 1000)
        throw new Error(`Too many verification records in one second.`);
    return formatVerificationRecordName(backup, outcome, time, sequence);
}
function outcomeOf(record) {
    if (!record.verified)
        return 'verify-failed';
    return record.level === 'full' ? 'verified' : 'quick-checked';
}
function serializeVerificationRecord(record) {
    return `${JSON.stringify(record, null, 2)}\n`;
}


/***/ })

};
