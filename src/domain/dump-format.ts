/**
 * The shapes a PostgreSQL backup's content can take, what each adds to a
 * backup's name, and how to tell them apart by their first bytes. Pure data;
 * the work is in engines/postgres/archive-*.ts.
 */
export const DUMP_FORMATS = ['plain', 'custom', 'directory'] as const;
/**
 * plain: SQL for psql; custom: one `pg_dump -Fc` archive; directory: a
 * `pg_dump -Fd` directory stored as one tar file.
 */
export type DumpFormat = (typeof DUMP_FORMATS)[number];

/** What stands where a plain dump's `.sql` stands (before `.gz` / `.zst` / `.gpg`). */
export const FORMAT_EXTENSION: Readonly<Record<Exclude<DumpFormat, 'plain'>, string>> = {
  custom: 'dump',
  directory: 'dir.tar',
};

/** How many bytes `formatOfContent` needs to see (a tar header's magic ends at 262). */
export const FORMAT_SNIFF_BYTES = 512;

/**
 * What decoded content is: a custom archive starts with "PGDMP"; a tar file
 * has "ustar" at offset 257; anything else is taken for SQL text (psql judges it).
 */
export function formatOfContent(head: Buffer): DumpFormat {
  if (head.subarray(0, 5).toString('latin1') === 'PGDMP') return 'custom';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar')
    return 'directory';
  return 'plain';
}
