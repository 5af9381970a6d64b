import fs from 'node:fs/promises';
import path from 'node:path';
import {
  compareNewestFirst,
  manifestNameOf,
  MANIFEST_SUFFIX,
  parseBackupName,
  type BackupKind,
  type BackupName,
} from '../domain/backup-name.js';
import type { EngineKind } from '../domain/database-location.js';
import { errorMessage, UserError } from '../domain/errors.js';
import { parseManifest, type Manifest } from '../domain/manifest.js';
import { removeQuietly, temporaryDirectory } from '../fs/files.js';
import { redact } from '../domain/secrets.js';
import { isLocalPlace, type Storage, type StoredObject } from '../storage/storage.js';
import { ownershipOf, type OwnDatabase, type Ownership } from './identity.js';

/** One of our backups at a place, paired with its manifest (read on demand). */
export interface CatalogEntry {
  readonly backup: BackupName;
  readonly size: number;
  /** The place lists `NAME.json` beside it. */
  readonly hasManifest: boolean;
}

/** What reading a backup's manifest gave. */
export interface ManifestRead {
  readonly manifest: Manifest | undefined;
  /** Why a listed manifest could not be read (invalid, unreachable). */
  readonly problem?: string;
}

/**
 * Which backups exist at one storage place and whose they are: the listing,
 * each backup paired with its manifest, and ownership by database identity.
 * Manifests are read once, when first asked for (a remote one is fetched into
 * a private temporary directory, removed by `release`).
 */
export class Catalog {
  private objects: StoredObject[] = [];
  private readonly manifests = new Map<string, Promise<ManifestRead>>();
  private scratch: string | undefined;
  private absent: 'missing' | 'a link that leads nowhere' | undefined;

  private constructor(readonly storage: Storage) {}

  static async open(storage: Storage): Promise<Catalog> {
    const catalog = new Catalog(storage);
    await catalog.refresh();
    return catalog;
  }

  get location(): string {
    return this.storage.location;
  }

  /** Lists the place again (after a change, or before reporting what is there). */
  async refresh(): Promise<void> {
    this.objects = await this.storage.list();
    this.absent = undefined;
    if (this.objects.length > 0 || !isLocalPlace(this.storage)) return;
    const dir = this.storage.localDirectory;
    const missing = await fs.stat(dir).then(
      () => false,
      (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
    );
    if (!missing) return;
    const link = await fs.lstat(dir).catch(() => undefined);
    this.absent = link?.isSymbolicLink() ? 'a link that leads nowhere' : 'missing';
  }

  /**
   * When the place is a local directory that is not there (a mistyped
   * backup-dir, or no backup yet): a note saying so, for a line that names
   * the place; undefined otherwise.
   */
  get absenceNote(): string | undefined {
    if (this.absent === 'missing') return 'no such directory; check backup-dir or BACKUP_DIR';
    if (this.absent) return 'a symbolic link that leads nowhere; fix it, or check backup-dir';
    return undefined;
  }

  /**
   * Refuses a command that reads the place when its directory is not there:
   * a mistyped backup-dir must not read as "no backups" or "nothing to prune".
   */
  assertThere(doing: string): void {
    if (this.absent === 'missing')
      throw new UserError(
        `The backup directory ${this.location} does not exist, so there is nothing to ${doing}: check backup-dir (BACKUP_DIR); the first backup makes it.`,
      );
    if (this.absent)
      throw new UserError(
        `The backup directory ${this.location} is a symbolic link that leads nowhere, so there is nothing to ${doing}: fix the link, or check backup-dir (BACKUP_DIR).`,
      );
  }

  /** Every object name at the place. */
  get names(): ReadonlySet<string> {
    return new Set(this.objects.map((object) => object.name));
  }

  /** The backup's file when the place is a local directory (it can be hashed where it lies); else undefined. */
  localFile(name: string): string | undefined {
    return isLocalPlace(this.storage) ? path.join(this.storage.localDirectory, name) : undefined;
  }

  sizeOf(name: string): number | undefined {
    return this.objects.find((object) => object.name === name)?.size;
  }

  /** Our backups (names this tool writes), newest first; optionally of one engine and kind. */
  entries(filter: { engine?: EngineKind | undefined; kind?: BackupKind } = {}): CatalogEntry[] {
    const names = this.names;
    return this.objects
      .map((object) => ({ object, backup: parseBackupName(object.name) }))
      .filter(
        (item): item is { object: StoredObject; backup: BackupName } =>
          item.backup !== undefined &&
          (filter.engine === undefined || item.backup.engine === filter.engine) &&
          (filter.kind === undefined || item.backup.kind === filter.kind),
      )
      .sort((a, b) => compareNewestFirst(a.backup, b.backup))
      .map(({ object, backup }) => ({
        backup,
        size: object.size,
        hasManifest: names.has(manifestNameOf(backup.name)),
      }));
  }

  /** Manifests of ours whose backup is gone (left by a run that stopped between the two deletions). */
  orphanManifests(): string[] {
    const names = this.names;
    return [...names].filter((name) => {
      if (!name.endsWith(MANIFEST_SUFFIX)) return false;
      const backup = name.slice(0, -MANIFEST_SUFFIX.length);
      return parseBackupName(backup) !== undefined && !names.has(backup);
    });
  }

  /** The manifest beside a backup; undefined when there is none or it cannot be read (said in `problem`). */
  manifestOf(backupName: string): Promise<ManifestRead> {
    let read = this.manifests.get(backupName);
    if (!read) {
      read = this.readManifest(manifestNameOf(backupName));
      this.manifests.set(backupName, read);
    }
    return read;
  }

  /** Reads a manifest by its own name, listed or not (an orphan's, for example). */
  async readManifest(manifestName: string): Promise<ManifestRead> {
    if (!this.names.has(manifestName)) return { manifest: undefined };
    try {
      let file = this.localFile(manifestName);
      if (file === undefined) {
        this.scratch ??= await temporaryDirectory('catalog');
        file = path.join(this.scratch, manifestName);
        await removeQuietly(file);
        await this.storage.get(manifestName, file);
      }
      return { manifest: parseManifest(await fs.readFile(file, 'utf8'), manifestName) };
    } catch (error) {
      return { manifest: undefined, problem: redact(errorMessage(error)) };
    }
  }

  async ownership(entry: CatalogEntry, own: OwnDatabase): Promise<Ownership> {
    // A name that says another engine or database needs no manifest read.
    const quick = ownershipOf(entry.backup, undefined, own);
    if (quick === 'other' || !entry.hasManifest) return quick;
    return ownershipOf(entry.backup, (await this.manifestOf(entry.backup.name)).manifest, own);
  }

  /** Removes what was fetched to read manifests. */
  async release(): Promise<void> {
    if (this.scratch) await removeQuietly(this.scratch);
    this.scratch = undefined;
  }
}

/** Opens the catalog of a place, runs `work`, and releases it whatever happens. */
export async function withCatalog<T>(
  storage: Storage,
  work: (catalog: Catalog) => Promise<T>,
): Promise<T> {
  const catalog = await Catalog.open(storage);
  try {
    return await work(catalog);
  } finally {
    await catalog.release();
  }
}
