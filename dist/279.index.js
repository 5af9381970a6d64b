export const id = 279;
export const ids = [279];
export const modules = {

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


/***/ }),

/***/ 69279:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   S3Storage: () => (/* binding */ S3Storage)
/* harmony export */ });
/* unused harmony exports MIN_PART_SIZE, MAX_PARTS, MAX_OBJECT_SIZE, partSizeFor, queueSizeFor, explainS3Error */
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(38522);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_zlib__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(53711);
/* harmony import */ var _aws_sdk_lib_storage__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(22358);
/* harmony import */ var _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(10241);
/* harmony import */ var _net_network_errors_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(43641);
/* harmony import */ var _domain_secrets_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(7513);
/* harmony import */ var _process_interruptions_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(36301);
/* harmony import */ var _download_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(7769);
/* harmony import */ var _object_keys_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(72803);










const MiB = 1024 * 1024;
/** S3's limits: parts of 5 MiB to 5 GiB, at most 10,000 of them, objects up to 5 TiB. */
const MIN_PART_SIZE = 5 * MiB;
const MAX_PARTS = 10_000;
const MAX_OBJECT_SIZE = 5 * 1024 * 1024 * MiB;
/** Parts held in memory at once stay under this (unless one part alone is larger). */
const IN_FLIGHT_BUDGET = 64 * MiB;
/**
 * The multipart part size for an object of `size` bytes: the 5 MiB minimum,
 * or, for objects above ~48 GiB, the smallest whole number of MiB that keeps
 * the upload within 10,000 parts. Small parts keep memory low; whole MiB
 * keep the numbers readable.
 */
function partSizeFor(size) {
    if (!Number.isSafeInteger(size) || size < 0)
        throw new RangeError(`Not a byte size: ${size}`);
    if (size > MAX_OBJECT_SIZE) {
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`The backup is ${size} bytes, larger than the 5 TiB S3 allows for one object: split the database or use another storage.`);
    }
    const smallestPart = Math.ceil(size / MAX_PARTS);
    return Math.max(MIN_PART_SIZE, Math.ceil(smallestPart / MiB) * MiB);
}
/** How many parts go up at once: 4, fewer when parts are large, so memory stays bounded. */
function queueSizeFor(partSize) {
    return Math.min(4, Math.max(1, Math.floor(IN_FLIGHT_BUDGET / partSize)));
}
/** A bucket and prefix of Amazon S3 or an S3-compatible server. */
class S3Storage {
    options;
    id = 's3';
    location;
    prefix;
    client;
    constructor(options) {
        this.options = options;
        if (options.kmsKeyId !== undefined && options.serverSideEncryption !== 'aws:kms') {
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo('A KMS key id needs server-side encryption aws:kms.');
        }
        this.prefix = (0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .normalizePrefix */ .iG)(options.prefix);
        this.location = `s3://${options.bucket}/${this.prefix}`;
        // No credentials here: the SDK's default chain finds them (environment,
        // profile, web identity/OIDC, container or instance role).
        this.client = new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__.S3Client({
            ...(options.region !== undefined ? { region: options.region } : {}),
            ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
            forcePathStyle: options.forcePathStyle,
            followRegionRedirects: true,
        });
    }
    urlOf(name) {
        return `s3://${this.options.bucket}/${(0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .keyOf */ .TN)(this.prefix, name)}`;
    }
    explain(error, action) {
        return explainS3Error(error, {
            location: this.location,
            bucket: this.options.bucket,
            endpoint: this.options.endpoint,
            action,
        });
    }
    async put(name, body) {
        const key = (0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .keyOf */ .TN)(this.prefix, name);
        await this.refuseExisting(name, key);
        const partSize = partSizeFor(body.size);
        const source = body.open();
        const tally = new UploadTally(body.size, partSize);
        // A failing source (a dying dump) destroys the tally with its error, which fails the Upload.
        (0,node_stream__WEBPACK_IMPORTED_MODULE_0__.pipeline)(source, tally, () => undefined);
        const upload = new _aws_sdk_lib_storage__WEBPACK_IMPORTED_MODULE_2__/* .Upload */ ._({
            client: this.client,
            partSize,
            queueSize: queueSizeFor(partSize),
            // On any failure the Upload aborts the multipart upload: no parts linger, no object appears.
            leavePartsOnError: false,
            params: {
                Bucket: this.options.bucket,
                Key: key,
                Body: tally,
                ContentLength: body.size,
                ContentType: 'application/octet-stream',
                // Each part carries its CRC32, which S3 checks on arrival; the object keeps the checksum.
                ChecksumAlgorithm: 'CRC32',
                // Real S3 refuses to complete the upload if the key exists by then (412), atomically.
                IfNoneMatch: '*',
                ...this.encryptionParams(),
            },
        });
        // SIGTERM or SIGINT ends the process before the Upload could abort its multipart upload: do it here.
        const stopWatching = (0,_process_interruptions_js__WEBPACK_IMPORTED_MODULE_6__/* .onInterrupt */ .nA)(() => this.abortUnfinished(upload, name, key));
        let result;
        try {
            result = await upload.done();
        }
        catch (error) {
            throw this.explainPutError(error, name);
        }
        finally {
            stopWatching();
            source.destroy();
        }
        await this.checkStored(name, key, body.size, tally.expectedChecksum(result.ChecksumCRC32));
    }
    /** Aborts an interrupted multipart upload, so that none of its parts stays stored (and billed). */
    async abortUnfinished(upload, name, key) {
        void upload.abort();
        if (upload.uploadId === undefined)
            return undefined;
        try {
            await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__.AbortMultipartUploadCommand({
                Bucket: this.options.bucket,
                Key: key,
                UploadId: upload.uploadId,
            }));
            return undefined;
        }
        catch (error) {
            // The Upload's own abort, once its parts in flight are done, may come first.
            if (error.name === 'NoSuchUpload')
                return undefined;
            return `the unfinished upload of ${name} to ${this.location} could not be aborted (${(0,_domain_secrets_js__WEBPACK_IMPORTED_MODULE_5__/* .redact */ .E$)((0,_domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ)(error))}): its parts stay at S3 until a lifecycle rule removes them.`;
        }
    }
    encryptionParams() {
        const { serverSideEncryption, kmsKeyId, storageClass } = this.options;
        return {
            ...(serverSideEncryption !== undefined ? { ServerSideEncryption: serverSideEncryption } : {}),
            ...(kmsKeyId !== undefined ? { SSEKMSKeyId: kmsKeyId } : {}),
            ...(storageClass !== undefined ? { StorageClass: storageClass } : {}),
        };
    }
    /**
     * A HeadObject before uploading: fails fast instead of after gigabytes, and
     * is the only guard on servers that ignore If-None-Match (fauxqs, older
     * S3-compatibles), where a write racing in between could still replace it.
     */
    async refuseExisting(name, key) {
        try {
            await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__.HeadObjectCommand({ Bucket: this.options.bucket, Key: key }));
        }
        catch (error) {
            if (httpStatusOf(error) === 404)
                return;
            throw this.explain(error, `checking ${name}`);
        }
        throw alreadyExists(this.urlOf(name));
    }
    explainPutError(error, name) {
        if (httpStatusOf(error) === 412)
            return alreadyExists(this.urlOf(name));
        return this.explain(error, `uploading ${name}`);
    }
    /**
     * What S3 says it stored must be what was sent: the same CRC32 (whole, or
     * composite over parts) and the same size. If not, the object is removed.
     */
    async checkStored(name, key, size, checksum) {
        let problem;
        if (checksum && checksum.expected !== checksum.reported) {
            problem = `CRC32 ${checksum.reported} instead of ${checksum.expected}`;
        }
        else {
            const head = await this.client
                .send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__.HeadObjectCommand({ Bucket: this.options.bucket, Key: key }))
                .catch((error) => {
                throw this.explain(error, `checking ${name} after the upload`);
            });
            if (head.ContentLength !== size)
                problem = `${head.ContentLength} bytes instead of ${size}`;
        }
        if (problem === undefined)
            return;
        await this.delete(name);
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`S3 stored ${this.urlOf(name)} with ${problem}; it was removed. Try again.`);
    }
    async get(name, target) {
        const key = (0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .keyOf */ .TN)(this.prefix, name);
        let response;
        try {
            // ChecksumMode makes the SDK verify the whole-object checksum as the bytes arrive
            // (composite checksums of multipart objects it cannot verify, and skips).
            response = await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__.GetObjectCommand({ Bucket: this.options.bucket, Key: key, ChecksumMode: 'ENABLED' }));
        }
        catch (error) {
            throw this.explain(error, `downloading ${name}`);
        }
        if (!(response.Body instanceof node_stream__WEBPACK_IMPORTED_MODULE_0__.Readable)) {
            throw new Error(`S3 returned no readable body for ${this.urlOf(name)}.`);
        }
        try {
            await (0,_download_js__WEBPACK_IMPORTED_MODULE_7__/* .downloadToNewFile */ .G)(response.Body, target, { ...(response.ContentLength !== undefined ? { size: response.ContentLength } : {}) }, this.urlOf(name));
        }
        catch (error) {
            throw this.explain(error, `downloading ${name}`);
        }
    }
    async list() {
        const objects = [];
        const pages = (0,_aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__.paginateListObjectsV2)({ client: this.client }, {
            Bucket: this.options.bucket,
            // Delimiter '/' keeps deeper keys out; the trailing slash keeps `prefix-old/` out.
            Delimiter: '/',
            ...(this.prefix !== '' ? { Prefix: (0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .listingPrefix */ .Lo)(this.prefix) } : {}),
        });
        try {
            for await (const page of pages) {
                for (const item of page.Contents ?? []) {
                    const name = item.Key === undefined ? undefined : (0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .nameOfKey */ .m1)(this.prefix, item.Key);
                    if (name === undefined)
                        continue;
                    objects.push({ name, size: item.Size ?? 0, modified: item.LastModified ?? new Date(0) });
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
            // S3 answers 204 for a missing key too.
            await this.client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_9__.DeleteObjectCommand({ Bucket: this.options.bucket, Key: (0,_object_keys_js__WEBPACK_IMPORTED_MODULE_8__/* .keyOf */ .TN)(this.prefix, name) }));
        }
        catch (error) {
            throw this.explain(error, `deleting ${name}`);
        }
    }
}
function alreadyExists(url) {
    return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`${url} already exists; it was left as it is.`);
}
function crc32Base64(value) {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value >>> 0);
    return bytes.toString('base64');
}
/**
 * Counts the bytes on their way to S3 and computes their CRC32 the two ways
 * S3 may report it: over the whole object, and composite (the CRC32 of the
 * parts' CRC32s, `-N` appended) with the same part boundaries as the Upload.
 * A body that is shorter or longer than declared fails the stream, and so the
 * upload, before it can complete.
 */
class UploadTally extends node_stream__WEBPACK_IMPORTED_MODULE_0__.Transform {
    declaredSize;
    partSize;
    total = 0;
    whole = 0;
    part = 0;
    partFill = 0;
    partChecksums = [];
    constructor(declaredSize, partSize) {
        super();
        this.declaredSize = declaredSize;
        this.partSize = partSize;
    }
    _transform(chunk, _encoding, callback) {
        this.total += chunk.length;
        if (this.total > this.declaredSize) {
            callback(new Error(`The backup stream is longer than its declared ${this.declaredSize} bytes.`));
            return;
        }
        this.whole = (0,node_zlib__WEBPACK_IMPORTED_MODULE_1__.crc32)(chunk, this.whole);
        for (let offset = 0; offset < chunk.length;) {
            const take = Math.min(this.partSize - this.partFill, chunk.length - offset);
            this.part = (0,node_zlib__WEBPACK_IMPORTED_MODULE_1__.crc32)(chunk.subarray(offset, offset + take), this.part);
            this.partFill += take;
            offset += take;
            if (this.partFill === this.partSize)
                this.closePart();
        }
        callback(null, chunk);
    }
    _flush(callback) {
        if (this.total !== this.declaredSize) {
            callback(new Error(`The backup stream ended after ${this.total} of its declared ${this.declaredSize} bytes.`));
            return;
        }
        if (this.partFill > 0 || this.partChecksums.length === 0)
            this.closePart();
        callback();
    }
    closePart() {
        this.partChecksums.push(this.part);
        this.part = 0;
        this.partFill = 0;
    }
    /** What S3 should report, in the form it reported (undefined when it reported none). */
    expectedChecksum(reported) {
        if (reported === undefined)
            return undefined;
        if (!/-\d+$/.test(reported))
            return { expected: crc32Base64(this.whole), reported };
        const concatenated = Buffer.alloc(4 * this.partChecksums.length);
        this.partChecksums.forEach((value, index) => concatenated.writeUInt32BE(value >>> 0, 4 * index));
        const expected = `${crc32Base64((0,node_zlib__WEBPACK_IMPORTED_MODULE_1__.crc32)(concatenated))}-${this.partChecksums.length}`;
        return { expected, reported };
    }
}
const REFUSED_CREDENTIALS = new Set([
    'InvalidAccessKeyId',
    'SignatureDoesNotMatch',
    'ExpiredToken',
    'InvalidToken',
    'TokenRefreshRequired',
]);
function httpStatusOf(error) {
    const metadata = error?.$metadata;
    return metadata?.httpStatusCode;
}
/** The endpoint for people: without any user:password it might carry. */
function endpointLabel(endpoint) {
    if (endpoint === undefined)
        return 'AWS S3';
    try {
        const url = new URL(endpoint);
        url.username = '';
        url.password = '';
        return url.origin;
    }
    catch {
        return 'the S3 endpoint';
    }
}
/**
 * Turns an error of the AWS SDK into a one-line UserError that says what to
 * do, for the problems a user can fix. Anything else (a failing body stream, a
 * bug) is returned unchanged. Messages never carry credentials: they name the
 * bucket and endpoint, and any server text is passed through `redact`.
 */
function explainS3Error(error, context) {
    if (!(error instanceof Error))
        return error;
    const where = `${context.action} at ${context.location}`;
    const name = error.name;
    const message = error.message;
    const status = httpStatusOf(error);
    if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`No AWS credentials were found for ${where}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE, ` +
            'or run aws-actions/configure-aws-credentials before this step.');
    }
    if (/Region is missing/i.test(message)) {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`No AWS region is set for ${where}: set s3-region or AWS_REGION.`);
    }
    const network = (0,_net_network_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .networkCodeOf */ .JI)(error);
    if (network !== undefined || name === 'TimeoutError') {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .JobFailure */ .y3(`Cannot reach ${endpointLabel(context.endpoint)} (${network ?? 'timeout'}) while ${where}: ` +
            'check s3-endpoint and the network.');
    }
    if (/^Checksum mismatch/.test(message)) {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .IntegrityError */ .cs(`The download failed its S3 checksum while ${where}: the download or the stored object is damaged. ` +
            'Try again; if it persists, restore an older backup.');
    }
    if (status === undefined)
        return error;
    if (name === 'NoSuchBucket') {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`The bucket ${context.bucket} does not exist (${where}): create it, or fix s3-bucket (and s3-endpoint).`);
    }
    if (name === 'NoSuchKey' || (status === 404 && name === 'NotFound')) {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`Nothing found while ${where}: run \`db-backup list\` to see what is there.`);
    }
    if (REFUSED_CREDENTIALS.has(name)) {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`The AWS credentials were refused (${name}) while ${where}: check or renew them.`);
    }
    if (name === 'PermanentRedirect' ||
        name === 'AuthorizationHeaderMalformed' ||
        name === 'IllegalLocationConstraintException') {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`The bucket ${context.bucket} is in another region (${where}): set s3-region to its region.`);
    }
    if (name === 'AccessDenied' || name === 'AllAccessDisabled' || status === 403) {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`Access was denied while ${where}: allow these credentials s3:ListBucket, s3:GetObject, s3:PutObject, ` +
            's3:AbortMultipartUpload and s3:DeleteObject on the bucket (and the KMS key, with aws:kms).');
    }
    if (name === 'ConditionalRequestConflict' || status === 409) {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`Another upload to the same name ran at the same time while ${where}; nothing was replaced. Try again.`);
    }
    if (name === 'InvalidObjectState') {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`The object is archived (Glacier) while ${where}: restore it in S3 first, then try again.`);
    }
    if (name === 'NotImplemented' || status === 501) {
        return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`The S3 server does not support a request this tool needs (${(0,_domain_secrets_js__WEBPACK_IMPORTED_MODULE_5__/* .redact */ .E$)(message)}) while ${where}: ` +
            'it needs conditional writes (If-None-Match) and CRC32 checksums.');
    }
    // A 5xx, 429 or 408 the SDK's own retries did not get past is the service's trouble: the job failed.
    return new _domain_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .DbBackupError */ .pi((0,_net_network_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .isTransientStatus */ .Dm)(status) ? 'failed' : 'refused', `S3 refused ${where}: ${name} (HTTP ${status}): ${(0,_domain_secrets_js__WEBPACK_IMPORTED_MODULE_5__/* .redact */ .E$)(message)}`);
}


/***/ })

};
