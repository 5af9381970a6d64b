import type { TableCount } from '../../domain/manifest.js';
import type { CopyBlock } from './dump-tables.js';

/** A table of the snapshot, as the dump must show it. */
export interface ExpectedTable {
  readonly oid: string;
  /** `schema.name`, for the manifest and for messages. */
  readonly label: string;
  /** Its schema and name in the dump's encoding, unquoted. */
  readonly schema: Buffer;
  readonly name: Buffer;
  /** pg_dump writes its rows (a COPY block must be there). */
  readonly data: boolean;
  /** Its definition is in the dump: the manifest lists it. */
  readonly listed: boolean;
  /** One of the user's ordinary tables (not an extension's): listed when the dump holds its rows. */
  readonly ordinary: boolean;
  /** Its rows as counted in the dump's snapshot, when they were. */
  readonly snapshotRows?: number | undefined;
  /** The top of its partition tree, where pg_dump may load its rows through. */
  readonly partitionRoot?: { readonly schema: Buffer; readonly name: Buffer } | undefined;
}

export interface DumpReading {
  readonly blocks: readonly CopyBlock[];
  /** The stream ended with pg_dump's closing comment. */
  readonly finished: boolean;
  readonly anomalies: readonly string[];
}

export interface Completeness {
  /** The manifest's tables: every listed table, with the rows its COPY block carried. */
  readonly tables: TableCount[];
  /** Why the dump is not complete; empty when it is. */
  readonly problems: string[];
  /** Data the dump holds beyond what was expected (reported, and in the manifest). */
  readonly unexpected: string[];
}

function key(schema: Buffer, name: Buffer): string {
  return `${schema.toString('hex')}.${name.toString('hex')}`;
}

/** pg_dump's TOC comments print names with newlines turned into spaces. */
function sanitized(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  for (let i = 0; i < copy.length; i += 1) {
    if (copy[i] === 0x0a || copy[i] === 0x0d) copy[i] = 0x20;
  }
  return copy;
}

/** Whether a `Data for Name: …` comment introduces the data of `table`. */
function headerNames(header: Buffer | undefined, table: ExpectedTable): boolean {
  if (!header) return false;
  const expected = Buffer.concat([
    sanitized(table.name),
    Buffer.from('; Type: TABLE DATA; Schema: '),
    sanitized(table.schema),
    Buffer.from('; '),
  ]);
  return header.subarray(0, expected.length).equals(expected);
}

interface Received {
  rows: number;
  complete: boolean;
  blocks: number;
}

/**
 * Checks a dump read by PlainDumpScanner against the tables its snapshot
 * holds: pg_dump's closing comment at the end, and for every table whose
 * data the dump must hold exactly one COPY block, ended by `\.`, with the
 * rows the snapshot counted. Rows loaded through a partitioned parent
 * (pg_dump's "load via partition root") count for the partition the TOC
 * comment before them names.
 */
export function checkDumpCompleteness(
  expected: readonly ExpectedTable[],
  reading: DumpReading,
): Completeness {
  const problems = [...reading.anomalies];
  if (!reading.finished) {
    problems.push(
      'the dump does not end with pg_dump\'s closing line ("-- PostgreSQL database dump complete"): it was cut short',
    );
  }
  const byName = new Map(expected.map((table) => [key(table.schema, table.name), table]));
  const byRoot = new Map<string, ExpectedTable[]>();
  for (const table of expected) {
    if (!table.data || !table.partitionRoot) continue;
    const root = key(table.partitionRoot.schema, table.partitionRoot.name);
    byRoot.set(root, [...(byRoot.get(root) ?? []), table]);
  }
  const received = new Map<string, Received>();
  const extra = new Map<string, Received>();
  const add = (into: Map<string, Received>, oid: string, block: CopyBlock): void => {
    const seen = into.get(oid) ?? { rows: 0, complete: true, blocks: 0 };
    into.set(oid, {
      rows: seen.rows + block.rows,
      complete: seen.complete && block.complete,
      blocks: seen.blocks + 1,
    });
  };
  const unexpected: string[] = [];
  for (const block of reading.blocks) {
    const blockKey = key(block.schema, block.name);
    const table = byName.get(blockKey);
    if (table?.data) {
      add(received, table.oid, block);
      continue;
    }
    const partitions = byRoot.get(blockKey);
    if (partitions) {
      const named = partitions.filter((partition) => headerNames(block.header, partition));
      if (named.length === 1 && named[0]) {
        add(received, named[0].oid, block);
        continue;
      }
      problems.push(
        `rows were loaded through the partitioned table ${table?.label ?? printable(block)} for a partition this tool cannot identify`,
      );
      continue;
    }
    if (table) {
      add(extra, table.oid, block);
      continue;
    }
    problems.push(`pg_dump wrote data for ${printable(block)}, a table the snapshot does not hold`);
  }
  for (const table of expected) {
    if (!table.data) continue;
    const got = received.get(table.oid);
    const inSnapshot =
      table.snapshotRows === undefined ? '' : ` (the snapshot holds ${table.snapshotRows} rows)`;
    if (!got) {
      problems.push(`pg_dump wrote no data for ${table.label}${inSnapshot}`);
    } else if (got.blocks > 1) {
      problems.push(`pg_dump wrote the data of ${table.label} ${got.blocks} times`);
    } else if (!got.complete) {
      problems.push(`the data of ${table.label} was cut off after ${got.rows} rows${inSnapshot}`);
    } else if (table.snapshotRows !== undefined && got.rows !== table.snapshotRows) {
      problems.push(
        `pg_dump wrote ${got.rows} rows of ${table.label} but its snapshot holds ${table.snapshotRows}`,
      );
    }
  }
  const tables: TableCount[] = [];
  for (const table of expected) {
    if (!table.listed) continue;
    tables.push({ name: table.label, rows: received.get(table.oid)?.rows ?? 0 });
  }
  const byOid = new Map(expected.map((table) => [table.oid, table]));
  for (const [oid, got] of extra) {
    const table = byOid.get(oid);
    if (!table) continue;
    if (!got.complete)
      problems.push(`the data of ${table.label} was cut off after ${got.rows} rows`);
    unexpected.push(table.label);
    // Rows the dump holds are rows a restore brings back: the manifest says so.
    const index = tables.findIndex((t) => t.name === table.label);
    if (index !== -1) tables[index] = { name: table.label, rows: got.rows };
    else if (table.ordinary) tables.push({ name: table.label, rows: got.rows });
  }
  tables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { tables, problems, unexpected };
}

function printable(block: CopyBlock): string {
  const text = `${block.schema.toString('utf8')}.${block.name.toString('utf8')}`;
  return JSON.stringify(text);
}
