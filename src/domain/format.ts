const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** A count with its noun, singular for one: "1 table", "3 tables". */
export function counted(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  const days = Math.floor(hours / 24);
  return `${days}d ${hours % 24}h`;
}

/** A plain-text table with columns padded to their widest cell. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** A Markdown table; pipes in cells are escaped. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|');
  const line = (cells: readonly string[]): string => `| ${cells.map(escape).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A backup's last verification in a list: `2d 3h ago`, `quick, 5m ago`, `FAILED 1h ago`, `never`. */
export function verificationLabel(
  verification: {
    readonly outcome: 'verified' | 'quick-checked' | 'verify-failed';
    readonly ageSeconds: number;
  } | null,
): string {
  if (!verification) return 'never';
  const ago = `${formatAge(verification.ageSeconds)} ago`;
  if (verification.outcome === 'verify-failed') return `FAILED ${ago}`;
  return verification.outcome === 'quick-checked' ? `quick, ${ago}` : ago;
}

/** What a listed backup holds: `custom, zstd` (PostgreSQL's dump format), `file, gzip` (a SQLite database file). */
export function contentLabel(backup: {
  readonly format: string | null;
  readonly compression: string;
}): string {
  return `${backup.format ?? 'file'}, ${backup.compression}`;
}

/** C0 and C1 control characters, and the Unicode line and paragraph separators. */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
}

/**
 * A name from outside (a database's: the server lets it hold anything) as
 * one line of text: as it is, or, when it holds a line break or another
 * control character, quoted with those written as escapes (`"a\nb"`), so
 * that it can never start a line of its own in a log or a table.
 */
export function printableName(name: string): string {
  if (![...name].some((ch) => isControl(ch.codePointAt(0) ?? 0))) return name;
  const escaped = [...name]
    .map((ch) => {
      const code = ch.codePointAt(0) ?? 0;
      if (!isControl(code)) return ch === '"' || ch === '\\' ? `\\${ch}` : ch;
      const short = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' }[code];
      return short ?? `\\u${code.toString(16).padStart(4, '0')}`;
    })
    .join('');
  return `"${escaped}"`;
}
