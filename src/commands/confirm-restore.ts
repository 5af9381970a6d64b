import type { Confirmation } from './command-config.js';
import { UserError } from '../domain/errors.js';
import type { RunContext } from './context.js';

/**
 * A restore that overwrites data needs `--yes`, the action's `confirm` equal
 * to the database's name, or that name typed at a terminal.
 */
export async function confirmOverwrite(
  databaseName: string,
  confirmation: Confirmation,
  context: RunContext,
  /** Restoring another database's backup: "backup of A into B", said in every question and refusal. */
  crossing?: string,
): Promise<void> {
  if (confirmation.yes) return;
  const what = crossing ? ` with a ${crossing}` : '';
  if (confirmation.typed !== undefined) {
    if (confirmation.typed === databaseName) return;
    throw new UserError(
      `Restore refused: confirm is "${confirmation.typed}" but must equal the database name "${databaseName}". Nothing was changed.`,
    );
  }
  if (context.prompt) {
    const answer = await context.prompt(
      `This overwrites the database "${databaseName}"${what}. Type its name to continue: `,
    );
    if (answer.trim() === databaseName) return;
    throw new UserError('Restore cancelled: the name typed did not match. Nothing was changed.');
  }
  throw new UserError(
    `Restore refused: it would overwrite "${databaseName}"${what}. Pass --yes (CLI) or confirm: ${databaseName} (action). Nothing was changed.`,
  );
}
