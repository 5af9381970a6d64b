/**
 * pg_dump's name patterns (--schema, --table, ...) turned into the regular
 * expressions pg_dump itself sends to the server, so that this tool selects
 * exactly the tables pg_dump selects. The rules are those of libpq's
 * `patternToSQLRegex` (PostgreSQL 14 and later): unquoted letters fold to
 * lower case, `*` and `?` are wildcards, `"…"` quotes (with `""` for a quote),
 * an unquoted `.` separates the parts, `$` is always literal, other regular
 * expression characters pass through outside quotes (except `[]`), and every
 * part is anchored as `^(…)$`.
 */

/** A pattern split into the regular expressions of its parts. */
export interface PatternRegexes {
  /** The database part of `db.schema.table`, as a literal name (pg_dump requires it to be the dumped database). */
  readonly database?: string;
  /** `^(…)$` for the schema, when the pattern names one. */
  readonly schema?: string;
  /** `^(…)$` for the name. */
  readonly name: string;
  /** How many unquoted dots the pattern holds (pg_dump refuses more than it can use). */
  readonly dots: number;
}

/** The regular expression `^(.*)$`, which pg_dump leaves out of its query. */
export const MATCH_ANYTHING = '^(.*)$';

const REGEX_SPECIALS = '|*+?()[]{}.^$\\';

/**
 * One pattern into up to `parts` regular expressions (1: a schema pattern,
 * which never splits; 3: a table pattern, database.schema.table). Extra dots
 * beyond the parts are kept as they are (an unescaped `.`, any character),
 * as libpq does.
 */
function patternToRegexes(pattern: string, parts: 1 | 3): PatternRegexes {
  const buffers: string[] = ['^('];
  let literalDatabase = '';
  let left = true;
  let inQuotes = false;
  let dots = 0;
  const chars = [...pattern];
  const append = (regex: string, literal: string): void => {
    buffers[buffers.length - 1] += regex;
    if (left) literalDatabase += literal;
  };
  for (let i = 0; i < chars.length; i += 1) {
    const ch = chars[i] as string;
    if (ch === '"') {
      if (inQuotes && chars[i + 1] === '"') {
        append('"', '"');
        i += 1;
      } else {
        inQuotes = !inQuotes;
      }
    } else if (!inQuotes && ch >= 'A' && ch <= 'Z') {
      // isupper() on single bytes: ASCII letters only, in C and UTF-8 locales.
      append(ch.toLowerCase(), ch.toLowerCase());
    } else if (!inQuotes && ch === '*') {
      append('.*', '*');
    } else if (!inQuotes && ch === '?') {
      append('.', '?');
    } else if (!inQuotes && ch === '.') {
      left = false;
      dots += 1;
      if (buffers.length < parts) {
        buffers[buffers.length - 1] += ')$';
        buffers.push('^(');
      } else {
        buffers[buffers.length - 1] += '.';
      }
    } else if (ch === '$') {
      append('\\$', '$');
    } else {
      let regex = ch;
      if (inQuotes && REGEX_SPECIALS.includes(ch)) regex = `\\${ch}`;
      else if (ch === '[' && chars[i + 1] === ']') regex = `\\${ch}`;
      append(regex, ch);
    }
  }
  buffers[buffers.length - 1] += ')$';
  const name = buffers.pop() as string;
  const schema = buffers.pop();
  const hasDatabase = buffers.length > 0;
  return {
    ...(hasDatabase ? { database: literalDatabase } : {}),
    ...(schema !== undefined ? { schema } : {}),
    name,
    dots,
  };
}

/** A --schema / --exclude-schema pattern: one name, never split (pg_dump refuses a dotted one). */
export function schemaPatternRegexes(pattern: string): PatternRegexes {
  return patternToRegexes(pattern, 1);
}

/** A --table / --exclude-table / --exclude-table-data pattern: [[database.]schema.]table. */
export function tablePatternRegexes(pattern: string): PatternRegexes {
  return patternToRegexes(pattern, 3);
}
