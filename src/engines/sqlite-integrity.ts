import type { SqliteDatabase } from './sqlite-driver.js';

/** What SQLite's integrity check found in a file. */
export interface Integrity {
  /** Empty when the file is sound. */
  readonly problems: readonly string[];
  /** Set when the schema calls functions only the application defines: what was left out. */
  readonly uncheckable?: Uncheckable;
}

/**
 * A CHECK constraint or an index that calls a function the application
 * defines (SQLite has no REGEXP of its own) cannot be evaluated here. That is
 * not damage: the check runs without exactly that, and says what it left out.
 */
export interface Uncheckable {
  /** The functions, as SQLite names them: `REGEXP()`. */
  readonly functions: readonly string[];
  /** Tables whose CHECK constraints were not checked: theirs call such a function. */
  readonly checksOf: readonly string[];
  /** integrity_check was asked and quick_check ran: whether indexes match their tables was not compared. */
  readonly indexes: boolean;
}

type Check = 'integrity_check' | 'quick_check';

/**
 * `PRAGMA integrity_check` (or the faster `quick_check`) on `db`, which must be
 * a read-write connection: on a read-only one SQLite leaves CHECK constraints out.
 *
 * When the schema calls a function SQLite here lacks, the whole file is checked
 * again without CHECK constraints (and, if an index expression calls one, with
 * quick_check, which does not evaluate indexes), and then every table's CHECK
 * constraints are checked table by table (`quick_check(table)`): only the
 * tables whose own constraints call such a function go unchecked, so one
 * REGEXP() never hides a broken constraint elsewhere.
 */
export function checkIntegrity(db: SqliteDatabase, requested: Check): Integrity {
  const run = (pragma: string): string[] =>
    (db.pragma(pragma, { simple: false }) as Record<string, unknown>[])
      .map((row) => String(Object.values(row)[0]))
      .filter((line) => line !== 'ok');
  const functions = new Set<string>();
  try {
    return { problems: run(requested) };
  } catch (error) {
    functions.add(unknownFunctionOrThrow(error));
  }
  let check = requested;
  let whole: string[];
  db.pragma('ignore_check_constraints = ON');
  try {
    for (;;) {
      try {
        whole = run(check);
        break;
      } catch (error) {
        functions.add(unknownFunctionOrThrow(error));
        // Only integrity_check evaluates index expressions; quick_check is what is left.
        if (check === 'quick_check') throw error;
        check = 'quick_check';
      }
    }
  } finally {
    db.pragma('ignore_check_constraints = OFF');
  }
  const problems = new Set(whole);
  const checksOf: string[] = [];
  for (const table of ordinaryTables(db)) {
    try {
      for (const problem of run(`quick_check(${sqlString(table)})`)) problems.add(problem);
    } catch (error) {
      functions.add(unknownFunctionOrThrow(error));
      checksOf.push(table);
    }
  }
  return {
    problems: [...problems],
    uncheckable: { functions: [...functions], checksOf, indexes: check !== requested },
  };
}

/**
 * The function a SQLite error says it lacks: "unknown function: REGEXP()" (as
 * a statement runs) or "no such function: REGEXP" (as it is prepared).
 */
export function missingFunction(error: unknown): string | undefined {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code !== 'SQLITE_ERROR' || typeof message !== 'string') return undefined;
  return /^(?:unknown|no such) function: ([^\s(]+)(?:\(\))?$/.exec(message)?.[1];
}

/** The function an error names as missing; any other error is thrown on. */
function unknownFunctionOrThrow(error: unknown): string {
  const name = missingFunction(error);
  if (name === undefined) throw error;
  return `${name}()`;
}

/** Tables with rows of their own (not virtual tables, whose module may be missing here). */
function ordinaryTables(db: SqliteDatabase): string[] {
  return db
    .prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
    )
    .pluck()
    .all() as string[];
}

const sqlString = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** The warning for what could not be checked, or undefined when everything was. */
export function uncheckedNote(name: string, integrity: Integrity): string | undefined {
  const left = integrity.uncheckable;
  if (!left) return undefined;
  const what = [
    left.checksOf.length > 0
      ? `the CHECK constraints of ${left.checksOf.map((table) => JSON.stringify(table)).join(', ')}`
      : undefined,
    left.indexes ? 'whether each index matches its table (quick_check ran)' : undefined,
  ].filter(Boolean);
  return `${name}: its schema calls ${left.functions.join(', ')}, which the application defines and SQLite here does not have, so ${what.length > 0 ? what.join(' and ') : 'what calls it'} could not be checked; the rest of SQLite's integrity check passed.`;
}
