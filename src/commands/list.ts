import { manifestNameOf, type BackupKind, type BackupName } from '../domain/backup-name.js';
import { withCatalog, type Catalog, type CatalogEntry } from '../catalog/catalog.js';
import { isFutureDated } from '../catalog/future.js';
import { describeBackupDatabase, describeIdentity, ownDatabase } from '../catalog/identity.js';
import type { ListConfig } from './command-config.js';
import type { EngineKind } from '../domain/database-location.js';
import type { Manifest } from '../domain/manifest.js';
import { createStorage } from '../storage/factory.js';
import {
  compareRecordsNewestFirst,
  newestVerdicts,
  parseVerificationRecordName,
  type VerificationOutcome,
  type VerificationRecordName,
} from '../verification/verification-record.js';
import type { RunContext } from './context.js';
import type { CompressionAlgorithm } from '../domain/compression.js';
import { checksumStatus, type ChecksumStatus } from '../catalog/checksum.js';
import { storedFormat } from './locate-backup.js';
import type { DumpFormat } from '../domain/dump-format.js';

export interface ListedBackup {
  readonly name: string;
  readonly engine: EngineKind;
  readonly kind: BackupKind;
  readonly createdAt: string;
  readonly size: number;
  readonly ageSeconds: number;
  /** Remote backups are not downloaded to be listed: `unchecked`. */
  readonly checksum: ChecksumStatus | 'unchecked' | 'invalid-manifest';
  readonly encrypted: boolean;
  /**
   * gzip, zstd or none: from the file's first bytes where they can be read
   * (a local, unencrypted file), else from the manifest, else from the name.
   */
  readonly compression: CompressionAlgorithm;
  /**
   * PostgreSQL: plain, custom or directory, from the manifest (one without a
   * format is plain), else from the name; null for SQLite (a database file).
   */
  readonly format: DumpFormat | null;
  readonly tables: number | undefined;
  /** The newest verification recorded beside the backup, if any. */
  /** Whose backup it is, from its manifest; null without one. */
  readonly database: string | null;
  /** The manifest records the database's identity (backups made before identities do not). */
  readonly identified: boolean;
  /** Dated ahead of the clock by more than 5 minutes: never latest. */
  readonly future: boolean;
  readonly lastVerification: {
    readonly outcome: VerificationOutcome;
    readonly at: string;
    readonly ageSeconds: number;
  } | null;
}

export interface ListResult {
  readonly command: 'list';
  readonly location: string;
  /** The database whose backups are listed; null when every database's are. */
  readonly database: string | null;
  readonly backups: readonly ListedBackup[];
  /** Backups at the place not listed: other databases', and those whose database cannot be told. */
  readonly notShown: number;
  /** Backups dated ahead of the clock (never latest), and the like. */
  readonly warnings: readonly string[];
}

export async function runList(config: ListConfig, context: RunContext): Promise<ListResult> {
  const storage = await createStorage(config.from, config.targets);
  const own =
    config.database && !config.all ? await ownDatabase(config.database, config.name) : undefined;
  const now = context.now?.() ?? new Date();
  return withCatalog(storage, async (catalog) => {
    catalog.assertThere('list');
    const entries = catalog.entries({ engine: config.all ? undefined : config.engine });
    const verifications = newestRecords([...catalog.names]);
    const backups: ListedBackup[] = [];
    const warnings: string[] = [];
    let notShown = 0;
    for (const entry of entries) {
      const backup = entry.backup;
      const ownership = own ? await catalog.ownership(entry, own) : undefined;
      if (ownership === 'other' || ownership === 'unknown') {
        notShown += 1;
        continue;
      }
      const { manifest, checksum, stored } = await details(catalog, entry, (m) =>
        context.log.warn(m),
      );
      const createdAt = manifest?.createdAt ?? backup.time.toISOString();
      const future = isFutureDated(backup, manifest, now);
      if (future)
        warnings.push(
          `${backup.name} is dated ${createdAt}, ahead of this clock: a clock is wrong; it is never taken as latest.`,
        );
      backups.push({
        name: backup.name,
        engine: backup.engine,
        kind: backup.kind,
        createdAt,
        size: entry.size,
        ageSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(createdAt)) / 1000)),
        checksum,
        encrypted: stored?.encrypted ?? backup.encrypted,
        compression: stored?.compression ?? manifest?.compression.algorithm ?? backup.compression,
        format: formatOf(backup, manifest),
        tables: manifest?.tables.length,
        lastVerification: verificationOf(verifications.get(backup.name), now.getTime()),
        database: manifest ? describeBackupDatabase(manifest) : null,
        identified: manifest?.identity !== undefined,
        future,
      });
    }
    if (own && notShown > 0)
      context.log.info(
        `${notShown} other ${notShown === 1 ? 'backup' : 'backups'} at ${catalog.location} ${notShown === 1 ? 'is' : 'are'} not of ${describeIdentity(own.identity)} or cannot be told apart: db-backup list --all shows every one.`,
      );
    for (const warning of warnings) context.log.warn(warning);
    return {
      command: 'list',
      location: storage.location,
      database: own ? describeIdentity(own.identity) : null,
      backups,
      notShown,
      warnings,
    };
  });
}

interface Details {
  readonly manifest: Manifest | undefined;
  readonly checksum: ListedBackup['checksum'];
  /** What the local file's first bytes say. */
  readonly stored?: { encrypted: boolean; compression: CompressionAlgorithm | undefined };
}

function formatOf(backup: BackupName, manifest: Manifest | undefined): DumpFormat | null {
  if (backup.engine !== 'postgres') return null;
  if (manifest) return manifest.format ?? 'plain';
  return backup.format;
}

/**
 * The verification to show for each backup, by backup name: its newest
 * record, except that a passed quick check never hides a failure that no
 * full verification has answered since.
 */
function newestRecords(names: readonly string[]): Map<string, VerificationRecordName> {
  const records = names
    .map(parseVerificationRecordName)
    .filter((record): record is VerificationRecordName => record !== undefined)
    .sort(compareRecordsNewestFirst);
  const verdicts = newestVerdicts(records);
  const shown = new Map<string, VerificationRecordName>();
  for (const record of records) {
    if (shown.has(record.backup.name)) continue;
    const verdict = verdicts.get(record.backup.name);
    shown.set(record.backup.name, verdict?.outcome === 'verify-failed' ? verdict : record);
  }
  return shown;
}

function verificationOf(
  record: VerificationRecordName | undefined,
  now: number,
): ListedBackup['lastVerification'] {
  if (!record) return null;
  return {
    outcome: record.outcome,
    at: record.time.toISOString(),
    ageSeconds: Math.max(0, Math.round((now - record.time.getTime()) / 1000)),
  };
}

/**
 * What is known of a backup without downloading it: a file in a local place
 * is hashed against its manifest and its first bytes read; a remote one's
 * manifest alone is read.
 */
async function details(
  catalog: Catalog,
  entry: CatalogEntry,
  warn: (message: string) => void,
): Promise<Details> {
  const read = await catalog.manifestOf(entry.backup.name);
  const file = catalog.localFile(entry.backup.name);
  if (file === undefined) {
    if (read.problem)
      warn(
        `Cannot read ${manifestNameOf(entry.backup.name)} at ${catalog.location}: ${read.problem}`,
      );
    return {
      manifest: read.manifest,
      checksum: entry.hasManifest ? 'unchecked' : 'no-manifest',
    };
  }
  const stored = await storedFormat(file).catch(() => undefined);
  if (read.problem)
    return { manifest: undefined, checksum: 'invalid-manifest', ...(stored ? { stored } : {}) };
  const checksum = await checksumStatus({
    name: entry.backup.name,
    file,
    manifest: read.manifest,
  });
  return { manifest: read.manifest, checksum, ...(stored ? { stored } : {}) };
}
