import type { EngineKind } from '../domain/database-location.js';
import { UserError } from '../domain/errors.js';
import type { Catalog, CatalogEntry } from './catalog.js';
import { isFutureDated } from './future.js';
import { describeIdentity, sameDatabase, type OwnDatabase } from './identity.js';
import type { DatabaseIdentity } from '../domain/manifest.js';

/** `latest` and `latest-sanitized` (the newest sanitized copy: never what `latest` means). */
const LATEST: Record<string, 'backup' | 'sanitized'> = {
  latest: 'backup',
  'latest-sanitized': 'sanitized',
};

export function isLatest(reference: string): boolean {
  return Object.hasOwn(LATEST, reference);
}

export function latestKind(reference: string): 'backup' | 'sanitized' {
  return LATEST[reference] ?? 'backup';
}

const ENGINE_LABEL: Record<EngineKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/**
 * `latest`: the newest backup of the kind whose manifest proves it is of this
 * database, and that is not dated in the future. A backup without a manifest,
 * or with one from before identities, is never `latest`: it may be another
 * database's. Without a database (verify with no URL), the one database
 * whose backups the place holds; several refuse.
 */
export async function latestEntry(
  catalog: Catalog,
  given: OwnDatabase | undefined,
  options: { engine?: EngineKind | undefined; kind?: 'backup' | 'sanitized'; now: Date },
): Promise<CatalogEntry> {
  const kind = options.kind ?? 'backup';
  const engine = given?.identity.engine ?? options.engine;
  // A sanitized copy is made to be restored elsewhere (a developer's database): its latest is
  // that of the one database whose copies the place holds, or of the --name given.
  const own = kind === 'sanitized' && given?.identity.name === undefined ? undefined : given;
  const entries = catalog.entries({ engine, kind });
  const unproven: string[] = [];
  let future = 0;
  const candidates: { entry: CatalogEntry; identity: DatabaseIdentity }[] = [];
  /** Other databases' backups, newest first: one may be this database under another address. */
  const others: { name: string; identity: DatabaseIdentity }[] = [];
  for (const entry of entries) {
    const { manifest } = entry.hasManifest
      ? await catalog.manifestOf(entry.backup.name)
      : { manifest: undefined };
    const ownership = own ? await catalog.ownership(entry, own) : undefined;
    if (own ? ownership !== 'ours' : !manifest?.identity) {
      if (ownership !== 'other') unproven.push(entry.backup.name);
      else if (manifest?.identity)
        others.push({ name: entry.backup.name, identity: manifest.identity });
      continue;
    }
    if (isFutureDated(entry.backup, manifest, options.now)) {
      future += 1;
      continue;
    }
    if (own) return entry;
    if (manifest?.identity) candidates.push({ entry, identity: manifest.identity });
  }
  // Without a database: the newest backup of the only database there.
  const first = candidates[0];
  if (first) {
    const others = candidates.filter((c) => !sameDatabase(c.identity, first.identity));
    if (others.length === 0) return first.entry;
    const shown = [first.identity, ...others.map((c) => c.identity)]
      .filter((id, index, all) => all.findIndex((o) => sameDatabase(o, id)) === index)
      .map(describeIdentity);
    throw new UserError(
      `${catalog.location} holds backups of several databases (${shown.join(', ')}): give the database (--database-url, with its --name if it has one) to say whose latest, or name the backup.`,
    );
  }
  const word = kind === 'sanitized' ? 'latest-sanitized' : 'latest';
  const label = engine ? `${ENGINE_LABEL[engine]} ` : '';
  const what = kind === 'sanitized' ? `sanitized ${label}copy` : `${label}backup`;
  const whose = own ? ` of ${describeIdentity(own.identity)}` : '';
  const notes: string[] = [];
  if (catalog.absenceNote) notes.push(catalog.absenceNote);
  if (others.length > 0) notes.push(otherDatabasesNote(others, own?.identity));
  if (unproven.length > 0)
    notes.push(
      `${unproven.length} there cannot be told apart from other databases' (no manifest, or one older than database identities): restore one by its name, such as ${unproven[0]} (the newest)`,
    );
  if (future > 0) notes.push(`${future} dated ahead of this clock by more than 5 minutes`);
  if (
    kind === 'backup' &&
    catalog.entries({ engine, kind: 'sanitized' }).length > 0 &&
    entries.length === 0
  )
    notes.push('it holds sanitized copies: name one, or use latest-sanitized');
  const detail = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  // With backups there, "run a backup first" would back up the database one came to restore.
  const advice =
    others.length > 0 || unproven.length > 0
      ? 'name the backup to restore'
      : 'run a backup there first, or name a file';
  throw new UserError(
    `No ${what}${whose} in ${catalog.location} to take as ${word}${detail}: ${advice}.`,
  );
}

/**
 * The other databases whose backups the place holds, each with its newest
 * backup: the one being restored may be among them under another address
 * (localhost for 127.0.0.1, a new host or path).
 */
function otherDatabasesNote(
  others: readonly { name: string; identity: DatabaseIdentity }[],
  own: DatabaseIdentity | undefined,
): string {
  const ownTail = own?.database.split(/[/\\]/).at(-1);
  // Those whose database is named as this one (app at another host, app.db at another path) first.
  const tail = (identity: DatabaseIdentity): string =>
    identity.database.split(/[/\\]/).at(-1) ?? '';
  const newest = others
    .filter(
      (other, index) => others.findIndex((o) => sameDatabase(o.identity, other.identity)) === index,
    )
    .sort((a, b) => Number(tail(b.identity) === ownTail) - Number(tail(a.identity) === ownTail));
  const listed = newest
    .slice(0, 5)
    .map((other) => `${describeIdentity(other.identity)}, whose newest is ${other.name}`)
    .join(', and ');
  const more = newest.length > 5 ? `, and ${newest.length - 5} more` : '';
  return `it holds backups of other databases: ${listed}${more}; if one is this database under another address, name its backup, or give both the same --name`;
}
