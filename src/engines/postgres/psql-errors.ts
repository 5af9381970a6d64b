/** The error psql stopped at, read from its stderr (psql runs with VERBOSITY=verbose). */
export interface PsqlError {
  /** SQLSTATE, such as 55P03 (lock_not_available) or 42P07 (duplicate_table). */
  readonly sqlstate: string | undefined;
  /** The server's message, without psql's prefix and SQLSTATE. */
  readonly message: string;
  /** psql's input line, when psql named one. */
  readonly inputLine: number | undefined;
  /** DETAIL, HINT and CONTEXT lines that followed, and psql's LINE excerpt of the statement. */
  readonly details: readonly string[];
}

const ERROR_LINE = /^(?:psql:[^:]*:(\d+): )?(?:ERROR|FATAL|PANIC):\s+(?:([0-9A-Z]{5}): )?(.*)$/;

/** The last ERROR/FATAL psql printed (verbose: `psql:<stdin>:12: ERROR:  42P07: relation … exists`). */
export function parsePsqlError(stderr: string): PsqlError | undefined {
  const lines = stderr.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const match = ERROR_LINE.exec(lines[i] ?? '');
    if (!match) continue;
    const details: string[] = [];
    for (const line of lines.slice(i + 1)) {
      if (/^(DETAIL|HINT|CONTEXT|LINE \d+):/.test(line)) {
        const text = line.replace(/\s+/g, ' ').trim();
        details.push(text.length > 300 ? `${text.slice(0, 300)}…` : text);
      }
    }
    return {
      sqlstate: match[2],
      message: (match[3] ?? '').trim(),
      inputLine: match[1] === undefined ? undefined : Number(match[1]),
      details,
    };
  }
  return undefined;
}

/** SQLSTATE of a lock wait that gave up at lock_timeout. */
export const LOCK_NOT_AVAILABLE = '55P03';
/** SQLSTATE of a server out of shared memory: among others, its lock table full. */
export const OUT_OF_MEMORY = '53200';
/** SQLSTATE of a table definition PostgreSQL refuses (among others: dropping an inherited constraint). */
export const INVALID_TABLE_DEFINITION = '42P16';
/** SQLSTATE of a reference to something that does not exist (a role, among others). */
export const UNDEFINED_OBJECT = '42704';

/**
 * SQLSTATEs of a CREATE for something that exists already (duplicate_table,
 * duplicate_object, duplicate_schema, duplicate_function): what a dump made
 * without --clean meets in a database that holds what it creates.
 */
export const ALREADY_EXISTS: ReadonlySet<string> = new Set(['42P07', '42710', '42P06', '42723']);
