import fs from 'node:fs/promises';
import path from 'node:path';
import { removeQuietly, temporaryDirectory } from '../pipeline/files.js';
import {
  compareNewestFirst,
  manifestNameOf,
  parseBackupName,
  type BackupName,
} from '../backup-name.js';
import type { EngineKind } from '../config/database-url.js';
import type { RestoreSource } from '../engines/engine.js';
import { UserError } from '../errors.js';
import { parseManifest, type Manifest } from '../manifest.js';
import type { Transform } from 'node:stream';
import { decodeHead, decodeInto, decodeToFile, decodeToNowhere } from '../pipeline/decode.js';
import {
  looksLikeOpenPgp,
  prepareDecryptor,
  type DecryptionKeys,
  type Decryptor,
} from '../pipeline/encryption.js';
import { digestFile } from '../pipeline/digest.js';
import type { TargetId, TargetSettings } from '../config/storage-config.js';
import { createStorage } from '../storage/factory.js';
import { fetchVerified } from '../storage/fetch-verified.js';
import { LocalStorage } from '../storage/local.js';
import type { Storage } from '../storage/storage.js';

export interface LocatedBackup {
  readonly name: string;
  readonly file: string;
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

/**
 * Finds `<backup>` at the `from` target. A remote backup is downloaded into a
 * private temporary directory and checked against its manifest's sha256
 * before anything uses it.
 */
export async function findBackup(
  reference: string,
  from: TargetId,
  targets: TargetSettings,
  cwd: string,
  engine: EngineKind | undefined,
): Promise<BackupHandle> {
  if (from === 'local') {
    const backup = await locateBackup(reference, new LocalStorage(targets.backupDir), cwd, engine);
    return { backup, release: () => Promise.resolve() };
  }
  const storage = createStorage(from, targets);
  const name =
    reference === 'latest' ? await latestName(storage, engine) : path.basename(reference);
  const dir = await temporaryDirectory('fetch');
  const release = (): Promise<void> => removeQuietly(dir);
  try {
    const fetched = await fetchVerified(storage, name, dir);
    return { backup: located(fetched.file, fetched.manifest), release };
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * `<backup>` is `latest`, a backup name in the backup directory, or a path.
 * `latest` is the newest regular backup of the given engine.
 */
export async function locateBackup(
  reference: string,
  storage: LocalStorage,
  cwd: string,
  engine: EngineKind | undefined,
): Promise<LocatedBackup> {
  let file: string;
  if (reference === 'latest') {
    file = storage.pathOf(await latestName(storage, engine));
  } else {
    const inDir = storage.pathOf(path.basename(reference));
    const asPath = path.resolve(cwd, reference);
    if (!reference.includes('/') && (await isFile(inDir))) file = inDir;
    else if (await isFile(asPath)) file = asPath;
    else {
      throw new UserError(
        `No backup "${reference}" in ${storage.dir} or at ${asPath}: db-backup list shows the backups there.`,
      );
    }
  }
  return located(file, await readManifestBeside(file));
}

/** The engine comes from the manifest, else the backup's name, else the file's extension. */
function located(file: string, manifest: Manifest | undefined): LocatedBackup {
  const name = path.basename(file);
  return {
    name,
    file,
    manifest,
    engine: manifest?.engine ?? parseBackupName(name)?.engine ?? engineFromExtension(name),
  };
}

/** For files named by hand: `dump.sql.gz` is PostgreSQL, `app.db.gz` or `app.sqlite.gz` is SQLite. */
export function engineFromExtension(name: string): EngineKind | undefined {
  const base = name.replace(/\.gpg$/, '').replace(/\.gz$/, '');
  if (/\.sql$/i.test(base)) return 'postgres';
  if (/\.(db|sqlite3?)$/i.test(base)) return 'sqlite';
  return undefined;
}

/** `latest`: the newest regular backup (of the engine, when known) at the target. */
export async function latestName(
  storage: Storage,
  engine: EngineKind | undefined,
): Promise<string> {
  const newest = (await storage.list())
    .map((object) => parseBackupName(object.name))
    .filter((parsed): parsed is BackupName => parsed !== undefined)
    .filter(
      (parsed) => parsed.kind === 'backup' && (engine === undefined || parsed.engine === engine),
    )
    .sort(compareNewestFirst)[0];
  if (newest) return newest.name;
  const what = engine ? `${ENGINE_LABEL[engine]} backup` : 'backup';
  throw new UserError(
    `No ${what} in ${storage.location} to take as latest: run a backup there first, or name a file.`,
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

export type ChecksumStatus = 'ok' | 'mismatch' | 'no-manifest';

export async function checksumStatus(backup: LocatedBackup): Promise<ChecksumStatus> {
  if (!backup.manifest) return 'no-manifest';
  const actual = await digestFile(backup.file);
  return actual.sha256 === backup.manifest.file.sha256 && actual.size === backup.manifest.file.size
    ? 'ok'
    : 'mismatch';
}

/** The stored file must be exactly what its manifest describes. */
export async function assertChecksum(backup: LocatedBackup): Promise<void> {
  if ((await checksumStatus(backup)) === 'mismatch') {
    throw new UserError(
      `${backup.name} does not match the sha256 and size in its manifest: the file is damaged or was changed. Nothing was changed; use another backup.`,
    );
  }
}

/**
 * Opens a backup for reading: plain gzip, or OpenPGP-encrypted gzip decrypted
 * on the way (told apart by content, not by name). Keys are checked here,
 * before anything reads the file.
 */
export async function openBackup(
  backup: LocatedBackup,
  keys: DecryptionKeys,
  checksumVerified = false,
): Promise<RestoreSource> {
  const encrypted = await looksLikeOpenPgp(backup.file);
  let decryptor: Decryptor | undefined;
  if (encrypted) {
    if (keys.passphrase === undefined && (keys.privateKeys ?? []).length === 0) {
      throw new UserError(
        `${backup.name} is encrypted: give its passphrase (encryption-passphrase, --passphrase-file or BACKUP_PASSPHRASE) or a private key (decryption-private-key, --private-key-file).`,
      );
    }
    decryptor = await prepareDecryptor(keys);
  }
  const stages = (): { beforeDecompression: Transform[] } => ({
    beforeDecompression: decryptor ? [decryptor.createStage()] : [],
  });
  return {
    name: backup.name,
    checksumVerified,
    decodeInto: (sink) => decodeInto(backup.file, sink, stages()),
    decodeToFile: (target) => decodeToFile(backup.file, target, stages()),
    check: () => decodeToNowhere(backup.file, stages()),
    probe: () => decodeHead(backup.file, stages()),
  };
}
