/**
 * Splits SQL text into statements at semicolons that are not inside a quoted
 * string, a quoted identifier, a dollar-quoted body or a comment. Enough for
 * the short checks of verify-sql, where one line may hold several queries.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i);
    const quoted = /^'(?:[^']|'')*'?|^"(?:[^"]|"")*"?|^--[^\n]*|^\/\*[\s\S]*?(?:\*\/|$)/.exec(rest);
    const dollar = /^\$([A-Za-z_]\w*)?\$/.exec(rest);
    if (quoted) {
      if (!quoted[0].startsWith('--') && !quoted[0].startsWith('/*')) current += quoted[0];
      i += quoted[0].length;
    } else if (dollar) {
      const end = sql.indexOf(dollar[0], i + dollar[0].length);
      const stop = end === -1 ? sql.length : end + dollar[0].length;
      current += sql.slice(i, stop);
      i = stop;
    } else if (sql[i] === ';') {
      statements.push(current);
      current = '';
      i += 1;
    } else {
      current += sql[i];
      i += 1;
    }
  }
  statements.push(current);
  return statements.map((statement) => statement.trim()).filter(Boolean);
}
