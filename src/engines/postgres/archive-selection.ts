import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../domain/errors.js';
import { FILE_MODE } from '../../fs/files.js';
import type { RestoreSource } from '../engine.js';
import { companionsOf } from './archive-companions.js';
import { readTableOfContents, type TocEntry } from './archive-toc.js';
import { runToEnd } from './child-process.js';
import type { ClientTool } from './client-tools.js';

/** What the user picked from an archive: `--schemas` and `--tables` at restore. */
export interface ArchiveSelection {
  readonly schemas: readonly string[];
  readonly tables: readonly string[];
}

export function isSelective(selection: ArchiveSelection): boolean {
  return selection.tables.length > 0 || selection.schemas.length > 0;
}

/** The selection as pg_restore's `--schema` and `--table`. */
export function selectionArguments(selection: ArchiveSelection): string[] {
  return [
    ...selection.schemas.map((schema) => `--schema=${schema}`),
    ...selection.tables.map((table) => `--table=${table}`),
  ];
}

/**
 * Every name of `--tables` and `--schemas` is in the archive: pg_restore
 * itself checks (`--strict-names`, with a schema-only restore into nothing,
 * which reads only the table of contents). Otherwise a name it does not know,
 * such as `public.orders` (pg_restore --table takes the bare name), would
 * restore nothing and report success. Refused before anything changes.
 */
export async function assertSelectionInArchive(
  source: RestoreSource,
  archive: string,
  format: 'custom' | 'directory',
  pgRestore: ClientTool,
  selection: ArchiveSelection,
): Promise<void> {
  let names = selection;
  let entries: TocEntry[] | undefined;
  while (isSelective(names)) {
    const args = [
      '--strict-names',
      '--schema-only',
      '--file=/dev/null',
      ...selectionArguments(names),
      archive,
    ];
    try {
      await runToEnd('pg_restore', pgRestore.path, args, pgRestore.env);
      return;
    } catch (error) {
      const missing = /(table|schema) "(.*)" not found/.exec((error as Error).message);
      if (!missing) throw error;
      const [, kind, name] = missing;
      // --strict-names knows a schema by what is in it: an empty one is still in the backup.
      if (kind === 'schema') {
        entries ??= (await readTableOfContents(archive, format)) ?? [];
        if (entries.some((entry) => isSchemaEntry(entry) && entry.tag === name)) {
          names = { ...names, schemas: names.schemas.filter((schema) => schema !== name) };
          // --tables looks only in the schemas named: in empty ones alone it finds nothing.
          if (names.schemas.length === 0 && names.tables.length > 0) {
            throw new UserError(
              `${source.name} holds no table named "${names.tables[0]}" in the schema(s) given with --schemas: they hold nothing. Nothing was changed.`,
            );
          }
          continue;
        }
      }
      const qualified = kind === 'table' && name?.includes('.');
      throw new UserError(
        `${source.name} holds no ${kind} named "${name}"${
          qualified
            ? ": --tables takes a table's name without its schema (pick the schema with --schemas)"
            : ''
        }. Nothing was changed.`,
      );
    }
  }
}

const isSchemaEntry = (entry: TocEntry): boolean =>
  entry.desc === 'SCHEMA' && entry.namespace === '';

/** What a restore hands pg_restore to pick entries, and what it brings along. */
export interface PickedEntries {
  /** pg_restore arguments: `--schema`/`--table`, or `--use-list` of a list file. */
  readonly arguments: readonly string[];
  /** Schemas created from the backup for what was picked, by name. */
  readonly schemas: readonly string[];
  /** Entries that belong to what was picked and come with it (see archive-companions.ts). */
  readonly companions: readonly TocEntry[];
  /** A picked table's entries left out of a new database: what they need is not restored. */
  readonly leftOut: readonly TocEntry[];
  /** In place: entries whose relation the archive does not tell (see archive-companions.ts). */
  readonly unclear: readonly TocEntry[];
  /** With a `--use-list`: the ids of the entries it restores. */
  readonly restores?: ReadonlySet<number>;
}

/**
 * Whether restoring `picked` of the archive runs `CREATE SCHEMA public`:
 * pg_dump writes it when `--schema` named public, and a new database (made
 * from template0) has public already, so pg_restore would stop at "schema
 * "public" already exists". pg_dump's usual entry for public makes nothing
 * (its SQL is a comment saying so).
 */
export async function createsPublicSchema(
  archive: string,
  format: 'custom' | 'directory',
  picked: PickedEntries,
): Promise<boolean> {
  const entries = await readTableOfContents(archive, format);
  const entry = entries?.find(
    (candidate) =>
      candidate.desc === 'SCHEMA' &&
      candidate.tag === 'public' &&
      candidate.namespace === '' &&
      candidate.createsSchema,
  );
  if (!entry) return false;
  // pg_restore's --schema and --table never take a schema entry itself.
  if (picked.arguments.length === 0) return true;
  return picked.restores?.has(entry.id) ?? false;
}

/** The kinds of entry pg_restore makes after the rows: keys, indexes and what follows them. */
const POST_DATA = new Set([
  'CONSTRAINT',
  'CHECK CONSTRAINT',
  'INDEX',
  'INDEX ATTACH',
  'STATISTICS',
  'RULE',
  'TRIGGER',
  'FK CONSTRAINT',
  'POLICY',
  'ROW SECURITY',
  'PUBLICATION TABLE',
  'MATERIALIZED VIEW DATA',
]);

/** Entries that belong to a schema entry without being in it: its comment, label and grants. */
const ATTACHED = new Set(['COMMENT', 'SECURITY LABEL', 'ACL']);

const listedId = (line: string): number | undefined => {
  const id = /^(\d+);/.exec(line)?.[1];
  return id === undefined ? undefined : Number(id);
};

/**
 * What to pick from an archive. pg_restore's `--table` takes a table and its
 * rows only; what belongs to a picked table (its keys, indexes, defaults,
 * sequences, triggers, partitions, comments and grants) comes with it, as
 * with pg_dump's own `--table` (archive-companions.ts).
 *
 * Into a new database, `--schema` and `--table` take what is in a schema but
 * never the schema itself, which a new database (made from template0) does
 * not have, so every picked object outside `public` failed with "schema …
 * does not exist". There the picked entries also come with the schema
 * entries they live in, and those schemas' comments, security labels and
 * grants.
 *
 * The result is a list for `--use-list` in the archive's order (pg_restore
 * restores a list in its order). Each entry's schema and dependencies are
 * read from the archive's table of contents field by field: `pg_restore
 * --list` prints names unquoted, so a name with a space cannot be told from
 * the next field there. An archive not laid out as expected gets the plain
 * `--schema`/`--table` arguments.
 */
export async function pickEntries(
  archive: string,
  format: 'custom' | 'directory',
  pgRestore: ClientTool,
  selection: ArchiveSelection,
  workDir: string,
  into: 'existing' | 'new',
): Promise<PickedEntries> {
  const plain = {
    arguments: selectionArguments(selection),
    schemas: [],
    companions: [],
    leftOut: [],
    unclear: [],
  };
  if (!isSelective(selection)) return plain;
  const entries = await readTableOfContents(archive, format);
  if (!entries) return plain;
  const list = (args: readonly string[]): Promise<string> =>
    runToEnd('pg_restore', pgRestore.path, ['--list', ...args, archive], pgRestore.env);
  const picked = new Set(
    (await list(plain.arguments))
      .split('\n')
      .map(listedId)
      .filter((id) => id !== undefined),
  );
  const { added, leftOut, unclear } = companionsOf(entries, picked, into);
  const keep = new Set([...picked, ...added.map((entry) => entry.id)]);
  const schemas = into === 'new' ? schemasOf(entries, keep, selection.schemas) : [];
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const joins =
    into === 'existing' ? joiningExistingParents(entries, byId, keep) : { first: [], attach: [] };
  if (schemas.length === 0 && added.length === 0 && joins.attach.length === 0)
    return { ...plain, leftOut, unclear };
  const ids = new Set(schemas.map((entry) => entry.id));
  for (const id of ids) keep.add(id);
  for (const entry of entries) {
    if (
      ATTACHED.has(entry.desc) &&
      entry.namespace === '' &&
      entry.dependencies.some((id) => ids.has(id))
    ) {
      keep.add(entry.id);
    }
  }
  // pg_restore's own listing, one line an entry, of the entries to keep.
  const listed = new Map<number, string>();
  for (const line of (await list([])).split('\n')) {
    const id = listedId(line);
    if (id !== undefined && keep.has(id)) listed.set(id, line);
  }
  // Every entry to keep must be in pg_restore's own listing; otherwise leave the choice to it.
  if (listed.size !== keep.size) return plain;
  // pg_restore restores a list in its order (see joiningExistingParents): the indexes and keys
  // that join the database's parents come before the other post-data entries; the attach
  // entries after those indexes, and before the foreign keys (which may need the partition's
  // rows in its parent).
  const moved = new Set([...joins.first, ...joins.attach]);
  const kindOf = (id: number): string => byId.get(id)?.desc ?? '';
  const rest = [...listed.keys()].filter((id) => !moved.has(id));
  const firstPostData = rest.findIndex((id) => POST_DATA.has(kindOf(id)));
  const preData = firstPostData === -1 ? rest.length : firstPostData;
  const beforeForeignKeys = rest.slice(preData).findIndex((id) => kindOf(id) === 'FK CONSTRAINT');
  const at = beforeForeignKeys === -1 ? rest.length : preData + beforeForeignKeys;
  const order = [
    ...rest.slice(0, preData),
    ...joins.first,
    ...rest.slice(preData, at),
    ...joins.attach,
    ...rest.slice(at),
  ];
  const lines = order.flatMap((id) => listed.get(id) ?? []);
  const file = path.join(workDir, 'picked.list');
  await fs.writeFile(file, `${lines.join('\n')}\n`, { mode: FILE_MODE, flag: 'wx' });
  return {
    arguments: [`--use-list=${file}`],
    // template0 has public already: pg_dump's entry for it creates nothing.
    schemas: schemas.map((entry) => entry.tag).filter((name) => name !== 'public'),
    companions: added,
    leftOut,
    unclear,
    restores: new Set(listed.keys()),
  };
}

/**
 * In place, a partition picked without its parent joins the parent the
 * database has: pg_dump's order (the partition's TABLE ATTACH right after its
 * CREATE TABLE) would have PostgreSQL make the partition's indexes and keys
 * for the parent's at once, and the backup's own then fail with "relation
 * … already exists". Attached once its rows, keys and indexes are in, the
 * partition's indexes are the ones PostgreSQL takes for the parent's (the
 * oldest that matches: those go first), and the INDEX ATTACH entries that
 * follow find them attached already.
 *
 * @returns `attach`: the TABLE ATTACH entries whose parent is not restored,
 * then the INDEX ATTACH entries whose parent index is not; `first`: the
 * indexes and keys those INDEX ATTACH entries attach. Where an index's own
 * entry cannot be told, its INDEX ATTACH stays where it is: PostgreSQL then
 * refuses it, and the restore rolls back.
 */
function joiningExistingParents(
  entries: readonly TocEntry[],
  byId: ReadonlyMap<number, TocEntry>,
  keep: ReadonlySet<number>,
): { readonly first: number[]; readonly attach: number[] } {
  const kept = entries.filter((entry) => keep.has(entry.id));
  const notRestored = (id: number, kinds: readonly string[]): boolean =>
    !keep.has(id) && kinds.includes(byId.get(id)?.desc ?? '');
  // A TABLE ATTACH's dependencies are the partition and its parent.
  const tables = kept.filter(
    (entry) =>
      entry.desc === 'TABLE ATTACH' && entry.dependencies.some((id) => notRestored(id, ['TABLE'])),
  );
  if (tables.length === 0) return { first: [], attach: [] };
  // An INDEX ATTACH depends on its index's ancestors too: its parent is what its index depends on.
  const ownIndex = (attach: TocEntry): number | undefined =>
    attach.dependencies.find((id) => {
      const entry = byId.get(id);
      return (
        entry?.namespace === attach.namespace &&
        ((entry.desc === 'INDEX' && entry.tag === attach.tag) ||
          (entry.desc === 'CONSTRAINT' && entry.tag.endsWith(` ${attach.tag}`)))
      );
    });
  const joining = kept.flatMap((entry) => {
    if (entry.desc !== 'INDEX ATTACH') return [];
    const own = ownIndex(entry);
    const parents = own === undefined ? [] : byId.get(own)!.dependencies;
    return parents.some((id) => notRestored(id, ['INDEX', 'CONSTRAINT']))
      ? [{ attach: entry.id, own: own! }]
      : [];
  });
  return {
    first: joining.map(({ own }) => own),
    attach: [...tables.map((entry) => entry.id), ...joining.map(({ attach }) => attach)],
  };
}

/** The schema entries that hold any of the picked entries, and those of the named schemas (empty ones too). */
function schemasOf(
  entries: readonly TocEntry[],
  picked: ReadonlySet<number>,
  named: readonly string[],
): TocEntry[] {
  const namespaces = new Set([
    ...named,
    ...entries
      .filter((entry) => picked.has(entry.id) && entry.namespace !== '')
      .map((entry) => entry.namespace),
  ]);
  return entries.filter((entry) => isSchemaEntry(entry) && namespaces.has(entry.tag));
}
