export const id = 103;
export const ids = [103];
export const modules = {

/***/ 71103:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   chooseDatabases: () => (/* binding */ chooseDatabases),
/* harmony export */   listServerDatabases: () => (/* binding */ listServerDatabases)
/* harmony export */ });
/* harmony import */ var _domain_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(10241);
/* harmony import */ var _server_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(84584);


/** Every database of the server the location points at, by name. */
async function listServerDatabases(location) {
    return (0,_server_js__WEBPACK_IMPORTED_MODULE_1__/* .withClient */ .SV)(location, location.database, async (client) => {
        const result = await client.query(`SELECT datname, datistemplate, datallowconn, has_database_privilege(oid, 'CONNECT') AS can_connect
         FROM pg_catalog.pg_database ORDER BY datname`);
        return result.rows.map((row) => ({
            name: row.datname,
            isTemplate: row.datistemplate,
            allowsConnections: row.datallowconn,
            canConnect: row.can_connect,
        }));
    });
}
/**
 * `all`: every database that takes connections and is no template; those
 * the user may not CONNECT to are skipped, with the reason. A list: each
 * name must be such a database the user may connect to, or nothing runs.
 */
function chooseDatabases(found, wanted, location) {
    const where = (0,_server_js__WEBPACK_IMPORTED_MODULE_1__/* .endpoint */ .sR)(location);
    if (wanted === 'all') {
        const open = found.filter((db) => db.allowsConnections && !db.isTemplate);
        return {
            chosen: open.filter((db) => db.canConnect).map((db) => db.name),
            skipped: open
                .filter((db) => !db.canConnect)
                .map((db) => ({
                database: db.name,
                reason: `user "${location.user}" has no CONNECT privilege on it`,
            })),
        };
    }
    const byName = new Map(found.map((db) => [db.name, db]));
    for (const name of wanted) {
        const db = byName.get(name);
        const problem = db === undefined
            ? 'does not exist'
            : db.isTemplate
                ? 'is a template'
                : !db.allowsConnections
                    ? 'allows no connections'
                    : !db.canConnect
                        ? `is closed to user "${location.user}" (no CONNECT privilege)`
                        : undefined;
        if (problem !== undefined)
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`databases: "${name}" ${problem} on ${where}: name databases that can be backed up (db-backup backup --all-databases takes every one). Nothing was backed up.`);
    }
    return { chosen: [...new Set(wanted)], skipped: [] };
}


/***/ })

};
