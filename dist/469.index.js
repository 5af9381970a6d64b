export const id = 469;
export const ids = [469];
export const modules = {

/***/ 24469:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   openPgpEncryptor: () => (/* binding */ openPgpEncryptor),
/* harmony export */   readRecipientKeys: () => (/* reexport safe */ _openpgp_keys_js__WEBPACK_IMPORTED_MODULE_3__.u)
/* harmony export */ });
/* harmony import */ var openpgp__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(13074);
/* harmony import */ var _openpgp_settings_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(68139);
/* harmony import */ var _web_stream_transform_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(59088);
/* harmony import */ var _openpgp_keys_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(90406);




/** The OpenPGP side of `prepareEncryptor`, imported only when a backup is encrypted. */
function openPgpEncryptor(info, secrets) {
    return {
        info,
        createStage: () => new _web_stream_transform_js__WEBPACK_IMPORTED_MODULE_2__/* .WebStreamTransform */ .Bl((input) => encryptStream(input, secrets), (error) => error),
    };
}
async function encryptStream(input, secrets) {
    const message = await openpgp__WEBPACK_IMPORTED_MODULE_0__/* .createMessage */ .oH({ binary: input, format: 'binary' });
    // The library's stream types come from a package it does not ship, so they arrive untyped.
    const encrypted = await openpgp__WEBPACK_IMPORTED_MODULE_0__/* .encrypt */ .w({
        message,
        ...secrets,
        sessionKey: (0,_openpgp_settings_js__WEBPACK_IMPORTED_MODULE_1__/* .newSessionKey */ .uh)(),
        format: 'binary',
        config: _openpgp_settings_js__WEBPACK_IMPORTED_MODULE_1__/* .ENCRYPT_CONFIG */ .fV,
    });
    return encrypted;
}


/***/ }),

/***/ 90406:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Y: () => (/* binding */ unlockPrivateKeys),
/* harmony export */   u: () => (/* binding */ readRecipientKeys)
/* harmony export */ });
/* harmony import */ var openpgp__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(13074);
/* harmony import */ var _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(10241);
/* harmony import */ var _domain_secrets_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7513);
/* harmony import */ var _openpgp_settings_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(68139);
/* harmony import */ var _passphrase_rules_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(1298);





const ARMOR_BLOCK = /-----BEGIN PGP ([A-Z0-9 ,/]+)-----[\s\S]*?-----END PGP \1-----/g;
const EXPORT_PUBLIC = 'gpg --armor --export KEY-ID';
const EXPORT_PRIVATE = 'gpg --armor --export-secret-keys KEY-ID';
/** Public-key algorithms of RFC 9580 that gpg 2.2 does not know. */
const TOO_NEW_ALGORITHMS = new Set([
    openpgp__WEBPACK_IMPORTED_MODULE_0__/* .enums */ .vP.publicKey.x25519,
    openpgp__WEBPACK_IMPORTED_MODULE_0__/* .enums */ .vP.publicKey.x448,
]);
/**
 * Reads and checks the recipients' public keys before any dump starts:
 * every key must be an armored public key that can encrypt today, in a
 * format gpg 2.2 reads. Duplicates collapse to one recipient.
 */
async function readRecipientKeys(armoredKeys) {
    if (armoredKeys.length === 0) {
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`Public-key encryption needs at least one recipient: give an armored public key (${EXPORT_PUBLIC}).`);
    }
    const recipients = new Map();
    for (const [index, armored] of armoredKeys.entries()) {
        const label = `public key ${index + 1}`;
        for (const key of await readPublicKeyText(armored, label)) {
            const recipient = await checkRecipientKey(key, label);
            recipients.set(recipient.fingerprint, recipient);
        }
    }
    return [...recipients.values()];
}
async function readPublicKeyText(armored, label) {
    const keys = [];
    for (const block of armorBlocks(armored, label, 'PUBLIC', EXPORT_PUBLIC)) {
        if (block.type === 'PRIVATE KEY BLOCK') {
            // It is a secret all the same: keep it out of every log line.
            (0,_domain_secrets_js__WEBPACK_IMPORTED_MODULE_2__/* .registerSecret */ .cl)(block.text);
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`The ${label} is a private key: give the public key instead (${EXPORT_PUBLIC}); a backup needs only the public half.`);
        }
        if (block.type !== 'PUBLIC KEY BLOCK') {
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`The ${label} holds a PGP ${block.type.toLowerCase()}, not a public key: export the key with ${EXPORT_PUBLIC}.`);
        }
        try {
            keys.push(...(await openpgp__WEBPACK_IMPORTED_MODULE_0__/* .readKeys */ .x4({ armoredKeys: block.text })));
        }
        catch (error) {
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`The ${label} cannot be read (${describeLibraryError(error)}): export it again with ${EXPORT_PUBLIC}.`);
        }
    }
    return keys;
}
async function checkRecipientKey(key, label) {
    const fingerprint = key.getFingerprint().toUpperCase();
    const who = describeKey(key, label);
    if (key.isPrivate()) {
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`The ${who} is a private key: give the public key instead (${EXPORT_PUBLIC}).`);
    }
    if (await key.isRevoked(undefined, undefined, new Date(), fullConfig())) {
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`The ${who} is revoked: ask its owner for a current public key.`);
    }
    const expires = await key.getExpirationTime(undefined, fullConfig());
    if (expires instanceof Date && expires.getTime() <= Date.now()) {
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`The ${who} expired on ${expires.toISOString().slice(0, 10)}: extend it (gpg --quick-set-expire) and export it again, or use another key.`);
    }
    let encryptionKey;
    try {
        encryptionKey = await key.getEncryptionKey(undefined, new Date(), undefined, fullConfig());
    }
    catch {
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`The ${who} cannot encrypt: it has no valid encryption subkey (it is sign-only, or that subkey expired or was revoked). Give a key with an encryption subkey.`);
    }
    const packet = encryptionKey.keyPacket;
    if (packet.version !== 4 || TOO_NEW_ALGORITHMS.has(packet.algorithm)) {
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`The ${who} uses a newer OpenPGP key format (v${packet.version}, ${openpgp__WEBPACK_IMPORTED_MODULE_0__/* .enums */ .vP.read(openpgp__WEBPACK_IMPORTED_MODULE_0__/* .enums */ .vP.publicKey, packet.algorithm)}) that gpg 2.2 cannot decrypt: use a key made by gpg (rsa3072, or ed25519/cv25519).`);
    }
    return { key, fingerprint };
}
/**
 * Reads the private keys and unlocks the protected ones, so that a wrong key
 * passphrase is reported before anything is read or changed. The armored
 * text and the passphrases are registered as secrets.
 */
async function unlockPrivateKeys(privateKeys) {
    for (const { armored, passphrase } of privateKeys) {
        (0,_domain_secrets_js__WEBPACK_IMPORTED_MODULE_2__/* .registerSecret */ .cl)(armored);
        (0,_passphrase_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .givenPassphrase */ .wC)(passphrase);
    }
    const unlocked = [];
    for (const [index, { armored, passphrase }] of privateKeys.entries()) {
        const label = `private key ${index + 1}`;
        for (const key of await readPrivateKeyText(armored, label)) {
            unlocked.push(await unlockPrivateKey(key, passphrase, describeKey(key, label)));
        }
    }
    return unlocked;
}
async function readPrivateKeyText(armored, label) {
    const keys = [];
    for (const block of armorBlocks(armored, label, 'PRIVATE', EXPORT_PRIVATE)) {
        if (block.type === 'PUBLIC KEY BLOCK') {
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`The ${label} is a public key: decrypting needs the private key (${EXPORT_PRIVATE}).`);
        }
        if (block.type !== 'PRIVATE KEY BLOCK') {
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`The ${label} holds a PGP ${block.type.toLowerCase()}, not a private key: export the key with ${EXPORT_PRIVATE}.`);
        }
        try {
            keys.push(...(await openpgp__WEBPACK_IMPORTED_MODULE_0__/* .readPrivateKeys */ .Ck({ armoredKeys: block.text })));
        }
        catch (error) {
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`The ${label} cannot be read (${describeLibraryError(error)}): export it again with ${EXPORT_PRIVATE}.`);
        }
    }
    return keys;
}
async function unlockPrivateKey(key, passphrase, who) {
    if (key.isDecrypted())
        return key;
    if ((0,_passphrase_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .givenPassphrase */ .wC)(passphrase) === undefined) {
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`The ${who} is protected by a passphrase: give that passphrase too (private-key-passphrase, --private-key-passphrase-file or BACKUP_PRIVATE_KEY_PASSPHRASE).`);
    }
    try {
        return await openpgp__WEBPACK_IMPORTED_MODULE_0__/* .decryptKey */ .Vw({ privateKey: key, passphrase });
    }
    catch {
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`The passphrase for the ${who} is wrong: it does not unlock the key.`);
    }
}
/** Splits text into its armored blocks; a file may hold several, one after the other. */
function armorBlocks(text, label, kind, howToExport) {
    const blocks = [...text.matchAll(ARMOR_BLOCK)].map((match) => ({
        type: match[1] ?? '',
        text: match[0],
    }));
    if (blocks.length > 0)
        return blocks;
    if (text.trim() === '')
        throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`The ${label} is empty: give the armored key text.`);
    throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`The ${label} is not an ASCII-armored OpenPGP key (no complete "-----BEGIN PGP ${kind} KEY BLOCK-----" block): export it with ${howToExport}.`);
}
/** `public key 2 (Alice <alice@example.com>, 0500F5A0…A988)`: enough to find the key in `gpg --list-keys`. */
function describeKey(key, label) {
    const userId = key.getUserIDs()[0];
    const fingerprint = key.getFingerprint().toUpperCase();
    return userId ? `${label} (${userId}, ${fingerprint})` : `${label} (${fingerprint})`;
}
function describeLibraryError(error) {
    return (0,_domain_secrets_js__WEBPACK_IMPORTED_MODULE_2__/* .redact */ .E$)((0,_domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .errorMessage */ .gJ)(error)).replace(/\.$/, '');
}
/** Key methods take a full Config where the top-level functions take a partial one. */
function fullConfig() {
    return { ...openpgp__WEBPACK_IMPORTED_MODULE_0__/* .config */ .$W, ..._openpgp_settings_js__WEBPACK_IMPORTED_MODULE_3__/* .ENCRYPT_CONFIG */ .fV };
}


/***/ }),

/***/ 68139:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   XH: () => (/* binding */ DECRYPT_CONFIG),
/* harmony export */   fV: () => (/* binding */ ENCRYPT_CONFIG),
/* harmony export */   uh: () => (/* binding */ newSessionKey)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var openpgp__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(13074);


/**
 * What we write must open with `gpg` 2.2 (Debian 12, Ubuntu 22.04/24.04), so
 * every default that decides the format is pinned here rather than trusted:
 * SEIPD v1 (AES-256 with MDC) instead of AEAD, iterated+salted S2K instead of
 * Argon2, v4 keys, and no compression because the input is already compressed
 * (or, with compression none, was asked to stay uncompressed).
 * OpenPGP.js takes numeric enums here; the names as strings throw.
 */
const ENCRYPT_CONFIG = {
    preferredSymmetricAlgorithm: openpgp__WEBPACK_IMPORTED_MODULE_1__/* .enums */ .vP.symmetric.aes256,
    preferredCompressionAlgorithm: openpgp__WEBPACK_IMPORTED_MODULE_1__/* .enums */ .vP.compression.uncompressed,
    aeadProtect: false,
    s2kType: openpgp__WEBPACK_IMPORTED_MODULE_1__/* .enums */ .vP.s2k.iterated,
    v6Keys: false,
};
/**
 * Streams the plaintext out as it is decrypted. The default would read the
 * whole file into memory first to check its integrity; here the check (the
 * MDC) fails the stream at its end instead, so callers must not trust the
 * output until the stream has ended cleanly.
 */
const DECRYPT_CONFIG = {
    allowUnauthenticatedStream: true,
};
/**
 * A fresh AES-256 session key, given explicitly so that the recipients' key
 * preferences cannot pick a weaker cipher or the AEAD format gpg 2.2 cannot read.
 */
function newSessionKey() {
    return { data: new Uint8Array((0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(32)), algorithm: 'aes256' };
}


/***/ }),

/***/ 59088:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Bl: () => (/* binding */ WebStreamTransform),
/* harmony export */   cD: () => (/* binding */ StalledStream)
/* harmony export */ });
/* unused harmony export STALL_AFTER_END_MS */
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(57075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_0__);

/**
 * How long the web side may go without a byte, once all input is in and
 * nothing downstream holds it back, before the stage counts as stalled.
 * Whatever is left to emit by then is a few chunks already read.
 */
const STALL_AFTER_END_MS = 10_000;
/** The web side neither ended nor failed its output after the input ended. */
class StalledStream extends Error {
    constructor() {
        super(`The stream stopped: no output for ${STALL_AFTER_END_MS / 1000} s after its input ended, and it neither ended nor failed.`);
        this.name = 'StalledStream';
    }
}
/**
 * A Node Transform whose work is done by a library that speaks web streams
 * only (OpenPGP.js 6), so that it fits `stream/promises.pipeline` and the
 * `Transform[]` stage lists of encode/decode.
 *
 * Backpressure holds both ways: a write completes only once the web side has
 * pulled the chunk (the identity TransformStream in between queues nothing),
 * and the output pump waits for `_read` whenever `push` says the readable
 * buffer is full. So a stage holds a few chunks, never the whole stream.
 *
 * Errors cross in both directions: a failure on the web side destroys this
 * stream (after `describe`), and destroying this stream aborts the web input
 * and cancels the web output, so the library's own reads and writes settle.
 *
 * A web side that neither ends nor fails once its input has ended (OpenPGP.js
 * does so with some files gpg made, opened with a wrong passphrase) fails the
 * stage with a StalledStream, after `describe`, instead of hanging the job.
 *
 * One instance carries one stream; make a new one for every use.
 */
class WebStreamTransform extends node_stream__WEBPACK_IMPORTED_MODULE_0__.Transform {
    #input = new TransformStream();
    #writer = this.#input.writable.getWriter();
    #describe;
    #pumped;
    #reader;
    #resumePump;
    /** When the output pump last got a byte or was let go on. */
    #lastProgress = Date.now();
    constructor(filter, describe) {
        super();
        this.#describe = describe;
        this.#pumped = this.#pump(filter);
        // A failure while data still flows must stop the pipeline now, not at flush time.
        this.#pumped.catch((error) => this.destroy(this.#asError(error)));
    }
    _transform(chunk, _encoding, callback) {
        this.#writer.write(chunk).then(() => callback(), (error) => callback(this.#asError(error)));
    }
    _flush(callback) {
        // close() rejects when the web side already failed; #pumped reports that failure.
        this.#writer.close().catch(() => undefined);
        let settled = false;
        const settle = (error) => {
            if (settled)
                return;
            settled = true;
            clearInterval(watch);
            callback(error);
        };
        this.#lastProgress = Date.now();
        // Not unref'd: a stalled web side leaves nothing else to keep the process alive.
        const watch = setInterval(() => {
            const heldBack = this.#resumePump !== undefined;
            if (!heldBack && Date.now() - this.#lastProgress > STALL_AFTER_END_MS)
                settle(this.#asError(new StalledStream()));
        }, 1000);
        this.#pumped.then(() => settle(), (error) => settle(this.#asError(error)));
    }
    _read(size) {
        super._read(size);
        this.#wake();
    }
    _destroy(error, callback) {
        const reason = error ?? new Error('The stream was closed before it ended.');
        this.#writer.abort(reason).catch(() => undefined);
        this.#reader?.cancel(reason).catch(() => undefined);
        this.#wake();
        callback(error);
    }
    async #pump(filter) {
        const output = await filter(this.#input.readable);
        const reader = output.getReader();
        this.#reader = reader;
        if (this.destroyed)
            await reader.cancel().catch(() => undefined);
        while (!this.destroyed) {
            const { done, value } = await reader.read();
            this.#lastProgress = Date.now();
            if (done || this.destroyed)
                return;
            if (value.length === 0)
                continue;
            if (!this.push(value)) {
                await new Promise((resolve) => (this.#resumePump = resolve));
                this.#lastProgress = Date.now();
            }
        }
    }
    #wake() {
        const resume = this.#resumePump;
        this.#resumePump = undefined;
        resume?.();
    }
    #asError(error) {
        const described = this.#describe(error);
        return described instanceof Error ? described : new Error(String(described));
    }
}


/***/ })

};
