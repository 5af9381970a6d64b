import fs from 'node:fs/promises';
import path from 'node:path';
import { removeQuietly, temporaryDirectory } from '../fs/files.js';
import { MANIFEST_SUFFIX, manifestNameOf, parseBackupName } from '../domain/backup-name.js';
import { withCatalog } from '../catalog/catalog.js';
import type { OwnDatabase } from '../catalog/identity.js';
import { isLatest, latestEntry, latestKind } from '../catalog/latest.js';
import type { EngineKind } from '../domain/database-location.js';
import type { RestoreSource } from '../engines/engine.js';
import { UserError } from '../domain/errors.js';
import { withoutCredentials } from '../domain/secrets.js';
import { parseManifest, type EncryptionInfo, type Manifest } from '../domain/manifest.js';
import type { CompressionAlgorithm } from '../domain/compression.js';
import {
  decodeHead,
  decodeInto,
  decodeToFile,
  decodeToNowhere,
  type DecodeOptions,
} from '../pipeline/decode.js';
import {
  classifyContent,
  compressionOf,
  CONTENT_SNIFF_BYTES,
  type ContentKind,
} from '../pipeline/decompress.js';
import { classifyStart } from '../pipeline/openpgp-format.js';
import {
  looksLikeOpenPgp,
  prepareDecryptor,
  type DecryptionKeys,
  type Decryptor,
} from '../pipeline/encryption.js';
import type { TargetId, TargetSettings } from '../storage/targets.js';
import { createStorage } from '../storage/factory.js';
import { fetchVerified } from '../catalog/fetch-verified.js';
import { isLocalPlace, type LocalPlace, type Storage } from '../storage/storage.js';
import { NO_PROGRESS, type Progress } from '../domain/progress.js';
import type { Logger } from '../domain/logger.js';

function describeCompression(algorithm: CompressionAlgorithm): string {
  return algorithm === 'none' ? 'uncompressed' : algorithm;
}

export interface LocatedBackup {
  readonly name: string;
  readonly file: string;
  /** `file` is the backup where it lies, not a download that goes when the command ends. */
  readonly inPlace: boolean;
  readonly manifest: Manifest | undefined;
  /** From the manifest, else from the name; undefined for a file of unknown origin. */
  readonly engine: EngineKind | undefined;
}

const ENGINE_LABEL: Record<EngineKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

export interface BackupHandle {
  readonly backup: LocatedBackup;
  /** Removes what was downloaded, if anything. */
  release(): Promise<void>;
}

/** Whose backup `latest` means, and when now is (future-dated backups never count). */
export interface LatestScope {
  readonly own: OwnDatabase | undefined;
  readonly engine: EngineKind | undefined;
  readonly now: Date;
}

/** A backup found by name, its manifest read (if it has one), not yet fetched. */
export interface ResolvedBackup {
  readonly name: string;
  readonly manifest: Manifest | undefined;
  /** Makes the backup's file available (a remote one is downloaded and checked). */
  fetch(progress?: Progress): Promise<BackupHandle>;
}

/**
 * Finds `<backup>` at the `from` target: `latest` per the catalog's rule, a
 * name there, or (local) a path. Only the manifest is read here, so that a
 * restore can be confirmed (or refused) before a large download; `fetch`
 * then downloads a remote backup into a private temporary directory and
 * checks it against its manifest's sha256.
 */
export async function resolveBackup(
  reference: string,
  from: TargetId,
  targets: TargetSettings,
  cwd: string,
  scope: LatestScope,
): Promise<ResolvedBackup> {
  refuseManifest(reference);
  const storage = await createStorage(from, targets);
  if (isLocalPlace(storage)) {
    const backup = await locateBackup(reference, storage, cwd, scope);
    return {
      name: backup.name,
      manifest: backup.manifest,
      fetch: () => Promise.resolve({ backup, release: () => Promise.resolve() }),
    };
  }
  const { name, manifest } = await withCatalog(storage, async (catalog) => {
    const found = isLatest(reference)
      ? (await latestEntry(catalog, scope.own, { ...scope, kind: latestKind(reference) })).backup
          .name
      : path.basename(reference);
    return { name: found, manifest: (await catalog.manifestOf(found)).manifest };
  });
  return {
    name,
    manifest,
    fetch: async (progress = NO_PROGRESS) => {
      const dir = await temporaryDirectory('fetch');
      const release = (): Promise<void> => removeQuietly(dir);
      try {
        const fetched = await fetchVerified(storage, name, dir, progress);
        return { backup: located(fetched.file, fetched.manifest, false), release };
      } catch (error) {
        await release();
        throw error;
      }
    },
  };
}

/** Finds `<backup>` (see `resolveBackup`) and makes its file available. */
export async function findBackup(
  reference: string,
  from: TargetId,
  targets: TargetSettings,
  cwd: string,
  scope: LatestScope,
  progress: Progress = NO_PROGRESS,
): Promise<BackupHandle> {
  return (await resolveBackup(reference, from, targets, cwd, scope)).fetch(progress);
}

/**
 * `<backup>` is `latest`, a backup name in the backup directory, or a path.
 * `latest` is the newest regular backup of this database (see catalog/latest.ts).
 */
export async function locateBackup(
  reference: string,
  storage: LocalPlace,
  cwd: string,
  scope: LatestScope,
): Promise<LocatedBackup> {
  const dir = storage.localDirectory;
  let file: string;
  if (isLatest(reference)) {
    file = path.join(dir, await latestName(storage, scope, latestKind(reference)));
  } else {
    const inDir = path.join(dir, path.basename(reference));
    const asPath = path.resolve(cwd, reference);
    if (!reference.includes('/') && (await isFile(inDir))) file = inDir;
    else if (await isFile(asPath)) file = asPath;
    else {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(reference)) {
        // A database URL given where the backup belongs: quoted without its password.
        throw new UserError(
          `No backup "${withoutCredentials(reference)}": the backup is a name, a file or latest; give the database as DATABASE_URL or --database-url.`,
        );
      }
      throw new UserError(
        `No backup "${reference}" in ${dir} or at ${asPath}: db-backup list shows the backups there.`,
      );
    }
  }
  return located(file, await readManifestBeside(file), true);
}

/** A backup's manifest named where the backup belongs (a shell's tab completion picks it too). */
function refuseManifest(reference: string): void {
  const name = path.basename(reference);
  if (!name.endsWith(MANIFEST_SUFFIX)) return;
  const backup = reference.slice(0, -MANIFEST_SUFFIX.length);
  // Only a backup's name with .json after it: another .json file is no backup either, and is refused later.
  const described = path.basename(backup);
  if (!parseBackupName(described) && !engineFromExtension(described)) return;
  throw new UserError(
    `${name} is a backup's manifest, not a backup: give the backup it describes (${backup}). Nothing was changed.`,
  );
}

/** The engine comes from the manifest, else the backup's name, else the file's extension. */
function located(file: string, manifest: Manifest | undefined, inPlace: boolean): LocatedBackup {
  const name = path.basename(file);
  return {
    name,
    file,
    inPlace,
    manifest,
    engine: manifest?.engine ?? parseBackupName(name)?.engine ?? engineFromExtension(name),
  };
}

/** For files named by hand: `dump.sql.gz`, `db.dump` or `db.dir.tar.zst` is PostgreSQL, `app.db.zst` or `app.sqlite` is SQLite. */
export function engineFromExtension(name: string): EngineKind | undefined {
  const base = name.replace(/\.gpg$/i, '').replace(/\.(gz|zst)$/i, '');
  if (/\.(sql|dump|tar)$/i.test(base)) return 'postgres';
  if (/\.(db|sqlite3?)$/i.test(base)) return 'sqlite';
  return undefined;
}

/**
 * `latest`: the newest regular backup of this database at the target (see
 * catalog/latest.ts); `latest-sanitized`: the newest sanitized copy.
 */
export async function latestName(
  storage: Storage,
  scope: LatestScope,
  kind: 'backup' | 'sanitized' = 'backup',
): Promise<string> {
  return withCatalog(
    storage,
    async (catalog) => (await latestEntry(catalog, scope.own, { ...scope, kind })).backup.name,
  );
}

async function isFile(file: string): Promise<boolean> {
  return (await fs.stat(file).catch(() => undefined))?.isFile() ?? false;
}

export async function readManifestBeside(file: string): Promise<Manifest | undefined> {
  const manifestFile = path.join(path.dirname(file), manifestNameOf(path.basename(file)));
  let text: string;
  try {
    text = await fs.readFile(manifestFile, 'utf8');
  } catch {
    return undefined;
  }
  return parseManifest(text, path.basename(manifestFile));
}

/** Refuses a SQLite backup for a PostgreSQL target and the reverse. */
export function assertEngineMatches(backup: LocatedBackup, target: EngineKind): void {
  if (backup.engine !== undefined && backup.engine !== target) {
    throw new UserError(
      `${backup.name} is a ${ENGINE_LABEL[backup.engine]} backup and the target is a ${ENGINE_LABEL[target]} database: nothing was changed.`,
    );
  }
}

export { assertChecksum, checksumStatus, type ChecksumStatus } from '../catalog/checksum.js';

/**
 * The compression a backup's manifest or name announces; undefined for a
 * file named by hand without a known suffix.
 */
export function announcedCompression(
  backup: Omit<LocatedBackup, 'inPlace'>,
): CompressionAlgorithm | undefined {
  const fromManifest = backup.manifest?.compression?.algorithm;
  if (fromManifest !== undefined) return fromManifest;
  const fromName = parseBackupName(backup.name)?.compression;
  if (fromName !== undefined) return fromName;
  const base = backup.name.replace(/\.gpg$/i, '');
  if (/\.gz$/i.test(base)) return 'gzip';
  if (/\.zst$/i.test(base)) return 'zstd';
  if (/\.(sql|dump|tar|db|sqlite3?)$/i.test(base)) return 'none';
  return undefined;
}

/**
 * What a stored file's first bytes say: encrypted (then its compression is
 * hidden until it is decrypted), or else its compression.
 */
export async function storedFormat(
  file: string,
): Promise<{ encrypted: boolean; compression: CompressionAlgorithm | undefined }> {
  const handle = await fs.open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(
      Buffer.alloc(CONTENT_SNIFF_BYTES),
      0,
      CONTENT_SNIFF_BYTES,
      0,
    );
    const head = buffer.subarray(0, bytesRead);
    const outer = classifyStart(head);
    if (outer === 'openpgp-binary' || outer === 'openpgp-armored')
      return { encrypted: true, compression: undefined };
    const kind = classifyContent(head);
    return {
      encrypted: false,
      compression: kind === 'empty' || kind === 'unknown' ? undefined : compressionOf(kind),
    };
  } finally {
    await handle.close();
  }
}

const GIVE_PASSPHRASE =
  'its passphrase (encryption-passphrase, --passphrase-file or BACKUP_PASSPHRASE)';
const GIVE_PRIVATE_KEY = 'the private key (decryption-private-key, --private-key-file)';

/** What to give for an encrypted backup given nothing: what its manifest says it needs, else either. */
function missingKeysMessage(backup: Omit<LocatedBackup, 'inPlace'>): string {
  // A manifest is read as found: a damaged one may hold anything there.
  const encryption = backup.manifest?.encryption as Partial<EncryptionInfo> | null | undefined;
  if (encryption?.mode === 'public-key') {
    const recipients = Array.isArray(encryption.recipients) ? encryption.recipients : [];
    const fingerprints = recipients.filter(
      (key): key is string => typeof key === 'string' && /^[0-9A-Fa-f]{16,64}$/.test(key),
    );
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
export async function openBackup(
  backup: Omit<LocatedBackup, 'inPlace'>,
  keys: DecryptionKeys,
  checksumVerified = false,
  log?: Logger,
  progress: Progress = NO_PROGRESS,
): Promise<RestoreSource> {
  const encrypted = await looksLikeOpenPgp(backup.file);
  let decryptor: Decryptor | undefined;
  if (encrypted) {
    if (keys.passphrase === undefined && (keys.privateKeys ?? []).length === 0) {
      throw new UserError(missingKeysMessage(backup));
    }
    decryptor = await prepareDecryptor(keys);
  }
  const announced = announcedCompression(backup);
  let warned = false;
  const onContent = (kind: ContentKind): void => {
    const actual = compressionOf(kind);
    if (warned || announced === undefined || actual === announced) return;
    warned = true;
    log?.warn(
      `${backup.name} is named or described as ${describeCompression(announced)} but holds ${describeCompression(actual)} data: it is read as ${describeCompression(actual)}.`,
    );
  };
  // The file its manifest vouched for is the file every read must see, to its last byte.
  const expected =
    checksumVerified && backup.manifest
      ? { sha256: backup.manifest.file.sha256, size: backup.manifest.file.size }
      : undefined;
  const stages = (): DecodeOptions => ({
    beforeDecompression: decryptor ? [decryptor.createStage()] : [],
    onContent,
    expected,
  });
  const size = (await fs.stat(backup.file)).size;
  /** A whole read of the file, shown as progress against its size. */
  const tracked = async <T>(what: string, read: (options: DecodeOptions) => Promise<T>) => {
    const task = progress.start(`${what} ${backup.name}`, { total: size });
    try {
      return await read({ ...stages(), progress: task });
    } finally {
      task.end();
    }
  };
  return {
    name: backup.name,
    checksumVerified,
    decodeInto: (sink) => tracked('restoring', (options) => decodeInto(backup.file, sink, options)),
    decodeToFile: (target) =>
      tracked('unpacking', (options) => decodeToFile(backup.file, target, options)),
    check: () => tracked('checking', (options) => decodeToNowhere(backup.file, options)),
    probe: () => decodeHead(backup.file, stages()),
  };
}
