import path from 'node:path';
import {
  compareNewestFirst,
  parseBackupName,
  type BackupKind,
  type BackupName,
} from '../backup-name.js';
import type { ListConfig } from '../config/config.js';
import type { EngineKind } from '../config/database-url.js';
import { LocalStorage } from '../storage/local.js';
import type { RunContext } from './context.js';
import { checksumStatus, readManifestBeside, type ChecksumStatus } from './locate-backup.js';

export interface ListedBackup {
  readonly name: string;
  readonly engine: EngineKind;
  readonly kind: BackupKind;
  readonly createdAt: string;
  readonly size: number;
  readonly ageSeconds: number;
  readonly checksum: ChecksumStatus;
  readonly encrypted: boolean;
  readonly tables: number | undefined;
}

export interface ListResult {
  readonly command: 'list';
  readonly location: string;
  readonly backups: readonly ListedBackup[];
}

export async function runList(config: ListConfig, context: RunContext): Promise<ListResult> {
  void context;
  const storage = new LocalStorage(config.backupDir);
  const objects = await storage.list();
  const sizes = new Map(objects.map((object) => [object.name, object.size]));
  const ours = objects
    .map((object) => parseBackupName(object.name))
    .filter((parsed): parsed is BackupName => parsed !== undefined)
    .filter((parsed) => config.engine === undefined || parsed.engine === config.engine)
    .sort(compareNewestFirst);
  const now = Date.now();
  const backups: ListedBackup[] = [];
  for (const backup of ours) {
    const file = storage.pathOf(backup.name);
    const manifest = await readManifestBeside(file).catch(() => undefined);
    const checksum = await checksumStatus({
      name: backup.name,
      file,
      manifest,
      engine: backup.engine,
    });
    const createdAt = manifest?.createdAt ?? backup.time.toISOString();
    backups.push({
      name: backup.name,
      engine: backup.engine,
      kind: backup.kind,
      createdAt,
      size: sizes.get(backup.name) ?? 0,
      ageSeconds: Math.max(0, Math.round((now - Date.parse(createdAt)) / 1000)),
      checksum,
      encrypted: backup.encrypted,
      tables: manifest?.tables.length,
    });
  }
  return { command: 'list', location: path.resolve(config.backupDir), backups };
}
