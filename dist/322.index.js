export const id = 322;
export const ids = [322];
export const modules = {

/***/ 60322:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ArtifactStorage: () => (/* binding */ ArtifactStorage)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
var promises_default = /*#__PURE__*/__webpack_require__.n(promises_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: ./node_modules/@actions/artifact/lib/artifact.js + 28 modules
var artifact = __webpack_require__(76799);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js
var github = __webpack_require__(61351);
// EXTERNAL MODULE: ./src/domain/errors.ts
var errors = __webpack_require__(10241);
// EXTERNAL MODULE: ./src/net/network-errors.ts
var network_errors = __webpack_require__(43641);
// EXTERNAL MODULE: ./src/net/retry.ts
var retry = __webpack_require__(37893);
// EXTERNAL MODULE: ./src/fs/files.ts
var files = __webpack_require__(18176);
// EXTERNAL MODULE: ./src/domain/secrets.ts
var secrets = __webpack_require__(7513);
// EXTERNAL MODULE: ./src/storage/body-checks.ts
var body_checks = __webpack_require__(88195);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
var external_node_zlib_default = /*#__PURE__*/__webpack_require__.n(external_node_zlib_);
;// CONCATENATED MODULE: ./src/storage/zip-single-file.ts



/**
 * Streams the one file out of a zip that holds exactly one (what
 * upload-artifact made of a single file before unzipped artifacts existed),
 * for `stream.pipeline`: zip bytes in, the file's bytes out, memory bounded.
 *
 * A zip written as a stream (archiver, as @actions/artifact uses it) puts the
 * sizes and CRC after the data, and the authoritative ones in the central
 * directory at the very end. So the last bytes are held back until the input
 * ends; then the central directory says how many of them still belong to the
 * data, and the CRC-32 and size of what came out are checked against it.
 */
async function* unzipSingleFile(source) {
    const input = source[Symbol.asyncIterator]();
    const { header, rest } = await readLocalHeader(input);
    const found = {};
    const data = entryData(rest, input, header.length, found);
    const plain = header.method === STORED ? data : inflateRaw(data);
    let crc = 0;
    let size = 0;
    for await (const chunk of plain) {
        crc = external_node_zlib_default().crc32(chunk, crc);
        size += chunk.length;
        yield chunk;
    }
    const entry = found.entry;
    if (!entry)
        throw new ZipError('the central directory was not read');
    if (entry.method !== header.method)
        throw new ZipError('local and central headers disagree');
    if (size !== entry.uncompressedSize || crc >>> 0 !== entry.crc32) {
        throw new ZipError(`the file inside is damaged (${size} bytes, CRC-32 ${hex(crc)}; ` +
            `the zip says ${entry.uncompressedSize} bytes, CRC-32 ${hex(entry.crc32)})`);
    }
}
class ZipError extends Error {
    constructor(problem) {
        super(`Not a readable single-file zip: ${problem}.`);
    }
}
const STORED = 0;
const DEFLATED = 8;
const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_END = 0x06064b50;
const ZIP64_EXTRA = 0x0001;
/**
 * Bytes held back at the end: more than any trailer (data descriptor, one
 * central entry with a 64 KiB name/extra/comment, zip64 records, the end
 * record with a 64 KiB comment).
 */
const TRAILER_WINDOW = 512 * 1024;
async function readLocalHeader(input) {
    let buffer = Buffer.alloc(0);
    const need = async (length) => {
        while (buffer.length < length) {
            const next = await input.next();
            if (next.done)
                throw new ZipError('it ends inside the first header');
            buffer = Buffer.concat([buffer, next.value]);
        }
    };
    await need(30);
    if (buffer.readUInt32LE(0) !== LOCAL_HEADER)
        throw new ZipError('no zip signature');
    const flags = buffer.readUInt16LE(6);
    const method = buffer.readUInt16LE(8);
    if (flags & 1)
        throw new ZipError('the entry is encrypted');
    if (method !== STORED && method !== DEFLATED) {
        throw new ZipError(`compression method ${method} is not supported`);
    }
    const length = 30 + buffer.readUInt16LE(26) + buffer.readUInt16LE(28);
    await need(length);
    return { header: { method, length }, rest: buffer.subarray(length) };
}
/**
 * The entry's compressed bytes, exactly: everything after the local header
 * except the trailer, which is parsed into `found.entry` once the input ends.
 */
async function* entryData(first, input, headerLength, found) {
    const held = first.length > 0 ? [first] : [];
    let heldLength = first.length;
    let passed = 0;
    for (;;) {
        const next = await input.next();
        if (next.done)
            break;
        held.push(next.value);
        heldLength += next.value.length;
        while (held.length > 1 && heldLength - held[0].length >= TRAILER_WINDOW) {
            const chunk = held.shift();
            heldLength -= chunk.length;
            passed += chunk.length;
            yield chunk;
        }
    }
    const tail = Buffer.concat(held);
    const entry = parseTrailer(tail, headerLength + passed);
    found.entry = entry;
    const remaining = entry.compressedSize - passed;
    if (remaining < 0 || remaining > tail.length) {
        throw new ZipError('the central directory does not match the data');
    }
    if (remaining > 0)
        yield tail.subarray(0, remaining);
}
async function* inflateRaw(data) {
    const inflater = external_node_zlib_default().createInflateRaw();
    // Errors of either side end up in the iteration below; the pipeline's own rejection is
    // awaited after it so none goes unhandled.
    const feeding = (0,external_node_stream_promises_.pipeline)(external_node_stream_.Readable.from(data), inflater).then(() => undefined, (error) => (error instanceof Error ? error : new Error('inflating failed')));
    for await (const chunk of inflater)
        yield chunk;
    const failure = await feeding;
    if (failure)
        throw failure;
}
/** Reads the end records and the single central directory entry from the held-back tail. */
function parseTrailer(tail, tailOffset) {
    const end = findEndRecord(tail);
    let entries = tail.readUInt16LE(end + 10);
    let directorySize = tail.readUInt32LE(end + 12);
    let directoryEnd = end;
    if (entries === 0xffff || directorySize === 0xffffffff) {
        const locator = end - 20;
        if (locator < 0 || tail.readUInt32LE(locator) !== ZIP64_END_LOCATOR) {
            throw new ZipError('zip64 end locator missing');
        }
        const record = Number(tail.readBigUInt64LE(locator + 8)) - tailOffset;
        if (record < 0 || tail.readUInt32LE(record) !== ZIP64_END) {
            throw new ZipError('zip64 end record missing');
        }
        entries = Number(tail.readBigUInt64LE(record + 32));
        directorySize = Number(tail.readBigUInt64LE(record + 40));
        directoryEnd = record;
    }
    if (entries !== 1)
        throw new ZipError(`it holds ${entries} entries, not one file`);
    const at = directoryEnd - directorySize;
    if (at < 0 || tail.readUInt32LE(at) !== CENTRAL_HEADER) {
        throw new ZipError('central directory not found');
    }
    const nameLength = tail.readUInt16LE(at + 28);
    const name = tail.toString('utf8', at + 46, at + 46 + nameLength);
    if (name.endsWith('/'))
        throw new ZipError('its only entry is a directory');
    const sizes = {
        uncompressedSize: tail.readUInt32LE(at + 24),
        compressedSize: tail.readUInt32LE(at + 20),
        localHeaderOffset: tail.readUInt32LE(at + 42),
    };
    applyZip64Extra(sizes, tail.subarray(at + 46 + nameLength, at + 46 + nameLength + tail.readUInt16LE(at + 30)));
    if (sizes.localHeaderOffset !== 0)
        throw new ZipError('the file does not start the zip');
    return {
        method: tail.readUInt16LE(at + 10),
        crc32: tail.readUInt32LE(at + 16),
        compressedSize: sizes.compressedSize,
        uncompressedSize: sizes.uncompressedSize,
    };
}
function findEndRecord(tail) {
    const earliest = Math.max(0, tail.length - 22 - 0xffff);
    for (let at = tail.length - 22; at >= earliest; at -= 1) {
        if (tail.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY &&
            at + 22 + tail.readUInt16LE(at + 20) === tail.length) {
            return at;
        }
    }
    throw new ZipError('end of central directory not found (a truncated download?)');
}
/** Sizes of 0xffffffff live in the zip64 extra field, in this order, when present. */
function applyZip64Extra(sizes, extra) {
    for (let at = 0; at + 4 <= extra.length;) {
        const id = extra.readUInt16LE(at);
        const length = extra.readUInt16LE(at + 2);
        if (id === ZIP64_EXTRA) {
            let field = at + 4;
            for (const key of ['uncompressedSize', 'compressedSize', 'localHeaderOffset']) {
                if (sizes[key] !== 0xffffffff)
                    continue;
                sizes[key] = Number(extra.readBigUInt64LE(field));
                field += 8;
            }
            return;
        }
        at += 4 + length;
    }
}
function hex(value) {
    return (value >>> 0).toString(16).padStart(8, '0');
}

;// CONCATENATED MODULE: ./src/storage/artifact.ts















/**
 * GitHub's REST API and blob store fail now and then (a 502, a 429, a reset
 * connection): four attempts with 1, 2, 4 s pauses (±jitter), and the wait a
 * rate limit asks for when it is at most a minute.
 */
const RETRY = {
    attempts: 4,
    baseDelayMs: 1000,
    maxDelayMs: 8000,
    maxServerWaitMs: 60_000,
    // GitHub: a secondary rate limit without retry-after means "wait at least one minute".
    rateLimitWaitMs: 60_000,
};
/** A download from the blob store that did not complete, and whether trying again may help. */
class BlobError extends Error {
    transient;
    retryAfter;
    constructor(message, transient, retryAfter) {
        super(message);
        this.transient = transient;
        this.retryAfter = retryAfter;
    }
}
const PAGE_SIZE = 100;
const ZIP_TYPES = new Set([
    'application/zip',
    'application/x-zip-compressed',
    'application/zip-compressed',
]);
/**
 * The repository's GitHub Actions artifacts: one object = one artifact named
 * after it. Uploads go through @actions/artifact as single unzipped files, so
 * a person who downloads a backup from the run's page gets the .gz (or .gpg)
 * itself. Uploading needs a workflow job (the runner's ACTIONS_RUNTIME_TOKEN);
 * listing, fetching and deleting use the REST API with `token` and work across
 * runs, and from outside GitHub Actions.
 */
class ArtifactStorage {
    options;
    id = 'artifact';
    location;
    owner;
    repo;
    octokit;
    retry;
    constructor(options) {
        this.options = options;
        this.retry = { ...RETRY, ...options.retry };
        (0,secrets/* registerSecret */.cl)(options.token);
        const [owner, repo, extra] = options.repository.split('/');
        if (!owner || !repo || extra !== undefined) {
            throw new errors/* UserError */.yo(`The repository for artifacts must be owner/name, not "${options.repository}".`);
        }
        this.owner = owner;
        this.repo = repo;
        this.location = `GitHub artifacts of ${options.repository}`;
        this.octokit = (0,github/* getOctokit */.Q)(options.token, { baseUrl: options.apiUrl.replace(/\/+$/, '') });
    }
    async put(name, body) {
        checkName(name);
        // Artifacts of the same name may coexist across runs; ours never do.
        const existing = await this.artifactsNamed(name);
        if (existing.length > 0)
            throw this.alreadyExists(name, existing);
        // @actions/artifact uploads files only, named after the file: stage the body as `name`.
        const dir = await (0,files/* temporaryDirectory */.De)('artifact');
        try {
            const file = external_node_path_default().join(dir, name);
            const sha256 = await stage(body, file);
            const uploaded = await this.upload(name, file, dir);
            await this.checkUploaded(name, uploaded, body.size, sha256);
            return { id: String(uploaded.id) };
        }
        finally {
            await (0,files/* removeQuietly */.S2)(dir);
        }
    }
    async get(name, target) {
        checkName(name);
        const artifact = newestOf(await this.artifactsNamed(name));
        if (!artifact)
            throw new errors/* UserError */.yo(`${name} is not among the ${this.location} (or it has expired).`);
        // 'wx': the target must not exist, and a file we did not create is never removed below.
        await (await promises_default().open(target, 'wx', files/* FILE_MODE */.rE)).close();
        try {
            await this.download(artifact, target);
        }
        catch (error) {
            await promises_default().rm(target, { force: true });
            throw error;
        }
    }
    async list() {
        const newest = new Map();
        for (const artifact of await this.artifacts()) {
            const seen = newest.get(artifact.name);
            if (!seen || isNewer(artifact, seen))
                newest.set(artifact.name, artifact);
        }
        return [...newest.values()].map((artifact) => ({
            name: artifact.name,
            size: artifact.size,
            modified: artifact.created,
        }));
    }
    async delete(name) {
        checkName(name);
        // A re-run uploads its own artifact of the same name: all of them are this object.
        for (const artifact of await this.artifactsNamed(name)) {
            try {
                await this.retrying(() => this.octokit.rest.actions.deleteArtifact({
                    owner: this.owner,
                    repo: this.repo,
                    artifact_id: artifact.id,
                }));
            }
            catch (error) {
                if (statusOf(error) === 404)
                    continue;
                throw this.restError(error, 'delete', name);
            }
        }
    }
    /** A REST call, retried on 5xx, 429, rate limits that end soon and broken connections. */
    retrying(call) {
        return (0,retry/* withRetries */.LH)(call, (error) => this.advise(error), this.retry);
    }
    /** Whether a failed REST call is worth another attempt, and after how long (GitHub's rate-limit rules). */
    advise(error) {
        const status = statusOf(error);
        if (status === undefined)
            return { retry: (0,network_errors/* isConnectionError */.Rk)(error) };
        const headers = headersOf(error);
        if (status === 429 || status === 403) {
            const after = (0,retry/* retryAfterMs */.Vs)(headers['retry-after'], Date.now());
            if (after !== undefined)
                return { retry: true, afterMs: after };
            if (headers['x-ratelimit-remaining'] === '0') {
                const reset = Number(headers['x-ratelimit-reset']);
                // Past the policy's longest wait, the caller gives up and says when the limit resets.
                return Number.isFinite(reset) && reset > 0
                    ? { retry: true, afterMs: Math.max(0, reset * 1000 - Date.now()) + 1000 }
                    : { retry: false };
            }
            if (status === 429 || /secondary rate limit/i.test(apiMessageOf(error)))
                return { retry: true, afterMs: this.retry.rateLimitWaitMs };
            return { retry: false };
        }
        // Octokit reports a connection that failed as status 500 without a response.
        return { retry: (0,network_errors/* isTransientStatus */.Dm)(status) };
    }
    /** Every live (unexpired) artifact of the repository, or those named `name`, all runs. */
    async artifacts(name) {
        try {
            // The listing is read again whole when a page fails: pages of a changed list do not mix.
            return await this.retrying(() => this.listPages(name));
        }
        catch (error) {
            throw this.restError(error, 'list', name);
        }
    }
    async listPages(name) {
        const found = [];
        {
            const pages = this.octokit.paginate.iterator(this.octokit.rest.actions.listArtifactsForRepo, {
                owner: this.owner,
                repo: this.repo,
                per_page: PAGE_SIZE,
                ...(name === undefined ? {} : { name }),
            });
            for await (const page of pages) {
                for (const artifact of page.data) {
                    if (artifact.expired)
                        continue;
                    // The name filter is the service's; checked again so a looser match cannot slip through.
                    if (name !== undefined && artifact.name !== name)
                        continue;
                    found.push({
                        id: artifact.id,
                        name: artifact.name,
                        size: artifact.size_in_bytes,
                        created: new Date(artifact.created_at ?? artifact.updated_at ?? 0),
                        digest: artifact.digest ?? undefined,
                        runId: artifact.workflow_run?.id,
                    });
                }
            }
        }
        return found;
    }
    artifactsNamed(name) {
        return this.artifacts(name);
    }
    async upload(name, file, dir) {
        const { retentionDays } = this.options;
        try {
            return await new artifact/* DefaultArtifactClient */.t9().uploadArtifact(name, [file], dir, {
                // One file, stored as itself: the download from the web page is the backup, not a zip.
                skipArchive: true,
                ...(retentionDays ? { retentionDays } : {}),
            });
        }
        catch (error) {
            throw this.uploadError(error, name);
        }
    }
    /** The client reports what it sent; a missing id or a different size or digest is a failure. */
    async checkUploaded(name, uploaded, size, sha256) {
        if (!uploaded.id)
            throw new errors/* JobFailure */.y3(`Uploading artifact ${name} returned no artifact id.`);
        if (uploaded.size === size && uploaded.digest === sha256)
            return;
        await this.octokit.rest.actions
            .deleteArtifact({ owner: this.owner, repo: this.repo, artifact_id: uploaded.id })
            .catch(() => undefined);
        throw new errors/* JobFailure */.y3(`Artifact ${name} was not uploaded intact (${uploaded.size ?? '?'} bytes, sha256 ` +
            `${uploaded.digest ?? '?'}; expected ${size} bytes, sha256 ${sha256}); it was removed.`);
    }
    /**
     * Streams the artifact's blob into the file `target` (created empty by the
     * caller): the raw file, or the
     * file inside a one-file zip. A failed attempt (the blob store's 5xx or 429,
     * a connection that broke off mid-way) starts again from byte 0 with a
     * fresh download URL (GitHub's expire within minutes).
     */
    async download(artifact, target) {
        try {
            await (0,retry/* withRetries */.LH)(async () => {
                await promises_default().truncate(target, 0);
                await this.downloadOnce(artifact, target);
            }, (error) => error instanceof BlobError
                ? error.transient
                    ? {
                        retry: true,
                        ...(error.retryAfter !== undefined ? { afterMs: error.retryAfter } : {}),
                    }
                    : { retry: false }
                : (0,errors/* isWorded */.UD)(error)
                    ? { retry: false }
                    : this.advise(error), this.retry);
        }
        catch (error) {
            if ((0,errors/* isWorded */.UD)(error))
                throw error;
            const attempts = (0,retry/* attemptsOf */.Or)(error);
            const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
            if (error instanceof BlobError) {
                throw new errors/* JobFailure */.y3(`Downloading ${artifact.name} from the ${this.location} failed${tries}: ${(0,secrets/* redact */.E$)(error.message)}`);
            }
            throw this.restError(error, 'get', artifact.name);
        }
    }
    async downloadOnce(artifact, target) {
        const url = await this.downloadUrl(artifact);
        // The signed URL is its own authorisation: the token must not travel to the blob store.
        let response;
        try {
            response = await fetch(url);
        }
        catch (error) {
            throw new BlobError((0,network_errors/* connectionErrorText */.Gd)(error), (0,network_errors/* isConnectionError */.Rk)(error));
        }
        if (!response.ok || !response.body) {
            await response.body?.cancel();
            throw new BlobError(`the blob store answered ${response.status} ${response.statusText}`, (0,network_errors/* isTransientStatus */.Dm)(response.status), (0,retry/* retryAfterMs */.Vs)(response.headers.get('retry-after'), Date.now()));
        }
        const hash = (0,external_node_crypto_.createHash)('sha256');
        const source = external_node_stream_.Readable.fromWeb(response.body);
        // 'r+': into the file the caller created (never one put in its place), from byte 0.
        const output = (0,external_node_fs_.createWriteStream)(target, { flags: 'r+', mode: files/* FILE_MODE */.rE });
        try {
            if (isZip(response, url))
                await (0,external_node_stream_promises_.pipeline)(source, (0,body_checks/* hashing */.z)(hash), unzipSingleFile, output);
            else
                await (0,external_node_stream_promises_.pipeline)(source, (0,body_checks/* hashing */.z)(hash), output);
        }
        catch (error) {
            throw new BlobError((0,network_errors/* isConnectionError */.Rk)(error) ? (0,network_errors/* connectionErrorText */.Gd)(error) : (0,errors/* errorMessage */.gJ)(error), (0,network_errors/* isConnectionError */.Rk)(error));
        }
        const digest = `sha256:${hash.digest('hex')}`;
        if (artifact.digest && artifact.digest !== digest) {
            throw new errors/* IntegrityError */.cs(`${artifact.name} from the ${this.location} does not match the digest GitHub recorded at upload ` +
                `(${digest}; expected ${artifact.digest}): the download or the stored artifact is damaged.`);
        }
    }
    /** The signed blob URL GitHub redirects to (raw errors: the caller retries and describes them). */
    async downloadUrl(artifact) {
        try {
            const response = await this.octokit.rest.actions.downloadArtifact({
                owner: this.owner,
                repo: this.repo,
                artifact_id: artifact.id,
                archive_format: 'zip',
                // The redirect target is a signed blob URL: fetched separately, without our token.
                request: { redirect: 'manual' },
            });
            const location = response.headers.location;
            if (!location)
                throw new Error(`no redirect (status ${String(response.status)})`);
            return location;
        }
        catch (error) {
            if (statusOf(error) === 410) {
                throw new errors/* UserError */.yo(`${artifact.name} has expired among the ${this.location}.`);
            }
            throw error;
        }
    }
    alreadyExists(name, existing) {
        const runs = [...new Set(existing.map((artifact) => artifact.runId).filter(Boolean))];
        const where = this.options.runId !== undefined && runs.includes(this.options.runId)
            ? 'by this run'
            : runs.length > 0
                ? `by run ${runs.join(', ')}`
                : 'elsewhere';
        return new errors/* UserError */.yo(`${name} already exists among the ${this.location} (uploaded ${where}); it was left as it is.`);
    }
    /** One line naming what to grant; anything unrecognised keeps its (redacted) message. */
    restError(error, operation, name) {
        if ((0,errors/* isWorded */.UD)(error))
            return error;
        const status = statusOf(error);
        const detail = (0,secrets/* redact */.E$)(apiMessageOf(error));
        const repository = this.options.repository;
        const permission = operation === 'delete' ? 'actions: write' : 'actions: read';
        const tries = (0,retry/* attemptsOf */.Or)(error) > 1 ? ` (${(0,retry/* attemptsOf */.Or)(error)} attempts)` : '';
        const doing = operation === 'delete'
            ? `delete ${name ?? 'artifacts'}`
            : operation === 'get'
                ? `download ${name ?? 'artifacts'}`
                : 'list artifacts';
        if (status === 429 || (status === 403 && isRateLimited(error, detail))) {
            return new errors/* JobFailure */.y3(`GitHub's API rate limit was reached trying to ${doing} in ${repository}${resetOf(error)}${tries}: ${detail}`);
        }
        if (status === 401) {
            return new errors/* UserError */.yo(`GitHub refused the token for ${repository} (401 ${detail}): check the github-token given.`);
        }
        if (status === 403) {
            return new errors/* UserError */.yo(`The token may not ${doing} in ${repository} (403): grant it \`${permission}\` ` +
                `(workflow \`permissions:\`, or a fine-grained token's Actions permission). ${detail}`);
        }
        if (status === 404) {
            return new errors/* UserError */.yo(`${repository} was not found, or the token cannot see it (404): it needs \`${permission}\` on that repository.`);
        }
        if ((0,network_errors/* isTransientStatus */.Dm)(status)) {
            return new errors/* JobFailure */.y3(`Could not ${doing} in ${repository}, GitHub answered ${status}${tries}: ${detail}`);
        }
        if ((0,network_errors/* isConnectionError */.Rk)(error)) {
            return new errors/* JobFailure */.y3(`Could not ${doing} in ${repository}, the connection to GitHub failed${tries}: ${detail}`);
        }
        return new Error(`Could not ${doing} in ${repository}: ${detail}`, { cause: error });
    }
    uploadError(error, name) {
        const detail = (0,secrets/* redact */.E$)(firstLine((0,errors/* errorMessage */.gJ)(error)));
        const kind = error instanceof Error ? error.name : '';
        if (/ACTIONS_RUNTIME_TOKEN|ACTIONS_RESULTS_URL/.test(detail)) {
            return new errors/* UserError */.yo('Uploading an artifact needs a GitHub Actions job: the runner gives its upload credentials ' +
                '(ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL) to actions only, so run db-backup as an action ' +
                '(`uses:`), not from a `run:` step or outside GitHub Actions.');
        }
        if (kind === 'GHESNotSupportedError') {
            return new errors/* UserError */.yo('Artifact storage is not available on GitHub Enterprise Server: choose another target.');
        }
        if (kind === 'UsageError') {
            return new errors/* UserError */.yo(`Uploading ${name} failed: the account's artifact storage quota is used up. Delete old artifacts ` +
                '(or lower max-backups / retention), or raise the storage limit in the billing settings.');
        }
        if (/\(409\)|already exists/i.test(detail)) {
            return new errors/* UserError */.yo(`${name} already exists among the ${this.location} (uploaded by this run); it was left as it is.`);
        }
        if (/\((401|403)\)/.test(detail)) {
            return new errors/* UserError */.yo(`GitHub refused the job's runtime token while uploading ${name}: ${detail}`);
        }
        if (kind === 'NetworkError' || /after \d+ attempts|\((5\d\d)\)|stalled/i.test(detail)) {
            return new errors/* JobFailure */.y3(`Uploading artifact ${name} failed, GitHub's artifact service did not answer: ${detail}`);
        }
        return new Error(`Uploading artifact ${name} failed: ${detail}`, { cause: error });
    }
}
/** Writes the body to `file`, checking its length, and returns its sha256 (hex). */
async function stage(body, file) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    await (0,external_node_stream_promises_.pipeline)(body.open(), (0,body_checks/* exactLength */.S)(body.size), (0,body_checks/* hashing */.z)(hash), (0,external_node_fs_.createWriteStream)(file, { flags: 'wx', mode: files/* FILE_MODE */.rE }));
    return hash.digest('hex');
}
function checkName(name) {
    // The characters GitHub refuses in artifact names (and path separators).
    if (!name || /[":<>|*?\r\n\\/]/.test(name))
        throw new Error(`Not a valid artifact name: ${name}`);
}
function isNewer(a, b) {
    return (a.created.getTime() - b.created.getTime() > 0 ||
        (a.created.getTime() === b.created.getTime() && a.id > b.id));
}
function newestOf(artifacts) {
    return artifacts.reduce((newest, artifact) => (!newest || isNewer(artifact, newest) ? artifact : newest), undefined);
}
/** The rule @actions/artifact's own download follows: a zip content type, or a .zip blob path. */
function isZip(response, url) {
    const type = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    return ZIP_TYPES.has(type) || new URL(url).pathname.toLowerCase().endsWith('.zip');
}
function statusOf(error) {
    const status = error?.status;
    return typeof status === 'number' ? status : undefined;
}
function headersOf(error) {
    return (error?.response
        ?.headers ?? {});
}
function isRateLimited(error, detail) {
    return headersOf(error)['x-ratelimit-remaining'] === '0' || /rate limit/i.test(detail);
}
function resetOf(error) {
    const reset = Number(headersOf(error)['x-ratelimit-reset']);
    return Number.isFinite(reset) && reset > 0
        ? ` (it resets at ${new Date(reset * 1000).toISOString()})`
        : '';
}
function firstLine(text) {
    return (text.split('\n').find((line) => line.trim()) ?? '').trim();
}
/** Octokit's message is the API's plus " - <documentation URL>": the URL adds nothing here. */
function apiMessageOf(error) {
    return firstLine((0,errors/* errorMessage */.gJ)(error)).replace(/ - https:\/\/docs\.github\.com\S*$/, '');
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


/***/ })

};
