import fs from 'node:fs';
import path from 'node:path';

/** Debian's server binaries (newest installed major), which come with the full client tools. */
export function systemServerBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  const majors = fs.existsSync(root)
    ? fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'bin/initdb')))
    : [];
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0];
  return newest ? path.join(root, newest, 'bin') : undefined;
}

/**
 * PATH with those binaries first. Debian's /usr/bin/psql, pg_dump and pg_restore
 * are one Perl script (pg_wrapper) that picks a version on every call, and the
 * tests make thousands of calls: about a tenth of the CPU of the PostgreSQL tests
 * went to Perl. The programs it would have picked run the same, without it.
 */
export function pathWithServerBinaries(PATH: string | undefined): string | undefined {
  const bin = systemServerBinDir();
  if (!bin) return PATH;
  return [bin, ...(PATH ?? '').split(path.delimiter).filter((dir) => dir && dir !== bin)].join(
    path.delimiter,
  );
}
