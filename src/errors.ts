/**
 * A problem the user can fix: bad input, a missing file, a refused restore.
 * The CLI exits 2 with the message alone; the action fails the step with it.
 * Anything else is a crash and keeps its stack trace.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
