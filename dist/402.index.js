export const id = 402;
export const ids = [402];
export const modules = {

/***/ 93402:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  prepareDecryptor: () => (/* binding */ prepareDecryptor)
});

// EXTERNAL MODULE: ./node_modules/openpgp/dist/node/openpgp.mjs
var openpgp = __webpack_require__(13074);
// EXTERNAL MODULE: ./src/domain/errors.ts
var errors = __webpack_require__(10241);
// EXTERNAL MODULE: ./src/domain/secrets.ts
var secrets = __webpack_require__(7513);
// EXTERNAL MODULE: ./src/pipeline/openpgp-format.ts
var openpgp_format = __webpack_require__(84041);
// EXTERNAL MODULE: ./src/pipeline/openpgp-keys.ts
var openpgp_keys = __webpack_require__(90406);
// EXTERNAL MODULE: ./src/pipeline/passphrase-rules.ts
var passphrase_rules = __webpack_require__(1298);
// EXTERNAL MODULE: ./src/pipeline/openpgp-settings.ts
var openpgp_settings = __webpack_require__(68139);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
;// CONCATENATED MODULE: ./src/pipeline/stream-head.ts
/** Reads at least `count` bytes of `input` (fewer only at its end) without losing them. */
async function readHead(input, count) {
    const reader = input.getReader();
    const chunks = [];
    let length = 0;
    let ended = false;
    while (length < count && !ended) {
        const { done, value } = await reader.read();
        if (done)
            ended = true;
        else {
            chunks.push(value);
            length += value.length;
        }
    }
    const stream = new ReadableStream({
        start(controller) {
            for (const chunk of chunks)
                controller.enqueue(chunk);
            if (ended)
                controller.close();
        },
        async pull(controller) {
            const { done, value } = await reader.read();
            if (done)
                controller.close();
            else
                controller.enqueue(value);
        },
        cancel: (reason) => reader.cancel(reason),
    }, { highWaterMark: 0 });
    return { head: Buffer.concat(chunks), stream };
}

;// CONCATENATED MODULE: ./src/pipeline/session-key-check.ts



/** The block ciphers Node has under OpenPGP's names; another cipher is not checked here. */
const ECB_CIPHERS = {
    aes128: 'aes-128-ecb',
    aes192: 'aes-192-ecb',
    aes256: 'aes-256-ecb',
};
const BLOCK = 16;
/**
 * Of several session keys, the ones the encrypted data was made with, as far as
 * the data's own quick check tells (RFC 4880 5.13): the random prefix at the
 * start of a SEIPD v1 packet repeats its last two bytes, which a wrong key
 * decrypts to a match once in 65,536 times.
 *
 * Several keys come from a file with several session-key packets: a key-less
 * passphrase packet yields a key for any passphrase, a wrong one among them.
 * The library tries all keys at once and keeps whichever parse finished last,
 * so without this a good file failed now and then, as damaged. One key, a
 * cipher Node has no ECB mode of, or an AEAD packet (which fails at its first
 * chunk) are left as they are; so is the list when no key passes, which then
 * fails as before.
 */
async function keysTheDataAccepts(message, keys) {
    if (keys.length < 2)
        return keys;
    const packet = message.packets.find((candidate) => candidate instanceof openpgp/* SymEncryptedIntegrityProtectedDataPacket */.ZF);
    if (packet?.version !== 1 || packet.encrypted === null)
        return keys;
    const head = await peek(packet, BLOCK + 2);
    if (head.length < BLOCK + 2)
        return keys;
    const passing = keys.filter((key) => quickCheckPasses(key, head) !== false);
    return passing.length > 0 ? passing : keys;
}
/** Whether the key decrypts the prefix to its repeated bytes; undefined when Node cannot tell. */
function quickCheckPasses(key, head) {
    const cipher = key.algorithm === null ? undefined : ECB_CIPHERS[key.algorithm];
    if (cipher === undefined)
        return undefined;
    const encryptBlock = (block) => (0,external_node_crypto_.createCipheriv)(cipher, key.data, null).setAutoPadding(false).update(block);
    // OpenPGP's CFB with a zero IV: block one is C1 xor E(0), the next two bytes C[16..17] xor E(C1).
    const first = encryptBlock(new Uint8Array(BLOCK));
    const next = encryptBlock(head.subarray(0, BLOCK));
    return ((head[BLOCK - 2] ^ first[BLOCK - 2]) === (head[BLOCK] ^ next[0]) &&
        (head[BLOCK - 1] ^ first[BLOCK - 1]) === (head[BLOCK + 1] ^ next[1]));
}
/**
 * The first `count` bytes of the packet's encrypted data (fewer when it is
 * shorter), leaving the packet holding a stream that gives them again.
 */
async function peek(packet, count) {
    const encrypted = packet.encrypted;
    if (encrypted instanceof Uint8Array)
        return encrypted.subarray(0, count);
    if (!(encrypted instanceof ReadableStream))
        return new Uint8Array();
    const { head, stream } = await readHead(encrypted, count);
    packet.encrypted = stream;
    return head.subarray(0, count);
}

// EXTERNAL MODULE: ./src/pipeline/web-stream-transform.ts
var web_stream_transform = __webpack_require__(59088);
;// CONCATENATED MODULE: ./src/pipeline/decryption.ts










/**
 * Checks what was given before anything is read: private keys must parse and
 * unlock with their passphrases. Registers every secret.
 */
async function prepareDecryptor(keys) {
    const privateKeys = keys.privateKeys ?? [];
    if (keys.passphrase === undefined && privateKeys.length === 0) {
        throw new errors/* UserError */.yo('Decrypting a backup needs its passphrase or a private key: give one.');
    }
    if (keys.passphrase !== undefined)
        (0,passphrase_rules/* usablePassphrase */.r7)(keys.passphrase, 'decryption');
    const credentials = {
        passphrase: keys.passphrase,
        privateKeys: await (0,openpgp_keys/* unlockPrivateKeys */.Y)(privateKeys),
        found: new Map(),
    };
    return {
        createStage: () => {
            const progress = { phase: 'reading', byPassphrase: false };
            return new web_stream_transform/* WebStreamTransform */.Bl((input) => decryptStream(input, credentials, progress), (error) => describeDecryptError(error, progress));
        },
    };
}
async function decryptStream(input, credentials, progress) {
    const { kind, stream } = await sniffStart(input);
    const message = await readMessage(kind, stream);
    const sessionKeys = await keysTheDataAccepts(message, await sessionKeysOf(message, credentials, progress));
    progress.phase = 'decrypting';
    // The library's stream types come from a package it does not ship, so they arrive untyped.
    const decrypted = await openpgp/* decrypt */.Yc({
        message,
        sessionKeys,
        format: 'binary',
        config: openpgp_settings/* DECRYPT_CONFIG */.XH,
    });
    return decrypted.data;
}
/** Reads the first bytes to tell armor from binary, and gzip or anything else from OpenPGP. */
async function sniffStart(input) {
    const { head, stream } = await readHead(input, openpgp_format/* SNIFF_BYTES */.dD);
    const kind = (0,openpgp_format/* classifyStart */.FO)(head);
    if (kind === 'empty')
        throw new errors/* UserError */.yo('The encrypted backup is empty (0 bytes). Use another backup.');
    if (kind === 'gzip') {
        throw new errors/* UserError */.yo('The backup is not encrypted (it is plain gzip): restore it without decryption.');
    }
    if (kind === 'other') {
        throw new errors/* UserError */.yo('The backup is not an OpenPGP-encrypted file (it does not start like one): check that this is the right file.');
    }
    return { kind, stream };
}
async function readMessage(kind, stream) {
    if (kind === 'openpgp-armored') {
        const text = stream.pipeThrough(new TextDecoderStream());
        const message = await openpgp/* readMessage */._8({
            armoredMessage: text,
            config: openpgp_settings/* DECRYPT_CONFIG */.XH,
        });
        return message;
    }
    return openpgp/* readMessage */._8({ binaryMessage: stream, config: openpgp_settings/* DECRYPT_CONFIG */.XH });
}
/** The message's session keys: found before for the same packets, or found now and kept. */
async function sessionKeysOf(message, credentials, progress) {
    const packets = Buffer.concat(message.packets
        .filter((packet) => packet instanceof openpgp/* SymEncryptedSessionKeyPacket */.$Y ||
        packet instanceof openpgp/* PublicKeyEncryptedSessionKeyPacket */.Au)
        .map((packet) => framed(packet))).toString('base64');
    const known = credentials.found.get(packets);
    if (known) {
        progress.byPassphrase = known.byPassphrase;
        return known.keys;
    }
    const keys = await decryptSessionKeys(message, credentials, progress);
    credentials.found.set(packets, { keys, byPassphrase: progress.byPassphrase });
    return keys;
}
/**
 * A session-key packet as a part of the key its session keys are kept under:
 * its type and length before its body, so that two packets never read as one
 * packet holding both bodies (which the library would refuse).
 */
function framed(packet) {
    const body = packet.write();
    const head = Buffer.alloc(5);
    head.writeUInt8(packet instanceof openpgp/* SymEncryptedSessionKeyPacket */.$Y ? 3 : 1, 0);
    head.writeUInt32BE(body.length, 1);
    return Buffer.concat([head, body]);
}
/**
 * Finds the session key with what the user gave: the private keys first
 * when the message names key ids, then the passphrase. Only the small
 * session-key packets are read here, not the data.
 */
async function decryptSessionKeys(message, credentials, progress) {
    const keyIds = message.getEncryptionKeyIDs().map(describeKeyId);
    const passphraseSlots = message.packets.filterByTag(openpgp/* enums */.vP.packet.symEncryptedSessionKey);
    if (credentials.privateKeys.length > 0 && keyIds.length > 0) {
        try {
            return asSessionKeys(await openpgp/* decryptSessionKeys */.Qs({
                message,
                decryptionKeys: credentials.privateKeys,
                config: openpgp_settings/* DECRYPT_CONFIG */.XH,
            }));
        }
        catch {
            // None of the keys given fits; the passphrase may still.
        }
    }
    if (credentials.passphrase !== undefined && passphraseSlots.length > 0) {
        progress.byPassphrase = true;
        try {
            return asSessionKeys(await openpgp/* decryptSessionKeys */.Qs({
                message,
                passwords: [credentials.passphrase],
                config: openpgp_settings/* DECRYPT_CONFIG */.XH,
            }));
        }
        catch {
            throw new errors/* CredentialsDoNotFit */.ai(WRONG_PASSPHRASE);
        }
    }
    throw missingCredentials(keyIds, passphraseSlots.length > 0, credentials);
}
/** Long key ids as gpg prints them; `gpg --throw-keyids` hides the recipient behind zeros. */
function describeKeyId(id) {
    const hex = id.toHex().toUpperCase();
    return /^0+$/.test(hex) ? 'hidden by gpg --throw-keyids' : hex;
}
/**
 * A SEIPD v1 session key always names its cipher; the SEIPD v2 ones leave it
 * null because the data packet names it, which is where decrypt() looks then.
 */
function asSessionKeys(keys) {
    return keys;
}
function missingCredentials(keyIds, hasPassphraseSlot, credentials) {
    const ids = keyIds.join(', ');
    if (keyIds.length > 0 && credentials.privateKeys.length > 0) {
        return new errors/* CredentialsDoNotFit */.ai(`The backup is encrypted for a key you did not provide (key ids ${ids}): give the matching private key.`);
    }
    if (keyIds.length > 0) {
        return new errors/* CredentialsDoNotFit */.ai(`The backup is encrypted for a public key (key ids ${ids}), not with a passphrase: give the matching private key.`);
    }
    if (hasPassphraseSlot) {
        return new errors/* CredentialsDoNotFit */.ai('The backup is encrypted with a passphrase, and no passphrase was given: give it.');
    }
    return new errors/* UserError */.yo('The backup names neither a key nor a passphrase that could decrypt it: it is not a backup this tool or gpg can open.');
}
const WRONG_PASSPHRASE = 'Cannot decrypt the backup: wrong passphrase (or the file is damaged). Check the passphrase.';
/**
 * Data that does not decrypt: with a passphrase (which can get past the
 * session-key check about once in 128 tries when wrong), a wrong passphrase or
 * damage, which a caller tells apart by the file's sha256; with a key, damage.
 */
function passphraseOrDamage(progress, damaged) {
    return progress.byPassphrase
        ? new errors/* CredentialsDoNotFit */.ai(WRONG_PASSPHRASE_OR_DAMAGED)
        : new errors/* UserError */.yo(damaged);
}
const WRONG_PASSPHRASE_OR_DAMAGED = 'Cannot decrypt the backup: wrong passphrase, or the file is damaged. Check the passphrase, or use another backup.';
const DAMAGED = 'The backup is damaged: its OpenPGP integrity check failed (the data changed after it was encrypted). Use another backup.';
const STALLED = 'The backup is damaged: its OpenPGP data stopped without ending or failing. Use another backup.';
const TRUNCATED = 'The backup is truncated: its OpenPGP data ends early. Use another backup.';
const ARMOR_DAMAGED = 'The backup is damaged: its ASCII armor is cut short or altered. Use another backup.';
/**
 * Turns OpenPGP.js's messages into one clear line. A wrong passphrase is
 * only sometimes caught at the start ("Session key decryption failed"): with
 * the files `gpg --symmetric` makes, nothing can check the passphrase, and the
 * garbage shows as unparsable data or a failed integrity check at the end.
 * Errors that carry a Node code (the pipeline's own) pass through unchanged.
 */
function describeDecryptError(error, progress) {
    if ((0,errors/* isWorded */.UD)(error))
        return error;
    if (error?.code !== undefined)
        return error;
    const text = (0,errors/* errorMessage */.gJ)(error);
    if (/Unexpected end of packet/i.test(text))
        return new errors/* UserError */.yo(TRUNCATED);
    if (/Session key decryption failed/i.test(text))
        return new errors/* CredentialsDoNotFit */.ai(WRONG_PASSPHRASE);
    if (/armored text|armor integrity/i.test(text))
        return new errors/* UserError */.yo(ARMOR_DAMAGED);
    if (error instanceof web_stream_transform/* StalledStream */.cD) {
        return passphraseOrDamage(progress, STALLED);
    }
    if (progress.phase === 'decrypting') {
        return passphraseOrDamage(progress, DAMAGED);
    }
    return new errors/* UserError */.yo(`The backup cannot be read as OpenPGP data (${(0,secrets/* redact */.E$)(text).replace(/\.$/, '')}): it is damaged or not an encrypted backup.`);
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
