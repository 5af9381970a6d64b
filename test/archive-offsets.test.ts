import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeDataOffsets } from '../src/engines/postgres/archive-offsets.js';
import { readTableOfContents } from '../src/engines/postgres/archive-toc.js';
import { SAMPLE_SCHEMA, snapshotRows, startPostgres, type PgServer } from './support/postgres.js';
import { tempDir } from './support/tmp.js';

let server: PgServer;
let dir: string;

beforeAll(async () => {
  server = await startPostgres();
  dir = tempDir('offsets');
  await server.createDatabase('offsets_src', SAMPLE_SCHEMA);
  // Large objects: their data is a block of its own kind; and a table with many rows.
  await server.query(
    'offsets_src',
    `SELECT lo_from_bytea(0, convert_to(repeat('large object ' || i, 50), 'UTF8')) FROM generate_series(1, 3) AS i;
     CREATE TABLE many (id int, body text);
     INSERT INTO many SELECT i, md5(i::text) FROM generate_series(1, 20000) AS i;`,
  );
});

afterAll(async () => {
  await server?.stop();
});

/** pg_dump -Fc written to a pipe, as backups are made: no data offsets in it. */
function streamedArchive(name: string, ...extra: string[]): string {
  const file = path.join(dir, name);
  const dump = spawnSync('pg_dump', ['--format=custom', ...extra, 'offsets_src'], {
    env: server.libpqEnv(),
    maxBuffer: 256 * 1024 * 1024,
  });
  expect(dump.status, dump.stderr.toString()).toBe(0);
  fs.writeFileSync(file, dump.stdout);
  return file;
}

const sha256 = (file: string): string =>
  createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** What pg_restore makes of an archive, as SQL: the same text means the same restore. */
function restoredSql(archive: string): string {
  return (
    execFileSync('pg_restore', ['--file=-', archive], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    })
      .split('\n')
      // \restrict carries a key pg_restore picks at random on each run.
      .filter((line) => !/^\\(un)?restrict /.test(line))
      .join('\n')
  );
}

/** Which bytes differ between two files of one size. */
function changedBytes(a: string, b: string): number {
  const left = fs.readFileSync(a);
  const right = fs.readFileSync(b);
  expect(right.length).toBe(left.length);
  let changed = 0;
  for (let i = 0; i < left.length; i += 1) if (left[i] !== right[i]) changed += 1;
  return changed;
}

describe('data offsets in a streamed custom archive', () => {
  test.each([
    ['uncompressed, as backups are made', ['--compress=0']],
    ['compressed by pg_dump itself', ['--compress=6']],
  ])('%s: every data block gets its offset, and the restore is the same', async (_label, extra) => {
    const original = streamedArchive(`plain-${extra.join('')}.dump`, ...extra);
    const patched = `${original}.patched`;
    fs.copyFileSync(original, patched);
    const given = await writeDataOffsets(patched);
    // customers, orders, audit.events, "Mixed Case", empty_table, many, and the large objects.
    expect(given).toBe(7);
    // Only offset fields changed: at most 1 + 8 bytes for each entry given one.
    expect(changedBytes(original, patched)).toBeGreaterThan(0);
    expect(changedBytes(original, patched)).toBeLessThanOrEqual(given * 9);
    expect(restoredSql(patched)).toBe(restoredSql(original));
    const listing = (file: string): string =>
      execFileSync('pg_restore', ['--list', file], { encoding: 'utf8' });
    expect(listing(patched)).toBe(listing(original));

    // pg_restore --jobs uses them: the data comes back whole.
    const target = `offsets_jobs_${extra.join('').replace(/\W/g, '')}`;
    await server.createDatabase(target);
    const run = spawnSync(
      'pg_restore',
      ['--jobs=2', '--exit-on-error', `--dbname=${target}`, patched],
      {
        env: server.libpqEnv(),
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(await snapshotRows(server, target)).toEqual(await snapshotRows(server, 'offsets_src'));
    const objects = await server.query<{ n: string }>(
      target,
      'SELECT count(*) AS n FROM pg_largeobject_metadata',
    );
    expect(objects[0]?.n).toBe('3');
  });

  test('an archive that has its offsets already is left as it is', async () => {
    const file = path.join(dir, 'seekable.dump');
    execFileSync('pg_dump', ['--format=custom', '--compress=0', `--file=${file}`, 'offsets_src'], {
      env: server.libpqEnv(),
    });
    const before = sha256(file);
    expect(await writeDataOffsets(file)).toBe(0);
    expect(sha256(file)).toBe(before);
  });

  test.each([
    ['cut short in its data', (bytes: Buffer) => bytes.subarray(0, bytes.length - 5000)],
    ['cut short in its table of contents', (bytes: Buffer) => bytes.subarray(0, 600)],
    [
      'with a byte of garbage after its end',
      (bytes: Buffer) => Buffer.concat([bytes, Buffer.from([9])]),
    ],
    [
      'of an unknown archive version',
      (bytes: Buffer) =>
        Buffer.concat([bytes.subarray(0, 6), Buffer.from([99]), bytes.subarray(7)]),
    ],
    ['that is no archive', () => Buffer.from('-- PostgreSQL database dump\n')],
  ])('an archive %s is left exactly as it was', async (label, damage) => {
    const file = path.join(dir, `${label.replace(/\W+/g, '-')}.dump`);
    fs.writeFileSync(file, damage(fs.readFileSync(streamedArchive('source.dump', '--compress=0'))));
    const before = sha256(file);
    expect(await writeDataOffsets(file)).toBe(0);
    expect(sha256(file)).toBe(before);
  });
});

describe('the table of contents, read field by field', () => {
  test.each(['custom', 'directory'] as const)(
    'a %s archive: every entry pg_restore --list prints, with its kind, schema and name',
    async (format) => {
      const archive = path.join(dir, `toc-${format}`);
      execFileSync('pg_dump', [`--format=${format}`, `--file=${archive}`, 'offsets_src'], {
        env: server.libpqEnv(),
      });
      const entries = await readTableOfContents(archive, format);
      expect(entries).toBeDefined();
      const byId = new Map(entries!.map((entry) => [entry.id, entry]));
      const listed = execFileSync('pg_restore', ['--list', archive], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => /^\d+;/.test(line));
      expect(listed.length).toBeGreaterThan(10);
      for (const line of listed) {
        // "id; tableoid oid DESC namespace tag owner" (no name here holds a space but "Mixed Case").
        const id = Number(line.slice(0, line.indexOf(';')));
        const entry = byId.get(id);
        expect(entry, line).toBeDefined();
        expect(line).toContain(
          ` ${entry!.desc} ${entry!.namespace === '' ? '-' : entry!.namespace} ${entry!.tag} `,
        );
      }
      const events = entries!.find((entry) => entry.desc === 'TABLE' && entry.tag === 'events');
      const audit = entries!.find((entry) => entry.desc === 'SCHEMA' && entry.tag === 'audit');
      expect(events?.namespace).toBe('audit');
      expect(events?.dependencies).toContain(audit?.id);
    },
  );

  test('a directory archive is not read as a custom one, nor a damaged one at all', async () => {
    const archive = path.join(dir, 'toc-mismatch');
    execFileSync('pg_dump', ['--format=directory', `--file=${archive}`, 'offsets_src'], {
      env: server.libpqEnv(),
    });
    expect(await readTableOfContents(path.join(archive, 'toc.dat'), 'custom')).toBeUndefined();
    const cut = path.join(dir, 'toc-cut.dump');
    fs.writeFileSync(cut, fs.readFileSync(streamedArchive('toc-source.dump')).subarray(0, 600));
    expect(await readTableOfContents(cut, 'custom')).toBeUndefined();
  });
});
