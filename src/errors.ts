/**
 * A problem the user can fix: bad input, a missing file, a refused restore.
 * The CLI exits 2 with the message alone; the action fails the step with it.
 * Anything else is a crash and keeps its stack trace.
 */
export class UserError extends Error {
  override readonly name: string = 'UserError';
}

/**
 * The job started and failed for a reason outside the user's input: a dump
 * tool that died, a full disk, a server that does not answer, SQL that fails
 * to restore. One clear line like a UserError, but the CLI exits 1 (a
 * refusal or a usage error exits 2).
 */
export class JobFailure extends UserError {
  override readonly name = 'JobFailure';
}

/** A backup that is not what its manifest says (a damaged file or download): a refusal, and for verify a failed check. */
export class IntegrityError extends UserError {
  override readonly name = 'IntegrityError';
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
