import type { TocEntry } from './archive-toc.js';

/**
 * The entries that belong to a picked table, by what they depend on in the
 * archive's table of contents: pg_restore's `--table` takes a table and its
 * rows only, so a table restored so lost its primary key, indexes,
 * constraints, defaults, identity and owned sequences, triggers, comments and
 * grants, and a partitioned table its partitions (and, in place, their rows:
 * dropping the parent drops them). pg_dump's own `--table` takes them along.
 *
 * For each kind, the kinds of picked entry it belongs to.
 */
/** Relations whose own entries come with them: `--tables` picks views and materialized views too. */
const RELATIONS = ['TABLE', 'VIEW', 'MATERIALIZED VIEW', 'FOREIGN TABLE'];

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
  'INDEX ATTACH': ['INDEX'],
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

/** Kinds that are one relation's own, found by {@link companionsOf}'s ownRelation. */
const OWNED = new Set([
  'DEFAULT',
  'CONSTRAINT',
  'CHECK CONSTRAINT',
  'FK CONSTRAINT',
  'INDEX',
  'TRIGGER',
  'RULE',
  'POLICY',
  'ROW SECURITY',
  'STATISTICS',
]);

export interface Companions {
  /** Entries that come with what was picked, in the archive's order. */
  readonly added: readonly TocEntry[];
  /**
   * Into a new database: entries of a picked table that need something not
   * restored with it (a foreign key to a table not picked, a trigger's
   * function), left out so that the rest restores.
   */
  readonly leftOut: readonly TocEntry[];
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
  // Each partition's parents, from the TABLE ATTACH entries: [partition, parent].
  const parents = new Map<number, number[]>();
  for (const entry of entries) {
    if (entry.desc !== 'TABLE ATTACH') continue;
    const tables = entry.dependencies.filter((id) => kindOf(id) === 'TABLE');
    const child = tables.find(
      (id) => byId.get(id)?.tag === entry.tag && byId.get(id)?.namespace === entry.namespace,
    );
    if (child === undefined) continue;
    parents.set(child, [...(parents.get(child) ?? []), ...tables.filter((id) => id !== child)]);
  }
  const isRelation = (id: number): boolean => RELATIONS.includes(kindOf(id) ?? '');
  const relationsOf = (ids: readonly number[]): number[] => ids.filter(isRelation);
  /**
   * The relation an entry is its own: a foreign key's is the one whose key it does not
   * reference (or the only one, for a self-reference); a constraint's, trigger's, policy's,
   * default's or rule's is the one whose name its own starts with ("orders orders_pkey"),
   * else the only relation it depends on. Another table's foreign key or policy that merely
   * refers to a picked table is that other table's, and never comes along: in place, its
   * definition stays as the database has it, or PostgreSQL refuses to drop the table.
   */
  const ownRelation = (entry: TocEntry): number | undefined => {
    const relations = relationsOf(entry.dependencies);
    if (entry.desc === 'FK CONSTRAINT') {
      const referenced = entry.dependencies
        .filter((id) => kindOf(id) === 'CONSTRAINT' || kindOf(id) === 'INDEX')
        .flatMap((id) => relationsOf(byId.get(id)?.dependencies ?? []));
      const own = relations.filter((id) => !referenced.includes(id));
      return own.length === 1 ? own[0] : new Set(relations).size === 1 ? relations[0] : undefined;
    }
    const named = relations.filter((id) => {
      const relation = byId.get(id)!;
      return relation.namespace === entry.namespace && entry.tag.startsWith(`${relation.tag} `);
    });
    if (new Set(named).size === 1) return named[0];
    return new Set(relations).size === 1 ? relations[0] : undefined;
  };
  const belongs = (entry: TocEntry): boolean => {
    const owners = BELONGS_TO[entry.desc];
    if (owners === undefined) return false;
    const candidates =
      entry.desc === 'TABLE'
        ? (parents.get(entry.id) ?? [])
        : OWNED.has(entry.desc)
          ? [ownRelation(entry)].filter((id) => id !== undefined)
          : entry.dependencies;
    return candidates.some(
      (id) => keep.has(id) && (owners.includes('*') || owners.includes(kindOf(id) ?? '')),
    );
  };
  const needsOnlyKept = (entry: TocEntry): boolean =>
    entry.dependencies.every((id) => keep.has(id) || !byId.has(id) || kindOf(id) === 'SCHEMA');
  // Until nothing more comes: a partition brings its own indexes, a sequence its value.
  for (let more = true; more;) {
    more = false;
    for (const entry of entries) {
      if (keep.has(entry.id) || !belongs(entry)) continue;
      if (into === 'new' && !needsOnlyKept(entry)) continue;
      keep.add(entry.id);
      more = true;
    }
  }
  const added = entries.filter((entry) => keep.has(entry.id) && !picked.has(entry.id));
  // Named only when it is a picked relation's own (all that belongs() takes is).
  const leftOut = entries.filter((entry) => {
    if (keep.has(entry.id) || !belongs(entry)) return false;
    const own = OWNED.has(entry.desc) ? ownRelation(entry) : relationsOf(entry.dependencies)[0];
    return own !== undefined && keep.has(own);
  });
  return { added, leftOut };
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
