import type { TocEntry } from './archive-toc.js';

/**
 * The entries that belong to a picked table, by what they depend on in the
 * archive's table of contents: pg_restore's `--table` takes a table and its
 * rows only, so a table restored so lost its primary key, indexes,
 * constraints, defaults, identity and owned sequences, triggers, comments and
 * grants, and a partitioned table its partitions (and, in place, their rows:
 * dropping the parent drops them). pg_dump's own `--table` takes them along.
 */

/** Relations whose own entries come with them: `--tables` picks views and materialized views too. */
const RELATIONS = ['TABLE', 'VIEW', 'MATERIALIZED VIEW', 'FOREIGN TABLE'];

/** For each kind, the kinds of picked entry it belongs to. */
const BELONGS_TO: Readonly<Record<string, readonly string[]>> = {
  // A partition depends on its parent (told apart by its TABLE ATTACH entry: a table whose
  // column has another table's row type, or that inherits from it, depends on it too, and
  // is not that table's to replace); its rows on it.
  TABLE: ['TABLE'],
  'TABLE DATA': ['TABLE'],
  'TABLE ATTACH': ['TABLE'],
  'MATERIALIZED VIEW DATA': ['MATERIALIZED VIEW'],
  // An identity or owned (serial) sequence depends on its table; its value and owner on it.
  SEQUENCE: ['TABLE'],
  'SEQUENCE OWNED BY': ['SEQUENCE'],
  'SEQUENCE SET': ['SEQUENCE'],
  DEFAULT: RELATIONS,
  CONSTRAINT: RELATIONS,
  'CHECK CONSTRAINT': RELATIONS,
  'FK CONSTRAINT': ['TABLE'],
  INDEX: RELATIONS,
  // A partition's index joins its parent's; a key's index is its CONSTRAINT entry.
  'INDEX ATTACH': ['INDEX', 'CONSTRAINT'],
  TRIGGER: RELATIONS,
  RULE: RELATIONS,
  POLICY: RELATIONS,
  'ROW SECURITY': RELATIONS,
  STATISTICS: RELATIONS,
  'PUBLICATION TABLE': ['TABLE'],
  COMMENT: ['*'],
  'SECURITY LABEL': ['*'],
  ACL: ['*'],
};

/** Kinds whose name pg_dump writes as "<relation> <name>" ("orders orders_pkey"). */
const NAMED_AFTER_RELATION = new Set([
  'DEFAULT',
  'CONSTRAINT',
  'CHECK CONSTRAINT',
  'FK CONSTRAINT',
  'TRIGGER',
  'RULE',
  'POLICY',
]);

/** Kinds that are one relation's own, found by {@link companionsOf}'s ownRelation. */
const OWNED = new Set([...NAMED_AFTER_RELATION, 'INDEX', 'ROW SECURITY', 'STATISTICS']);

export interface Companions {
  /** Entries that come with what was picked, in the archive's order. */
  readonly added: readonly TocEntry[];
  /**
   * Into a new database: entries of a picked table that need something not
   * restored with it (a foreign key to a table not picked, a trigger's
   * function), left out so that the rest restores.
   */
  readonly leftOut: readonly TocEntry[];
  /**
   * In place: entries that depend on a picked relation and on another, where
   * the archive does not say whose they are (an index on one table whose
   * expression uses another's row type). Replacing the picked relation would
   * drop such an entry or rewrite another relation's: the restore refuses.
   */
  readonly unclear: readonly TocEntry[];
}

/**
 * What comes with the picked entries. In place (`into: 'existing'`) an entry
 * comes whatever else it needs, which the database has (or the one
 * transaction fails and nothing changes). Into a new database, which has only
 * what is restored, an entry comes only when all it needs does; schemas are
 * left to the caller, which brings those of everything kept.
 */
export function companionsOf(
  entries: readonly TocEntry[],
  picked: ReadonlySet<number>,
  into: 'existing' | 'new',
): Companions {
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const keep = new Set(picked);
  const kindOf = (id: number): string | undefined => byId.get(id)?.desc;
  /** The entry `id` is the object `entry` names (a TABLE ATTACH's partition, a ROW SECURITY's table). */
  const isNamedBy = (id: number, entry: TocEntry): boolean =>
    byId.get(id)?.tag === entry.tag && byId.get(id)?.namespace === entry.namespace;
  // Each partition's parents, from the TABLE ATTACH entries: [partition, parent].
  const parents = new Map<number, number[]>();
  for (const entry of entries) {
    if (entry.desc !== 'TABLE ATTACH') continue;
    const tables = entry.dependencies.filter((id) => kindOf(id) === 'TABLE');
    const child = tables.find((id) => isNamedBy(id, entry));
    if (child === undefined) continue;
    parents.set(child, [...(parents.get(child) ?? []), ...tables.filter((id) => id !== child)]);
  }
  const isRelation = (id: number): boolean => RELATIONS.includes(kindOf(id) ?? '');
  const relationsOf = (ids: readonly number[]): number[] => ids.filter(isRelation);
  /**
   * The relation an entry is its own. A constraint's, foreign key's, trigger's, policy's,
   * rule's or default's name starts with its relation's ("orders orders_pkey"): the one such
   * relation among those it depends on, for a foreign key not counting the one it references;
   * when two are left (tables "a" and "a b", and a name "a b p1") it is unclear. An index's or
   * statistics object's is the one relation it depends on. None: the entry is no relation's
   * (a domain's constraint that uses a table's row type). Another table's foreign key, policy
   * or trigger that merely refers to a picked table is that other table's and never comes
   * along: in place its definition stays as the database has it, or PostgreSQL refuses to
   * drop the table.
   */
  const ownRelation = (entry: TocEntry): number | 'unclear' | undefined => {
    const relations = [...new Set(relationsOf(entry.dependencies))];
    if (entry.desc === 'ROW SECURITY') return relations.find((id) => isNamedBy(id, entry));
    if (!NAMED_AFTER_RELATION.has(entry.desc)) {
      if (relations.length > 1) return 'unclear';
      return relations[0];
    }
    let named = relations.filter((id) => {
      const relation = byId.get(id)!;
      return relation.namespace === entry.namespace && entry.tag.startsWith(`${relation.tag} `);
    });
    if (entry.desc === 'FK CONSTRAINT' && named.length > 1) {
      const referenced = entry.dependencies
        .filter((id) => kindOf(id) === 'CONSTRAINT' || kindOf(id) === 'INDEX')
        .flatMap((id) => relationsOf(byId.get(id)?.dependencies ?? []));
      const own = named.filter((id) => !referenced.includes(id));
      if (own.length > 0) named = own;
    }
    // Two left ("a b p1" on table "a b", or a policy "b p1" on table "a" that uses "a b"): unclear.
    return named.length > 1 ? 'unclear' : named[0];
  };
  /**
   * For each entry that can come along, the entries it would come with: its own relation,
   * or every relation it depends on when which is its own is unclear. Fixed by the archive,
   * so worked out once, not on every pass below.
   */
  const ownersOf = new Map<number, readonly number[]>();
  const unclearIds = new Set<number>();
  for (const entry of entries) {
    if (BELONGS_TO[entry.desc] === undefined) continue;
    if (entry.desc === 'TABLE') {
      ownersOf.set(entry.id, parents.get(entry.id) ?? []);
    } else if (!OWNED.has(entry.desc)) {
      ownersOf.set(entry.id, entry.dependencies);
    } else {
      const own = ownRelation(entry);
      if (own === 'unclear') unclearIds.add(entry.id);
      ownersOf.set(
        entry.id,
        own === 'unclear' ? relationsOf(entry.dependencies) : own === undefined ? [] : [own],
      );
    }
  }
  const belongs = (entry: TocEntry): boolean => {
    const owners = BELONGS_TO[entry.desc] ?? [];
    return (ownersOf.get(entry.id) ?? []).some(
      (id) => keep.has(id) && (owners.includes('*') || owners.includes(kindOf(id) ?? '')),
    );
  };
  const isUnclear = (entry: TocEntry): boolean => unclearIds.has(entry.id);
  const needsOnlyKept = (entry: TocEntry): boolean =>
    entry.dependencies.every((id) => keep.has(id) || !byId.has(id) || kindOf(id) === 'SCHEMA');
  // Until nothing more comes: a partition brings its own indexes, a sequence its value.
  for (let more = true; more;) {
    more = false;
    for (const entry of entries) {
      if (keep.has(entry.id) || !belongs(entry)) continue;
      // Into a new database only what all it needs comes too; in place, one whose relation
      // is unclear only once all the relations it depends on come.
      if (into === 'new' && !needsOnlyKept(entry)) continue;
      if (
        into === 'existing' &&
        isUnclear(entry) &&
        !relationsOf(entry.dependencies).every((id) => keep.has(id))
      ) {
        continue;
      }
      keep.add(entry.id);
      more = true;
    }
  }
  const added = entries.filter((entry) => keep.has(entry.id) && !picked.has(entry.id));
  // What a picked relation's own (or may be) stayed out: named into a new database, refused in place.
  const missing = entries.filter((entry) => !keep.has(entry.id) && belongs(entry));
  return {
    added,
    leftOut: into === 'new' ? missing : [],
    unclear: into === 'existing' ? missing.filter(isUnclear) : [],
  };
}

/** How a log line counts each kind that came along; kinds left unsaid go with another. */
const LABELS: Readonly<Record<string, readonly [string, string]>> = {
  TABLE: ['partition or inheriting table', 'partitions or inheriting tables'],
  SEQUENCE: ['sequence', 'sequences'],
  DEFAULT: ['default', 'defaults'],
  CONSTRAINT: ['constraint', 'constraints'],
  'CHECK CONSTRAINT': ['constraint', 'constraints'],
  'FK CONSTRAINT': ['foreign key', 'foreign keys'],
  INDEX: ['index', 'indexes'],
  TRIGGER: ['trigger', 'triggers'],
  RULE: ['rule', 'rules'],
  POLICY: ['policy', 'policies'],
  STATISTICS: ['statistics object', 'statistics objects'],
  'PUBLICATION TABLE': ['publication membership', 'publication memberships'],
  COMMENT: ['comment', 'comments'],
  'SECURITY LABEL': ['security label', 'security labels'],
  ACL: ['set of grants', 'sets of grants'],
};

/** "2 constraints, 1 index, 1 sequence": what came along, by kind, for a log line. */
export function describeCompanions(added: readonly TocEntry[]): string {
  const counts = new Map<string, { many: string; count: number }>();
  for (const entry of added) {
    const label = LABELS[entry.desc];
    if (!label) continue;
    const [one, many] = label;
    counts.set(one, { many, count: (counts.get(one)?.count ?? 0) + 1 });
  }
  return [...counts]
    .map(([one, { many, count }]) => `${count} ${count === 1 ? one : many}`)
    .join(', ');
}

/** An entry as a log line names it: its kind and name, the name as a JSON string. */
export function describeEntry(entry: TocEntry): string {
  const label = LABELS[entry.desc]?.[0] ?? entry.desc.toLowerCase();
  return `${label} ${JSON.stringify(entry.tag)}`;
}
