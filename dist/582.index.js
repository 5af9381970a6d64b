export const id = 582;
export const ids = [582];
export const modules = {

/***/ 36582:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AzureBlobStorage: () => (/* binding */ AzureBlobStorage)
/* harmony export */ });
/* unused harmony exports MAX_BLOCKS, MAX_BLOCK_SIZE, blockSizeFor, bufferCountFor, explainAzureError */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _azure_identity__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(73016);
/* harmony import */ var _azure_storage_blob__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(42244);
/* harmony import */ var _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(10241);
/* harmony import */ var _net_network_errors_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(43641);
/* harmony import */ var _domain_secrets_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(7513);
/* harmony import */ var _download_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(7769);
/* harmony import */ var _object_keys_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(72803);
/* harmony import */ var _body_checks_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(88195);










const MiB = 1024 * 1024;
/** Azure's limits for a block blob: at most 50,000 blocks of at most 4000 MiB. */
const MAX_BLOCKS = 50_000;
const MAX_BLOCK_SIZE = 4000 * MiB;
const MIN_BLOCK_SIZE = 4 * MiB;
/**
 * Blocks held in memory at once stay under this (unless one block alone is
 * larger). Measured: 4 blocks of 4 MiB keep a 100 MiB upload within ~40 MiB
 * of RSS; 4 of 8 MiB took ~70 MiB.
 */
const IN_FLIGHT_BUDGET = 32 * MiB;
/** The block size for a blob of `size` bytes: 4 MiB, or the whole MiB that keeps it within 50,000 blocks. */
function blockSizeFor(size) {
    if (!Number.isSafeInteger(size) || size < 0)
        throw new RangeError(`Not a byte size: ${size}`);
    const smallestBlock = Math.ceil(size / MAX_BLOCKS);
    const blockSize = Math.max(MIN_BLOCK_SIZE, Math.ceil(smallestBlock / MiB) * MiB);
    if (blockSize > MAX_BLOCK_SIZE) {
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .UserError */ .yo(`The backup is ${size} bytes, more than one Azure block blob can hold: use another storage.`);
    }
    return blockSize;
}
/** How many blocks are buffered and sent at once: 4, fewer for large blocks, at least 1. */
function bufferCountFor(blockSize) {
    return Math.min(4, Math.max(1, Math.floor(IN_FLIGHT_BUDGET / blockSize)));
}
/** Registers the connection string and the key or SAS inside it, so that neither is ever printed. */
function registerConnectionString(connectionString) {
    (0,_domain_secrets_js__WEBPACK_IMPORTED_MODULE_6__/* .registerSecret */ .cl)(connectionString);
    for (const part of connectionString.split(';')) {
        const [key, ...rest] = part.split('=');
        const value = rest.join('=');
        if (key === 'AccountKey' || key === 'SharedAccessSignature')
            (0,_domain_secrets_js__WEBPACK_IMPORTED_MODULE_6__/* .registerSecret */ .cl)(value);
    }
}
function serviceClientFor(options) {
    const { accountUrl, connectionString } = options;
    if (connectionString !== undefined && accountUrl === undefined) {
        registerConnectionString(connectionString);
        try {
            return _azure_storage_blob__WEBPACK_IMPORTED_MODULE_3__/* .BlobServiceClient */ .wS.fromConnectionString(connectionString);
        }
        catch {
            // The SDK's message may quote the string; say what is wrong without it.
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .UserError */ .yo('azure-connection-string is not a valid Azure Storage connection string: copy it from the storage account\'s "Access keys" page.');
        }
    }
    if (accountUrl !== undefined && connectionString === undefined) {
        return new _azure_storage_blob__WEBPACK_IMPORTED_MODULE_3__/* .BlobServiceClient */ .wS(accountUrl, new _azure_identity__WEBPACK_IMPORTED_MODULE_2__/* .DefaultAzureCredential */ .gv());
    }
    throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .UserError */ .yo('Azure storage needs exactly one of azure-account-url (signed in with DefaultAzureCredential) or azure-connection-string.');
}
/** A URL for people: no SAS query, no user info. */
function publicUrl(url) {
    const parsed = new URL(url);
    parsed.search = '';
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
}
/** A container and prefix of Azure Blob Storage. */
class AzureBlobStorage {
    id = 'azure';
    location;
    prefix;
    container;
    containerName;
    constructor(options) {
        this.container = serviceClientFor(options).getContainerClient(options.container);
        this.containerName = options.container;
        this.prefix = (0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .normalizePrefix */ .iG)(options.prefix);
        this.location = `${publicUrl(this.container.url)}/${this.prefix}`;
    }
    urlOf(name) {
        return `${publicUrl(this.container.url)}/${(0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .keyOf */ .TN)(this.prefix, name)}`;
    }
    explain(error, action) {
        return explainAzureError(error, {
            location: this.location,
            container: this.containerName,
            endpoint: new URL(this.container.url).origin,
            action,
        });
    }
    async put(name, body) {
        const blob = this.container.getBlockBlobClient((0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .keyOf */ .TN)(this.prefix, name));
        await this.refuseExisting(blob, name);
        const blockSize = blockSizeFor(body.size);
        const headers = { blobContentType: 'application/octet-stream' };
        const source = body.open();
        // uploadStream reads `headers` when it commits, after the stream has ended,
        // so the MD5 of the whole body, known only then, is stored with the blob.
        // checkStored confirms it was.
        const md5 = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('md5');
        let digest;
        const tally = (0,_body_checks_js__WEBPACK_IMPORTED_MODULE_9__/* .hashing */ .z)(md5, () => {
            digest = md5.digest();
            headers.blobContentMD5 = digest;
        });
        (0,node_stream__WEBPACK_IMPORTED_MODULE_1__.pipeline)(source, (0,_body_checks_js__WEBPACK_IMPORTED_MODULE_9__/* .exactLength */ .S)(body.size), tally, () => undefined);
        let etag;
        try {
            // Blocks are staged, then committed in one call: until that commit
            // nothing is visible under the name, and a failed upload never commits.
            const response = await blob.uploadStream(tally, blockSize, bufferCountFor(blockSize), {
                blobHTTPHeaders: headers,
                // The commit fails (409) if the name was taken meanwhile: nothing is replaced.
                conditions: { ifNoneMatch: '*' },
            });
            etag = response.etag;
        }
        catch (error) {
            throw this.explainPutError(error, name);
        }
        finally {
            source.destroy();
        }
        if (digest === undefined)
            throw new Error('The upload finished before its body ended.');
        await this.checkStored(blob, name, body.size, digest, etag);
    }
    /** Fails fast, before a large upload that the commit condition would refuse at its end. */
    async refuseExisting(blob, name) {
        let exists;
        try {
            exists = await blob.exists();
        }
        catch (error) {
            throw this.explain(error, `checking ${name}`);
        }
        if (exists)
            throw alreadyExists(this.urlOf(name));
    }
    explainPutError(error, name) {
        const code = restCodeOf(error);
        if (code === 'BlobAlreadyExists' || code === 'ConditionNotMet') {
            return alreadyExists(this.urlOf(name));
        }
        return this.explain(error, `uploading ${name}`);
    }
    /** The blob must hold as many bytes as were sent, with their MD5; if not, it is removed. */
    async checkStored(blob, name, size, md5, etag) {
        let properties;
        try {
            properties = await blob.getProperties();
        }
        catch (error) {
            throw this.explain(error, `checking ${name} after the upload`);
        }
        const storedMd5 = properties.contentMD5 ? Buffer.from(properties.contentMD5) : undefined;
        let problem;
        if (properties.contentLength !== size) {
            problem = `${properties.contentLength} bytes instead of ${size}`;
        }
        else if (!storedMd5?.equals(md5)) {
            problem = `MD5 ${storedMd5?.toString('base64') ?? 'missing'} instead of ${md5.toString('base64')}`;
        }
        if (problem === undefined)
            return;
        // Only the blob this upload committed (by its ETag) is removed.
        await blob
            .deleteIfExists({ ...(etag !== undefined ? { conditions: { ifMatch: etag } } : {}) })
            .catch(() => undefined);
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .UserError */ .yo(`Azure stored ${this.urlOf(name)} with ${problem}; it was removed. Try again.`);
    }
    async get(name, target) {
        const blob = this.container.getBlobClient((0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .keyOf */ .TN)(this.prefix, name));
        let response;
        try {
            // The whole blob, no range: the response carries the MD5 stored at upload.
            // Broken connections are resumed (from the same ETag) up to 5 times.
            response = await blob.download(0, undefined, { maxRetryRequests: 5 });
        }
        catch (error) {
            throw this.explain(error, `downloading ${name}`);
        }
        const body = response.readableStreamBody;
        if (!(body instanceof node_stream__WEBPACK_IMPORTED_MODULE_1__.Readable)) {
            throw new Error(`Azure returned no readable body for ${this.urlOf(name)}.`);
        }
        const md5 = response.contentMD5 ?? response.blobContentMD5;
        try {
            await (0,_download_js__WEBPACK_IMPORTED_MODULE_7__/* .downloadToNewFile */ .G)(body, target, {
                ...(response.contentLength !== undefined ? { size: response.contentLength } : {}),
                ...(md5 !== undefined ? { md5 } : {}),
            }, this.urlOf(name));
        }
        catch (error) {
            throw this.explain(error, `downloading ${name}`);
        }
    }
    async list() {
        const objects = [];
        const pages = this.container
            .listBlobsByHierarchy('/', { prefix: (0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .listingPrefix */ .Lo)(this.prefix) })
            .byPage({ maxPageSize: 1000 });
        try {
            for await (const page of pages) {
                for (const item of page.segment.blobItems) {
                    const name = (0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .nameOfKey */ .m1)(this.prefix, item.name);
                    if (name === undefined)
                        continue;
                    objects.push({
                        name,
                        size: item.properties.contentLength ?? 0,
                        modified: item.properties.lastModified,
                    });
                }
            }
        }
        catch (error) {
            throw this.explain(error, 'listing');
        }
        return objects;
    }
    async delete(name) {
        try {
            await this.container
                .getBlobClient((0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .keyOf */ .TN)(this.prefix, name))
                .deleteIfExists({ deleteSnapshots: 'include' });
        }
        catch (error) {
            throw this.explain(error, `deleting ${name}`);
        }
    }
}
function alreadyExists(url) {
    return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .UserError */ .yo(`${url} already exists; it was left as it is.`);
}
/** The Azure SDK's code for a request that never got an answer, beside the network's own codes. */
const REQUEST_SEND_ERROR = 'REQUEST_SEND_ERROR';
const CREDENTIAL_ERRORS = new Set([
    'CredentialUnavailableError',
    'AggregateAuthenticationError',
    'AuthenticationError',
]);
function restCodeOf(error) {
    const code = error?.code;
    return typeof code === 'string' ? code : undefined;
}
function statusOf(error) {
    const status = error?.statusCode;
    return typeof status === 'number' ? status : undefined;
}
/**
 * Turns an Azure SDK or identity error into a one-line UserError that says
 * what to do, for the problems a user can fix; anything else is returned
 * unchanged. Server text is passed through `redact`.
 */
function explainAzureError(error, context) {
    if (!(error instanceof Error))
        return error;
    const where = `${context.action} at ${context.location}`;
    const code = restCodeOf(error);
    const status = statusOf(error);
    if (CREDENTIAL_ERRORS.has(error.name)) {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .UserError */ .yo(`No usable Azure credentials for ${where}: sign in with azure/login (OIDC) or set AZURE_CLIENT_ID, ` +
            'AZURE_TENANT_ID and AZURE_CLIENT_SECRET, or use azure-connection-string instead.');
    }
    const network = code === REQUEST_SEND_ERROR ? 'request failed' : (0,_net_network_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .networkCodeOf */ .JI)(error);
    if (network !== undefined) {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .JobFailure */ .y3(`Cannot reach ${context.endpoint} (${network}) while ${where}: ` +
            'check azure-account-url (or the connection string) and the network.');
    }
    if (status === undefined)
        return error;
    if (code === 'ContainerNotFound') {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .UserError */ .yo(`The container ${context.container} does not exist (${where}): create it, or fix azure-container.`);
    }
    if (code === 'BlobNotFound' || status === 404) {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .UserError */ .yo(`Nothing found while ${where}: run \`db-backup list\` to see what is there.`);
    }
    if (code === 'AuthenticationFailed' || status === 401) {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .UserError */ .yo(`The Azure credentials were refused (${code ?? status}) while ${where}: check the account key or SAS, or renew them.`);
    }
    if (status === 403) {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .UserError */ .yo(`Access was denied (${code ?? status}) while ${where}: give the identity the "Storage Blob Data Contributor" ` +
            'role on the container, or use a SAS that allows read, write, list and delete.');
    }
    // A 5xx, 429 or 408 the SDK's own retries did not get past is the service's trouble: the job failed.
    return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .DbBackupError */ .pi((0,_net_network_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .isTransientStatus */ .Dm)(status) ? 'failed' : 'refused', `Azure refused ${where}: ${code ?? 'error'} (HTTP ${status}): ${(0,_domain_secrets_js__WEBPACK_IMPORTED_MODULE_6__/* .redact */ .E$)(error.message.split('\n')[0] ?? '')}`);
}


/***/ }),

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

/***/ 7769:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   G: () => (/* binding */ downloadToNewFile)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(46466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(10241);
/* harmony import */ var _fs_files_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(18176);
/* harmony import */ var _process_memory_guard_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(10954);







/** Counts bytes and, when asked, hashes them with MD5 on their way through. */
class DownloadTally extends node_stream__WEBPACK_IMPORTED_MODULE_2__.Transform {
    hashing;
    size = 0;
    md5 = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('md5');
    constructor(hashing) {
        super();
        this.hashing = hashing;
    }
    _transform(chunk, _encoding, callback) {
        this.size += chunk.length;
        (0,_process_memory_guard_js__WEBPACK_IMPORTED_MODULE_6__/* .bytesMoved */ .v)(chunk.length);
        if (this.hashing)
            this.md5.update(chunk);
        callback(null, chunk);
    }
    md5Digest() {
        return this.md5.digest();
    }
}
/**
 * Streams `source` into the new file `target` (mode 0600; it must not exist,
 * and an existing file is never touched), checking the byte count and MD5
 * when known. On any failure, including a mismatch, no file is left at `target`.
 */
async function downloadToNewFile(source, target, expected, what) {
    let handle;
    try {
        handle = await node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default().open(target, 'wx', _fs_files_js__WEBPACK_IMPORTED_MODULE_5__/* .FILE_MODE */ .rE);
    }
    catch (error) {
        source.destroy();
        throw error;
    }
    const tally = new DownloadTally(expected.md5 !== undefined);
    try {
        await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_3__.pipeline)(source, tally, handle.createWriteStream());
        checkTally(tally, expected, what);
    }
    catch (error) {
        await (0,_fs_files_js__WEBPACK_IMPORTED_MODULE_5__/* .removeQuietly */ .S2)(target);
        throw error;
    }
}
function checkTally(tally, expected, what) {
    if (expected.size !== undefined && tally.size !== expected.size) {
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .JobFailure */ .y3(`${what} arrived with ${tally.size} of ${expected.size} bytes: the connection broke off. Try again.`);
    }
    if (expected.md5 !== undefined) {
        const actual = tally.md5Digest();
        if (!actual.equals(Buffer.from(expected.md5))) {
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .IntegrityError */ .cs(`${what} does not match the MD5 the storage keeps for it (${actual.toString('base64')}, ` +
                `expected ${Buffer.from(expected.md5).toString('base64')}): the download or the stored object is damaged. ` +
                'Try again; if it persists, restore an older backup.');
        }
    }
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
