import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { formatOfContent } from '../src/domain/dump-format.js';
import {
  checkArchiveCompleteness,
  parseArchiveListing,
  type ArchiveTable,
} from '../src/engines/postgres/archive-listing.js';
import { classifyContent } from '../src/pipeline/decompress.js';
import { extractTar, tarDirectory } from '../src/fs/tar.js';
import { tempDir } from './support/tmp.js';

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function directoryWith(files: Record<string, Buffer | string>): string {
  const dir = path.join(tempDir('tar-src'), 'dump');
  fs.mkdirSync(dir);
  for (const [name, content] of Object.entries(files))
    fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

/** A tar header of our own making, checksum included. */
function header(name: string, type: string, size: number): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 'utf8');
  block.write('0000600\0', 100);
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  block.write('00000000000\0', 136);
  block.write(type, 156);
  block.write('ustar\0', 257);
  block.write('00', 263);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

describe('content tells the format', () => {
  test('custom archives start with PGDMP, tar files say ustar at 257, the rest is SQL', async () => {
    expect(formatOfContent(Buffer.from('PGDMP\x01\x0e\x00'))).toBe('custom');
    const tar = await bytesOf(tarDirectory(directoryWith({ 'toc.dat': 'x' }), 'dump'));
    expect(formatOfContent(tar)).toBe('directory');
    expect(formatOfContent(Buffer.from('--\n-- PostgreSQL database dump\n'))).toBe('plain');
    expect(formatOfContent(Buffer.alloc(0))).toBe('plain');
    // Uncompressed archives are binary: they must not be taken for damaged files.
    expect(classifyContent(Buffer.from('PGDMP\x01\x0e\x00\x04\x08'))).toBe('pg-archive');
    expect(classifyContent(tar.subarray(0, 512))).toBe('pg-archive');
  });
});

describe('tar of a pg_dump directory', () => {
  test('what tarDirectory writes, tar -x reads, and extractTar gives back byte for byte', async () => {
    const big = Buffer.alloc(700_001, 7);
    const source = directoryWith({ 'toc.dat': 'toc', '3345.dat': big, '3346.dat': '' });
    const file = path.join(tempDir('tar-file'), 'a.tar');
    fs.writeFileSync(file, await bytesOf(tarDirectory(source, 'dump')));
    const byTar = tempDir('tar-x');
    execFileSync('tar', ['-xf', file, '-C', byTar]);
    expect(fs.readFileSync(path.join(byTar, 'dump', '3345.dat')).equals(big)).toBe(true);
    const ours = path.join(tempDir('tar-ours'), 'out');
    const top = await extractTar(fs.createReadStream(file), ours, 'a.tar');
    expect(fs.readdirSync(top).sort()).toEqual(['3345.dat', '3346.dat', 'toc.dat']);
    expect(fs.readFileSync(path.join(top, '3345.dat')).equals(big)).toBe(true);
    expect(fs.statSync(path.join(top, 'toc.dat')).mode & 0o777).toBe(0o600);
  });

  test.each([
    ['a link', [header('dump/', '5', 0), header('dump/toc.dat', '2', 0)]],
    ['a path that climbs out', [header('dump/', '5', 0), header('dump/../../x.dat', '0', 0)]],
    ['an absolute path', [header('/etc/', '5', 0)]],
    ['a nested directory', [header('dump/', '5', 0), header('dump/sub/', '5', 0)]],
    [
      'the same file twice',
      [header('dump/', '5', 0), header('dump/a.dat', '0', 0), header('dump/a.dat', '0', 0)],
    ],
    ['no end blocks', [header('dump/', '5', 0), header('dump/a.dat', '0', 0)]],
    [
      'a file cut short',
      [header('dump/', '5', 0), header('dump/a.dat', '0', 4096), Buffer.alloc(512)],
    ],
    ['garbage after the end', [header('dump/', '5', 0), Buffer.alloc(1024), Buffer.from('x')]],
  ])('an archive with %s is refused as damaged, writing nothing outside', async (_what, blocks) => {
    const parent = tempDir('tar-evil');
    const target = path.join(parent, 'out');
    await expect(
      extractTar(Readable.from([Buffer.concat(blocks)]), target, 'evil.dir.tar'),
    ).rejects.toThrow(/The backup evil\.dir\.tar is damaged/);
    expect(fs.readdirSync(parent)).toEqual(['out']);
  });

  test('a checksum that does not match is refused', async () => {
    const block = header('dump/', '5', 0);
    block[0] = 'e'.charCodeAt(0);
    await expect(
      extractTar(
        Readable.from([block, Buffer.alloc(1024)]),
        path.join(tempDir('tar-sum'), 'o'),
        'x',
      ),
    ).rejects.toThrow(/checksum/);
  });
});

describe('pg_restore --list against the snapshot', () => {
  const listing = parseArchiveListing(
    [
      ';     Format: CUSTOM',
      '215; 1259 16387 TABLE public p postgres',
      '214; 1259 16384 TABLE public we ird name postgres',
      '3348; 0 16390 TABLE DATA public p1 postgres',
      '3347; 0 16384 TABLE DATA public we ird name postgres',
      '3349; 0 16400 TABLE DATA public ext_config postgres',
    ].join('\n'),
  );
  const table = (oid: string, label: string, data: boolean, rows?: number): ArchiveTable => ({
    oid,
    label,
    data,
    listed: true,
    ordinary: true,
    snapshotRows: rows,
  });

  test('reads the format and the TABLE DATA entries by table OID, whatever the names hold', () => {
    expect(listing.format).toBe('CUSTOM');
    expect([...listing.tableData.keys()].sort()).toEqual(['16384', '16390', '16400']);
  });

  test('every table with data needs its entry; rows come from the snapshot', () => {
    const result = checkArchiveCompleteness(
      [
        table('16384', 'public.we ird name', true, 3),
        table('16390', 'public.p1', true, 5),
        table('16400', 'public.ext_config', false),
        table('16500', 'public.missing', true, 9),
      ],
      listing,
    );
    expect(result.problems).toEqual([
      'the archive has no TABLE DATA entry for public.missing (the snapshot holds 9 rows)',
    ]);
    expect(result.unexpected.map((t) => t.label)).toEqual(['public.ext_config']);
    expect(result.tables).toContainEqual({ name: 'public.p1', rows: 5 });
  });

  test('data for a table the snapshot does not hold, or twice, is a problem', () => {
    const twice = parseArchiveListing(
      '1; 0 16384 TABLE DATA public a o\n2; 0 16384 TABLE DATA public a o\n',
    );
    expect(checkArchiveCompleteness([table('16384', 'public.a', true, 1)], twice).problems).toEqual(
      ['the archive holds the data of public.a 2 times'],
    );
    expect(checkArchiveCompleteness([], twice).problems[0]).toMatch(
      /OID 16384, a table the snapshot does not hold/,
    );
  });
});
