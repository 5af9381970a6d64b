import { Readable } from 'node:stream';
import { parseBackupName } from '../domain/backup-name.js';
import type { VerifyConfig } from './command-config.js';
import { errorMessage } from '../domain/errors.js';
import { redact } from '../domain/secrets.js';
import { createStorage } from '../storage/factory.js';
import { isLocalPlace, liesAt } from '../storage/storage.js';
import { TOOL_NAME, TOOL_VERSION } from '../domain/version.js';
import {
  freeRecordName,
  outcomeOf,
  serializeVerificationRecord,
  type VerificationRecord,
} from '../verification/verification-record.js';
import type { RunContext } from './context.js';
import type { LocatedBackup } from './locate-backup.js';
import type { VerifyResult } from './verify.js';

/** At most this many problems are kept in a record: it stays small whatever went wrong. */
const MAX_PROBLEMS = 10;

/**
 * Writes the verification's record beside the backup at the target it was
 * read from, so that `status` (and people) can see when it was last proven
 * to restore. Only backups of ours that the target lists get one: a file
 * verified by its path elsewhere has no place the record would be found.
 */
export async function recordVerification(
  result: VerifyResult,
  backup: LocatedBackup | undefined,
  config: VerifyConfig,
  context: RunContext,
): Promise<{ record?: string; warning?: string }> {
  const name = result.name;
  if (!parseBackupName(name)) {
    context.log.info(`${name} is not named as this tool names backups: no verification record.`);
    return {};
  }
  try {
    const storage = await createStorage(config.from, config.targets);
    if (backup && isLocalPlace(storage) && !liesAt(storage, backup.file)) {
      context.log.info(
        `${backup.file} is outside ${storage.localDirectory}: no verification record.`,
      );
      return {};
    }
    const names = new Set((await storage.list()).map((object) => object.name));
    if (!names.has(name)) {
      context.log.info(`${name} is not at ${storage.location}: no verification record.`);
      return {};
    }
    const time = context.now?.() ?? new Date();
    const record: VerificationRecord = {
      formatVersion: 1,
      kind: 'verification',
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      backup: name,
      sha256: backup?.manifest?.file.sha256 ?? null,
      verifiedAt: time.toISOString(),
      level: result.level,
      verified: result.verified,
      tables: result.tables.length,
      rows: result.tables.reduce((sum, table) => sum + (table.restored ?? 0), 0),
      problems: result.problems.slice(0, MAX_PROBLEMS),
    };
    const recordName = freeRecordName(name, outcomeOf(record), time, names);
    const bytes = Buffer.from(serializeVerificationRecord(record));
    await storage.put(recordName, { open: () => Readable.from([bytes]), size: bytes.length });
    context.log.info(`Recorded the verification as ${recordName} at ${storage.location}`);
    return { record: recordName };
  } catch (error) {
    const warning = `the verification could not be recorded at ${config.from} (${redact(errorMessage(error))}): db-backup status will not see it.`;
    context.log.warn(warning);
    return { warning };
  }
}
