/** A PostgreSQL client program found on this machine. */
export interface ClientCandidate {
  readonly path: string;
  /** Major version: 9.6 → 9, 15.4 → 15. */
  readonly major: number;
  /** As the program printed it: "15.18 (Debian 15.18-0+deb12u1)". */
  readonly version: string;
}

export type ClientChoice =
  | { readonly kind: 'chosen'; readonly candidate: ClientCandidate }
  | { readonly kind: 'none-fits'; readonly newest: ClientCandidate | undefined };

/**
 * pg_dump N refuses a server newer than N, and a newer pg_dump reads older
 * servers: the newest candidate whose major is at least the server's. (An
 * explicit pg-dump-path is used as given, before any choice.)
 */
export function chooseClient(
  candidates: readonly ClientCandidate[],
  serverMajor: number,
): ClientChoice {
  const sorted = newestFirst(candidates);
  const fitting = sorted.find((candidate) => candidate.major >= serverMajor);
  return fitting
    ? { kind: 'chosen', candidate: fitting }
    : { kind: 'none-fits', newest: sorted[0] };
}

/** The candidates, the newest version first. */
export function newestFirst<T extends ClientCandidate>(candidates: readonly T[]): T[] {
  return [...candidates].sort((a, b) => b.major - a.major || compareVersions(b.version, a.version));
}

function compareVersions(a: string, b: string): number {
  const parts = (v: string): number[] =>
    (/^(\d+)(?:\.(\d+))?/.exec(v) ?? []).slice(1).map((n) => Number(n ?? 0));
  const [a1 = 0, a2 = 0] = parts(a);
  const [b1 = 0, b2 = 0] = parts(b);
  return a1 - b1 || a2 - b2;
}

/** "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" → { major: 15, version: "15.18 (Debian …)" }. */
export function parseClientVersion(output: string): { major: number; version: string } | undefined {
  const match = /\(PostgreSQL\)\s+((\d+)(?:\.\d+)?\S*(?:\s.*)?)$/m.exec(output.trim());
  if (!match?.[1] || !match[2]) return undefined;
  return { major: Number(match[2]), version: match[1].trim() };
}

/** server_version_num 150004 → 15; 90624 → 9 (9.6 and its clients compare as 9). */
export function serverMajorFromVersionNum(versionNum: number): number {
  return Math.floor(versionNum / 10000);
}
