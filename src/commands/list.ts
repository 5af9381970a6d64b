import fs from 'node:fs/promises';
import path from 'node:path';
import { removeQuietly, temporaryDirectory } from '../pipeline/files.js';
import {
  compareNewestFirst,
  manifestNameOf,
  parseBackupName,
  type BackupKind,
  type BackupName,
} from '../backup-name.js';
import type { ListConfig } from '../config/config.js';
import type { EngineKind } from '../config/database-url.js';
import { parseManifest, type Manifest } from '../manifest.js';
import { createStorage } from '../storage/factory.js';
import { LocalStorage } from '../storage/local.js';
import type { Storage } from '../storage/storage.js';
import { redact } from '../secrets.js';
import {
  parseVerificationRecordName,
  type VerificationOutcome,
  type VerificationRecordName,
} from '../verification/verification-record.js';
import type { RunContext } from './context.js';
import type { CompressionAlgorithm } from '../compression.js';
import {
  checksumStatus,
  readManifestBeside,
  storedFormat,
  type ChecksumStatus,
} from './locate-backup.js';

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
  readonly tables: number | undefined;
  /** The newest verification recorded beside the backup, if any. */
  readonly lastVerification: {
    readonly outcome: VerificationOutcome;
    readonly at: string;
    readonly ageSeconds: number;
  } | null;
}

export interface ListResult {
  readonly command: 'list';
  readonly location: string;
  readonly backups: readonly ListedBackup[];
}

export async function runList(config: ListConfig, context: RunContext): Promise<ListResult> {
  const storage = await createStorage(config.from, config.targets);
  const objects = await storage.list();
  const listed = new Set(objects.map((object) => object.name));
  const sizes = new Map(objects.map((object) => [object.name, object.size]));
  const ours = objects
    .map((object) => parseBackupName(object.name))
    .filter((parsed): parsed is BackupName => parsed !== undefined)
    .filter((parsed) => config.engine === undefined || parsed.engine === config.engine)
    .sort(compareNewestFirst);
  const describe =
    storage instanceof LocalStorage
      ? describeLocal(storage)
      : await describeRemote(storage, listed, context);
  const now = context.now?.().getTime() ?? Date.now();
  const verifications = newestRecords(objects.map((object) => object.name));
  const backups: ListedBackup[] = [];
  try {
    for (const backup of ours) {
      const { manifest, checksum, stored } = await describe.details(backup);
      const createdAt = manifest?.createdAt ?? backup.time.toISOString();
      backups.push({
        name: backup.name,
        engine: backup.engine,
        kind: backup.kind,
        createdAt,
        size: sizes.get(backup.name) ?? 0,
        ageSeconds: Math.max(0, Math.round((now - Date.parse(createdAt)) / 1000)),
        checksum,
        encrypted: stored?.encrypted ?? backup.encrypted,
        compression: stored?.compression ?? manifest?.compression.algorithm ?? backup.compression,
        tables: manifest?.tables.length,
        lastVerification: verificationOf(verifications.get(backup.name), now),
      });
    }
  } finally {
    await describe.release();
  }
  return { command: 'list', location: storage.location, backups };
}

interface Details {
  readonly manifest: Manifest | undefined;
  readonly checksum: ListedBackup['checksum'];
  /** What the local file's first bytes say. */
  readonly stored?: { encrypted: boolean; compression: CompressionAlgorithm | undefined };
}

/** The newest verification record of each backup, by backup name. */
function newestRecords(names: readonly string[]): Map<string, VerificationRecordName> {
  const newest = new Map<string, VerificationRecordName>();
  for (const name of names) {
    const record = parseVerificationRecordName(name);
    if (!record) continue;
    const seen = newest.get(record.backup.name);
    if (
      !seen ||
      record.time.getTime() - seen.time.getTime() > 0 ||
      (record.time.getTime() === seen.time.getTime() && record.sequence > seen.sequence)
    )
      newest.set(record.backup.name, record);
  }
  return newest;
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

interface Describer {
  details(backup: BackupName): Promise<Details>;
  release(): Promise<void>;
}

/** Local backups are hashed against their manifests. */
function describeLocal(storage: LocalStorage): Describer {
  return {
    details: async (backup) => {
      const file = storage.pathOf(backup.name);
      const stored = await storedFormat(file).catch(() => undefined);
      let manifest: Manifest | undefined;
      try {
        manifest = await readManifestBeside(file);
      } catch {
        return { manifest: undefined, checksum: 'invalid-manifest', ...(stored ? { stored } : {}) };
      }
      const checksum = await checksumStatus({
        name: backup.name,
        file,
        manifest,
        engine: backup.engine,
      });
      return { manifest, checksum, ...(stored ? { stored } : {}) };
    },
    release: () => Promise.resolve(),
  };
}

/** Remote backups: only their (small) manifests are fetched. */
async function describeRemote(
  storage: Storage,
  listed: ReadonlySet<string>,
  context: RunContext,
): Promise<Describer> {
  const dir = await temporaryDirectory('list');
  return {
    details: async (backup) => {
      const manifestName = manifestNameOf(backup.name);
      if (!listed.has(manifestName)) return { manifest: undefined, checksum: 'no-manifest' };
      const file = path.join(dir, manifestName);
      try {
        await storage.get(manifestName, file);
        return {
          manifest: parseManifest(await fs.readFile(file, 'utf8'), manifestName),
          checksum: 'unchecked',
        };
      } catch (error) {
        context.log.warn(
          `Cannot read ${manifestName} at ${storage.location}: ${redact((error as Error).message)}`,
        );
        return { manifest: undefined, checksum: 'unchecked' };
      }
    },
    release: () => removeQuietly(dir),
  };
}
