import type { TableCount } from '../../domain/manifest.js';

/**
 * What `pg_restore --list` says of an archive: its format line, and for each
 * `TABLE DATA` entry the table's OID (pg_dump gives a table's data entry the
 * table's own OID: `3348; 0 16390 TABLE DATA public p1 owner`), so that the
 * entries are matched to the snapshot's tables exactly, whatever their names.
 */
export interface ArchiveListing {
  /** CUSTOM or DIRECTORY (`;     Format: …`). */
  readonly format: string | undefined;
  /** How many TABLE DATA entries name each table OID. */
  readonly tableData: ReadonlyMap<string, number>;
}

const ENTRY = /^\d+; \d+ (\d+) TABLE DATA /;

export function parseArchiveListing(text: string): ArchiveListing {
  let format: string | undefined;
  const tableData = new Map<string, number>();
  for (const line of text.split('\n')) {
    const declared = /^;\s+Format: (\S+)/.exec(line);
    if (declared) format = declared[1];
    const entry = ENTRY.exec(line);
    if (entry?.[1]) tableData.set(entry[1], (tableData.get(entry[1]) ?? 0) + 1);
  }
  return { format, tableData };
}

/** A table of the snapshot, as the archive must list it. */
export interface ArchiveTable {
  readonly oid: string;
  /** `schema.name`, for the manifest and messages. */
  readonly label: string;
  /** pg_dump writes its rows: a TABLE DATA entry must be there. */
  readonly data: boolean;
  /** Its definition is in the dump: the manifest lists it. */
  readonly listed: boolean;
  /** One of the user's ordinary tables (not an extension's). */
  readonly ordinary: boolean;
  /** Its rows, counted in the dump's snapshot (tables with data). */
  readonly snapshotRows?: number | undefined;
}

export interface ArchiveCompleteness {
  /** The manifest's tables with the rows the snapshot holds (extra tables' rows still to count). */
  readonly tables: TableCount[];
  readonly problems: string[];
  /** Tables of the snapshot whose data the archive holds though it was not expected. */
  readonly unexpected: ArchiveTable[];
}

/**
 * Every table whose data the dump must hold has exactly one TABLE DATA entry;
 * an entry for a table the snapshot does not hold is a problem, one for a
 * table not expected is reported (its rows are in the archive, so they count).
 */
export function checkArchiveCompleteness(
  expected: readonly ArchiveTable[],
  listing: ArchiveListing,
): ArchiveCompleteness {
  const problems: string[] = [];
  const byOid = new Map(expected.map((table) => [table.oid, table]));
  const unexpected: ArchiveTable[] = [];
  for (const [oid, entries] of listing.tableData) {
    const table = byOid.get(oid);
    if (!table) {
      problems.push(`the archive holds data for OID ${oid}, a table the snapshot does not hold`);
    } else if (!table.data) {
      unexpected.push(table);
    }
    if (table && entries > 1)
      problems.push(`the archive holds the data of ${table.label} ${entries} times`);
  }
  for (const table of expected) {
    if (table.data && !listing.tableData.has(table.oid)) {
      const rows =
        table.snapshotRows === undefined ? '' : ` (the snapshot holds ${table.snapshotRows} rows)`;
      problems.push(`the archive has no TABLE DATA entry for ${table.label}${rows}`);
    }
  }
  const tables = expected
    .filter((table) => table.listed || (table.ordinary && unexpected.includes(table)))
    .map((table) => ({ name: table.label, rows: table.data ? (table.snapshotRows ?? 0) : 0 }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { tables, problems, unexpected };
}
