/**
 * What an error of ours says about the run, decided where it is raised:
 * - `refused`: nothing changed (bad input, a damaged backup, a missing
 *   confirmation) — exit 2;
 * - `failed`: the job ran and failed (a dump tool that died, a full disk, a
 *   server that does not answer, SQL that fails to restore) — exit 1.
 */
export type ErrorKind = 'refused' | 'failed';

/**
 * The one error type of the tool: one clear line worded by us, and its kind.
 * Anything that is not one is a crash: it keeps its stack trace and its text
 * is masked before anyone sees it.
 */
export class DbBackupError extends Error {
  override readonly name: string = 'DbBackupError';

  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Refused: a problem the user can fix (bad input, a missing file, a refused restore). */
export class UserError extends DbBackupError {
  override readonly name: string = 'UserError';

  constructor(message: string, options?: ErrorOptions) {
    super('refused', message, options);
  }
}

/** Failed: the job started and failed for a reason outside the user's input. */
export class JobFailure extends DbBackupError {
  override readonly name = 'JobFailure';

  constructor(message: string, options?: ErrorOptions) {
    super('failed', message, options);
  }
}

/**
 * Refused: the passphrase or keys given do not open a backup (none given fits
 * it, or its data did not decrypt with the passphrase: wrong, or damaged).
 * When the file is the one its manifest describes, this says nothing about
 * the backup, only about what was given: verify refuses instead of recording
 * the backup as failed.
 */
export class CredentialsDoNotFit extends UserError {
  override readonly name = 'CredentialsDoNotFit';
}

/**
 * Refused: the role may not create databases (no CREATEDB), and the work
 * needs a new one. It says nothing about the backup.
 */
export class CannotCreateDatabases extends UserError {
  override readonly name = 'CannotCreateDatabases';
}

/** What verify says when its scratch server's role may not create the test restore's database. */
export const SCRATCH_ROLE_CANNOT_CREATE =
  "The role in the scratch server's URL may not create databases, and a test restore needs a database of its own: give that role CREATEDB, or name another role in verify-database-url. Nothing was changed.";

/** Refused: a backup that is not what its manifest says (a damaged file or download); for verify, a failed check. */
export class IntegrityError extends DbBackupError {
  override readonly name = 'IntegrityError';

  constructor(message: string, options?: ErrorOptions) {
    super('refused', message, options);
  }
}

/** An error worded by us (of either kind), as opposed to a crash. */
export function isWorded(error: unknown): error is DbBackupError {
  return error instanceof DbBackupError;
}

/** The kind of any error: a crash is a failed job. */
export function kindOf(error: unknown): ErrorKind {
  return isWorded(error) ? error.kind : 'failed';
}

/** The process's exit status for an error: the one place kinds become numbers. */
export function exitCodeOf(error: unknown): 1 | 2 {
  return kindOf(error) === 'refused' ? 2 : 1;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
