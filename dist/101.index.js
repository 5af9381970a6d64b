export const id = 101;
export const ids = [101];
export const modules = {

/***/ 6101:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   makeSanitizedCopy: () => (/* binding */ makeSanitizedCopy)
/* harmony export */ });
/* harmony import */ var _domain_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(10241);
/* harmony import */ var _fs_files_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(18176);
/* harmony import */ var _storage_factory_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(10364);
/* harmony import */ var _storage_storage_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(32912);
/* harmony import */ var _backup_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(37374);
/* harmony import */ var _create_backup_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(21204);
/* harmony import */ var _catalog_identity_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(66097);







/**
 * With sanitize-storage: after the regular backup, a sanitized copy from a
 * dump of its own, encrypted like the backup, stored at its own targets with
 * its own rolling window there.
 */
async function makeSanitizedCopy(engine, sanitizing, config, encryptor, context) {
    context.log.info('Making the sanitized copy');
    const copy = await (0,_create_backup_js__WEBPACK_IMPORTED_MODULE_5__/* .createBackup */ .d)(sanitizing.wrap(engine), config.backupDir, {
        kind: 'sanitized',
        databaseName: config.name,
        compression: config.compression,
        progress: context.progress,
        encryptor,
        sanitized: sanitizing.info,
        ...(context.now ? { now: context.now } : {}),
    });
    context.log.info(`Wrote ${copy.name} (${copy.manifest.file.size} bytes)`);
    try {
        return await storeSanitizedCopy(copy, config, context);
    }
    catch (error) {
        // Made, but not where it was to go: where it waits in the backup directory, the user is told.
        if (!(await (0,_fs_files_js__WEBPACK_IMPORTED_MODULE_1__/* .exists */ .t2)(copy.file)))
            throw error;
        throw new Error(`${(0,_domain_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .errorMessage */ .gJ)(error)} The sanitized copy ${copy.name} stays in ${config.backupDir}.`, { cause: error });
    }
}
/** The sanitized copy at its own targets, with its own rolling window there. */
async function storeSanitizedCopy(copy, config, context) {
    const own = await (0,_catalog_identity_js__WEBPACK_IMPORTED_MODULE_6__/* .ownDatabase */ .iz)(config.database, config.name);
    const storages = [];
    for (const target of config.sanitize?.storage ?? [])
        storages.push({ id: target.id, storage: await (0,_storage_factory_js__WEBPACK_IMPORTED_MODULE_2__/* .createStorage */ .w)(target.id, target.settings) });
    // A directory of its own (local:DIR) is made as private as the backup directory.
    for (const { storage } of storages)
        if ((0,_storage_storage_js__WEBPACK_IMPORTED_MODULE_3__/* .isLocalPlace */ .p)(storage) && !(0,_storage_storage_js__WEBPACK_IMPORTED_MODULE_3__/* .liesAt */ .V)(storage, copy.file))
            await (0,_fs_files_js__WEBPACK_IMPORTED_MODULE_1__/* .ensurePrivateDir */ .rh)(storage.localDirectory, {
                what: 'sanitize-storage directory',
                option: 'directory in sanitize-storage local:DIR',
            });
    const targets = await (0,_backup_js__WEBPACK_IMPORTED_MODULE_4__/* .storeEverywhere */ .qy)(storages, copy, { own, maxBackups: config.maxBackups, keep: config.keep, kind: 'sanitized' }, context);
    const kept = await (0,_backup_js__WEBPACK_IMPORTED_MODULE_4__/* .releaseStagedCopy */ .$z)(storages.map(({ storage }) => storage), copy, targets, context, 'sanitized copy');
    return {
        name: copy.name,
        manifest: copy.manifest,
        targets,
        file: copy.file,
        stagedCopyKept: kept,
    };
}


/***/ })

};
