import type { SqliteDatabase } from './sqlite-driver.js';

/** What SQLite's integrity check found in a file. */
export interface Integrity {
  /** Empty when the file is sound. */
  readonly problems: readonly string[];
  /** Set when the schema calls functions only the application defines: what was left out. */
  readonly uncheckable?: Uncheckable;
}

/**
 * A CHECK constraint, an index or a generated column that calls a function
 * the application defines (SQLite has no REGEXP of its own) cannot be
 * evaluated here. That is not damage: the check runs without exactly that,
 * table by table, and says what it left out.
 */
export interface Uncheckable {
  /** The functions, as the schema names them: `REGEXP`. */
  readonly functions: readonly string[];
  /** Tables whose CHECK constraints were not checked. */
  readonly checksOf: readonly string[];
  /** Tables whose indexes were not compared with their rows (integrity_check asked, quick_check ran). */
  readonly indexesOf: readonly string[];
  /** Tables not checked at all (a generated column calls such a function). */
  readonly tables: readonly string[];
  /** The file-wide part (pages two tables claim, pages none owns, the free list) could not run. */
  readonly fileWide: boolean;
}

type Check = 'integrity_check' | 'quick_check';

/** One way of checking, from the fullest down; each leaves out what the next names. */
interface Attempt {
  readonly check: Check;
  readonly checks: boolean;
}

function attempts(requested: Check): Attempt[] {
  const ladder: Attempt[] = [
    { check: requested, checks: true },
    { check: requested, checks: false },
  ];
  if (requested === 'integrity_check') {
    // Only integrity_check evaluates index expressions.
    ladder.push({ check: 'quick_check', checks: true }, { check: 'quick_check', checks: false });
  }
  return ladder;
}

/**
 * `PRAGMA integrity_check` (or the faster `quick_check`) on `db`, which must be
 * a read-write connection: on a read-only one SQLite leaves CHECK constraints out.
 *
 * When the schema calls a function SQLite here lacks, the file-wide check runs
 * again with as little left out as lets it run (CHECK constraints, then index
 * contents), and then every table on its own (`integrity_check('table')`),
 * each down the same ladder: only what calls such a function goes unchecked,
 * so one REGEXP() never hides a broken constraint or index elsewhere.
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
  /** The first attempt that runs: its problems and which it was; undefined when none can. */
  const firstThatRuns = (
    argument: string,
  ): { problems: string[]; attempt: Attempt } | undefined => {
    for (const attempt of attempts(requested)) {
      db.pragma(`ignore_check_constraints = ${attempt.checks ? 'OFF' : 'ON'}`);
      try {
        return { problems: run(`${attempt.check}${argument}`), attempt };
      } catch (error) {
        functions.add(unknownFunctionOrThrow(error));
      } finally {
        db.pragma('ignore_check_constraints = OFF');
      }
    }
    return undefined;
  };
  const problems = new Set<string>();
  const fileWide = firstThatRuns('');
  for (const problem of fileWide?.problems ?? []) problems.add(problem);
  const checksOf: string[] = [];
  const indexesOf: string[] = [];
  const tables: string[] = [];
  for (const table of ordinaryTables(db)) {
    const checked = firstThatRuns(`(${sqlString(table)})`);
    if (!checked) {
      tables.push(table);
      continue;
    }
    for (const problem of checked.problems) problems.add(problem);
    if (!checked.attempt.checks) checksOf.push(table);
    if (checked.attempt.check !== requested) indexesOf.push(table);
  }
  // Last: its stand-ins stay on this connection, and every check above needed to run without them.
  const structure = fileWide ? undefined : structureOnly(db, functions, run);
  for (const problem of structure ?? []) problems.add(problem);
  return {
    problems: [...problems],
    uncheckable: {
      functions: [...functions],
      checksOf,
      indexesOf,
      tables,
      fileWide: fileWide === undefined && structure === undefined,
    },
  };
}

/** What quick_check says of rows rather than of the file's pages: the per-table pass tells those. */
const ROW_PROBLEM =
  /^(?:NULL value in |non-\S+ value in |CHECK constraint failed in |row \d+ missing from index |wrong # of entries in index |non-unique entry in index )/;

/**
 * The file-wide part when even quick_check without CHECK constraints needs a
 * missing function (a generated column on it): run with a stand-in for each
 * that gives NULL, and keep only what it says of pages (two tables claiming
 * one, pages nobody owns, the free list). What it says of rows, computed from
 * the stand-ins, is no finding; the table-by-table pass checked the rows.
 */
function structureOnly(
  db: SqliteDatabase,
  functions: Set<string>,
  run: (pragma: string) => string[],
): string[] | undefined {
  db.pragma('ignore_check_constraints = ON');
  try {
    return withStandIns(
      db,
      functions,
      () => () => null,
      () => run('quick_check'),
    ).filter((line) => !ROW_PROBLEM.test(line));
  } catch (error) {
    if (missingFunction(error) === undefined) throw error;
    return undefined;
  } finally {
    db.pragma('ignore_check_constraints = OFF');
  }
}

/**
 * Runs `work` (which must leave nothing behind when it fails) with a stand-in
 * for each function in `names`, and again with one more each time it fails
 * for a function SQLite here lacks (the application defines it: SQLite has no
 * REGEXP of its own). SQLite needs such a function to exist before it
 * prepares a statement that may call it; what the stand-in does when called
 * is `standIn`'s to say. `names` gains every function given one; a function
 * still missing once it has a stand-in fails as it did.
 */
export function withStandIns<T>(
  db: SqliteDatabase,
  names: Set<string>,
  standIn: (name: string) => (...args: unknown[]) => unknown,
  work: () => T,
): T {
  const give = (name: string): void => {
    db.function(name, { varargs: true, deterministic: true }, standIn(name));
  };
  for (const name of names) give(name);
  for (;;) {
    try {
      return work();
    } catch (error) {
      const name = missingFunction(error);
      if (name === undefined || names.has(name)) throw error;
      names.add(name);
      give(name);
    }
  }
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
  return name;
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
  const names = (tables: readonly string[]): string =>
    tables.map((table) => JSON.stringify(table)).join(', ');
  const what = [
    left.checksOf.length > 0 ? `the CHECK constraints of ${names(left.checksOf)}` : undefined,
    left.indexesOf.length > 0
      ? `whether the indexes of ${names(left.indexesOf)} match their rows`
      : undefined,
    left.tables.length > 0 ? `the rows of ${names(left.tables)}` : undefined,
    left.fileWide
      ? "the file's pages as a whole (pages two tables claim, pages none owns, the free list)"
      : undefined,
  ].filter(Boolean);
  return `${name}: its schema calls ${left.functions.map((name) => `${name}()`).join(', ')}, which the application defines and SQLite here does not have, so ${what.length > 0 ? what.join(' and ') : 'what calls it'} could not be checked; the rest of SQLite's integrity check passed.`;
}
