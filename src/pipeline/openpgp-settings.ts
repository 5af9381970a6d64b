import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';

/**
 * What we write must open with `gpg` 2.2 (Debian 12, Ubuntu 22.04/24.04), so
 * every default that decides the format is pinned here rather than trusted:
 * SEIPD v1 (AES-256 with MDC) instead of AEAD, iterated+salted S2K instead of
 * Argon2, v4 keys, and no compression because the input is already compressed
 * (or, with compression none, was asked to stay uncompressed).
 * OpenPGP.js takes numeric enums here; the names as strings throw.
 */
export const ENCRYPT_CONFIG: openpgp.PartialConfig = {
  preferredSymmetricAlgorithm: openpgp.enums.symmetric.aes256,
  preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed,
  aeadProtect: false,
  s2kType: openpgp.enums.s2k.iterated,
  v6Keys: false,
};

/**
 * Streams the plaintext out as it is decrypted. The default would read the
 * whole file into memory first to check its integrity; here the check (the
 * MDC) fails the stream at its end instead, so callers must not trust the
 * output until the stream has ended cleanly.
 */
export const DECRYPT_CONFIG: openpgp.PartialConfig = {
  allowUnauthenticatedStream: true,
};

/**
 * A fresh AES-256 session key, given explicitly so that the recipients' key
 * preferences cannot pick a weaker cipher or the AEAD format gpg 2.2 cannot read.
 */
export function newSessionKey(): openpgp.SessionKey {
  return { data: new Uint8Array(randomBytes(32)), algorithm: 'aes256' };
}
