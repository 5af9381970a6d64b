export const id = 930;
export const ids = [930];
export const modules = {

/***/ 88195:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   S: () => (/* binding */ exactLength),
/* harmony export */   z: () => (/* binding */ hashing)
/* harmony export */ });
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(10241);


/**
 * Passes bytes through and fails at the end when they were not exactly
 * `size` (a dump that stopped early but "successfully"), before the
 * consumer sees the end of the stream and can finish an upload.
 */
function exactLength(size) {
    let seen = 0;
    return new node_stream__WEBPACK_IMPORTED_MODULE_0__.Transform({
        transform(chunk, _encoding, callback) {
            seen += chunk.length;
            if (seen > size)
                callback(new Error(`The backup stream is longer than its declared ${size} bytes.`));
            else
                callback(null, chunk);
        },
        flush(callback) {
            if (seen !== size)
                callback(new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .JobFailure */ .y3(`The backup stream ended after ${seen} of its declared ${size} bytes.`));
            else
                callback();
        },
    });
}
/**
 * Passes bytes through, feeding them to `hash` on the way; `onEnd` runs once
 * the last byte passed, before the consumer sees the end of the stream.
 */
function hashing(hash, onEnd) {
    return new node_stream__WEBPACK_IMPORTED_MODULE_0__.Transform({
        transform(chunk, _encoding, callback) {
            hash.update(chunk);
            callback(null, chunk);
        },
        flush(callback) {
            onEnd?.();
            callback();
        },
    });
}


/***/ }),

/***/ 74930:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GcsStorage: () => (/* binding */ GcsStorage)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(46466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _google_cloud_storage__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(23923);
/* harmony import */ var _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(10241);
/* harmony import */ var _net_network_errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(43641);
/* harmony import */ var _fs_files_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(18176);
/* harmony import */ var _domain_secrets_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(7513);
/* harmony import */ var _body_checks_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(88195);
/* harmony import */ var _object_keys_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(72803);









/** The IAM permission each operation needs (all four are in roles/storage.objectAdmin). */
const PERMISSION = {
    put: 'storage.objects.create',
    get: 'storage.objects.get',
    list: 'storage.objects.list',
    delete: 'storage.objects.delete',
};
const LIST_PAGE_SIZE = 1000;
/**
 * A Google Cloud Storage bucket prefix. Credentials come from Application
 * Default Credentials (what google-github-actions/auth sets up, or
 * GOOGLE_APPLICATION_CREDENTIALS, or gcloud's login), never from our config.
 */
class GcsStorage {
    options;
    id = 'gcs';
    location;
    bucket;
    prefix;
    constructor(options) {
        this.options = options;
        this.prefix = (0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .normalizePrefix */ .iG)(options.prefix);
        this.location = `gs://${options.bucket}/${(0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .listingPrefix */ .Lo)(this.prefix)}`;
        const client = new _google_cloud_storage__WEBPACK_IMPORTED_MODULE_2__/* .Storage */ .wc({
            ...(options.projectId ? { projectId: options.projectId } : {}),
            ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
        });
        this.bucket = client.bucket(options.bucket);
    }
    async put(name, body) {
        const file = this.fileOf(name);
        let sessionUri;
        const upload = file.createWriteStream({
            resumable: true,
            validation: 'crc32c',
            // Generation 0 means "no live object": the service refuses (412) to replace one.
            preconditionOpts: { ifGenerationMatch: 0 },
            // The declared length lets the service refuse a short upload instead of storing it.
            metadata: { contentType: contentTypeOf(name), contentLength: body.size },
        });
        upload.on('uri', (uri) => (sessionUri = uri));
        try {
            await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_1__.pipeline)(body.open(), (0,_body_checks_js__WEBPACK_IMPORTED_MODULE_7__/* .exactLength */ .S)(body.size), upload);
        }
        catch (error) {
            // An unfinished resumable session holds the bytes sent so far (never an object); cancel
            // it so they do not linger for the week the service keeps sessions.
            if (sessionUri)
                await cancelSession(sessionUri);
            throw this.userErrorOf(error, 'put', name);
        }
    }
    async get(name, target) {
        // 'wx': the target must not exist, and a file we did not create is never removed below.
        const handle = await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().open(target, 'wx', _fs_files_js__WEBPACK_IMPORTED_MODULE_5__/* .FILE_MODE */ .rE);
        try {
            await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_1__.pipeline)(
            // The bytes as stored, never transcoded: they are what the manifest's sha256 describes.
            this.fileOf(name).createReadStream({ validation: 'crc32c', decompress: false }), handle.createWriteStream());
        }
        catch (error) {
            await node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default().rm(target, { force: true });
            throw this.userErrorOf(error, 'get', name);
        }
        finally {
            await handle.close().catch(() => undefined);
        }
    }
    async list() {
        const objects = [];
        let pageToken;
        try {
            do {
                const [files, next] = await this.bucket.getFiles({
                    prefix: (0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .listingPrefix */ .Lo)(this.prefix),
                    // Only the prefix's own level: "folders" below it come back as prefixes, not files.
                    delimiter: '/',
                    autoPaginate: false,
                    maxResults: LIST_PAGE_SIZE,
                    ...(pageToken ? { pageToken } : {}),
                });
                for (const file of files) {
                    const object = this.storedObjectOf(file);
                    if (object)
                        objects.push(object);
                }
                pageToken = next?.pageToken;
            } while (pageToken);
        }
        catch (error) {
            throw this.userErrorOf(error, 'list');
        }
        return objects;
    }
    async delete(name) {
        try {
            await this.fileOf(name).delete({ ignoreNotFound: true });
        }
        catch (error) {
            throw this.userErrorOf(error, 'delete', name);
        }
    }
    fileOf(name) {
        return this.bucket.file((0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .keyOf */ .TN)(this.prefix, name));
    }
    storedObjectOf(file) {
        // Not a direct child (nor the console's "folder" placeholder, the prefix itself): not listed.
        const name = (0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .nameOfKey */ .m1)(this.prefix, file.name);
        if (name === undefined)
            return undefined;
        const metadata = file.metadata;
        return {
            name,
            size: Number(metadata.size ?? 0),
            modified: new Date(metadata.updated ?? metadata.timeCreated ?? 0),
        };
    }
    /** One line that says what to do; anything unrecognised keeps its own (redacted) message. */
    userErrorOf(error, operation, name) {
        if ((0,_domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .isWorded */ .UD)(error))
            return error;
        const where = name ? `${this.location}${name}` : this.location;
        const status = statusOf(error);
        const detail = (0,_domain_secrets_js__WEBPACK_IMPORTED_MODULE_6__/* .redact */ .E$)(detailOf(error));
        if (isMissingCredentials(detail)) {
            return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`No Google Cloud credentials for ${this.location}: run google-github-actions/auth before this step, ` +
                'or set GOOGLE_APPLICATION_CREDENTIALS to a credentials file (' +
                `${detail}).`);
        }
        if (status === 404 && /specified bucket does not exist/i.test(detail)) {
            return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`GCS bucket ${this.options.bucket} does not exist (${where}).`);
        }
        if (status === 404 && operation === 'get')
            return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`${where} does not exist.`);
        if (status === 401) {
            return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`Google Cloud refused the credentials for ${where} (401): ${detail}`);
        }
        if (status === 403) {
            return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`Permission denied on ${where}: the credentials need ${PERMISSION[operation]} on bucket ` +
                `${this.options.bucket} (e.g. roles/storage.objectAdmin). ${detail}`);
        }
        if (status === 412 && operation === 'put') {
            return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`${where} already exists; it was left as it is.`);
        }
        if (isChecksumMismatch(error)) {
            const Failure = operation === 'get' ? _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .IntegrityError */ .cs : _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .JobFailure */ .y3;
            return new Failure(`${where}: the bytes ${operation === 'get' ? 'downloaded' : 'uploaded'} do not match ` +
                `the checksum Google Cloud Storage keeps (crc32c); nothing was kept. ${detail}`);
        }
        if (isUnavailable(status, error)) {
            return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .JobFailure */ .y3(`${where}: ${operation} failed, Google Cloud Storage did not answer: ${detail}`);
        }
        return new Error(`${where}: ${operation} failed: ${detail}`, { cause: error });
    }
}
function contentTypeOf(name) {
    if (name.endsWith('.json'))
        return 'application/json';
    if (name.endsWith('.gz'))
        return 'application/gzip';
    if (name.endsWith('.zst'))
        return 'application/zstd';
    return 'application/octet-stream';
}
/** DELETE on a resumable session's URI cancels it (the URI itself is the authorisation). */
async function cancelSession(uri) {
    try {
        const response = await fetch(uri, { method: 'DELETE', headers: { 'Content-Length': '0' } });
        await response.body?.cancel();
    }
    catch {
        // Best effort: an uncancelled session expires on its own and never becomes an object.
    }
}
function statusOf(error) {
    if (typeof error !== 'object' || error === null)
        return undefined;
    const { code, status, response } = error;
    for (const value of [code, status, response?.status]) {
        if (typeof value === 'number')
            return value;
    }
    return undefined;
}
/** The service's trouble, not the user's: 408, 429 or 5xx after the client's retries, or no connection. */
function isUnavailable(status, error) {
    return (0,_net_network_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .isTransientStatus */ .Dm)(status) || (0,_net_network_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .networkCodeOf */ .JI)(error) !== undefined;
}
function isMissingCredentials(message) {
    return /Could not load the default credentials|Unable to detect a Project Id|GOOGLE_APPLICATION_CREDENTIALS|does not exist, or it is not a file/i.test(message);
}
function isChecksumMismatch(error) {
    const code = error?.code;
    return (code === 'CONTENT_DOWNLOAD_MISMATCH' ||
        code === 'FILE_NO_UPLOAD' ||
        code === 'FILE_NO_UPLOAD_DELETE' ||
        /did not match the data|checksum mismatch|hash doesn't match/i.test((0,_domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ)(error)));
}
/** The service's own message: the download path leaves the raw JSON error body as the message. */
function detailOf(error) {
    const message = (0,_domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ)(error).trim();
    if (message.startsWith('{')) {
        try {
            const body = JSON.parse(message);
            if (typeof body.error?.message === 'string')
                return firstLine(body.error.message);
        }
        catch {
            // Not JSON after all: keep the text.
        }
    }
    return firstLine(message);
}
function firstLine(text) {
    return (text.split('\n').find((line) => line.trim()) ?? '').trim();
}


/***/ }),

/***/ 72803:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Lo: () => (/* binding */ listingPrefix),
/* harmony export */   TN: () => (/* binding */ keyOf),
/* harmony export */   iG: () => (/* binding */ normalizePrefix),
/* harmony export */   m1: () => (/* binding */ nameOfKey)
/* harmony export */ });
/* harmony import */ var _domain_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(10241);

/**
 * A bucket prefix as the user may write it (`/backups//app/`, `backups/app`,
 * ``) reduced to its canonical form: segments joined by single slashes, no
 * leading or trailing slash; '' for the bucket's top level.
 */
function normalizePrefix(prefix) {
    const segments = prefix.split('/').filter((segment) => segment !== '');
    if (segments.some((segment) => segment === '.' || segment === '..')) {
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`The prefix "${prefix}" may not contain "." or ".." segments.`);
    }
    return segments.join('/');
}
/** The full object key of a backup `name` under a normalized prefix. */
function keyOf(prefix, name) {
    assertPlainName(name);
    return prefix === '' ? name : `${prefix}/${name}`;
}
/** What to pass as the listing prefix so that only `prefix`'s own children match (not `prefix-old/`). */
function listingPrefix(prefix) {
    return prefix === '' ? '' : `${prefix}/`;
}
/**
 * The backup name of a listed key, or undefined for anything that is not a
 * direct child of the prefix (a nested key, or a `folder/` placeholder).
 */
function nameOfKey(prefix, key) {
    const start = listingPrefix(prefix);
    if (!key.startsWith(start))
        return undefined;
    const name = key.slice(start.length);
    return name === '' || name.includes('/') ? undefined : name;
}
/** Names are plain file names; a slash would reach outside the prefix. */
function assertPlainName(name) {
    if (name === '' || name.includes('/') || name === '.' || name === '..') {
        throw new Error(`Not a plain object name: "${name}"`);
    }
}


/***/ })

};
