import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, test } from 'vitest';
import { DumpTableCounter } from '../src/engines/postgres/dump-tables.js';

const DUMP = [
  "SET client_encoding = 'UTF8';",
  'CREATE TABLE public.users (',
  '    id integer NOT NULL,',
  '    note text',
  ');',
  'CREATE UNLOGGED TABLE audit."Event Log" (',
  '    x integer',
  ');',
  'CREATE TABLE public.empty (x int);',
  'CREATE TABLE public.no_data (x int);',
  'CREATE FUNCTION public.f() RETURNS void LANGUAGE plpgsql AS $$',
  'BEGIN',
  'END $$;',
  'COPY public.users (id, note) FROM stdin;',
  '1\tline with \\n escaped newline',
  '2\t\\N',
  '3\tbackslash \\\\. not an end',
  '\\.',
  'COPY audit."Event Log" (x) FROM stdin;',
  '7',
  '\\.',
  'COPY public.empty (x) FROM stdin;',
  '\\.',
  '',
].join('\n');

async function count(chunkSize: number): Promise<DumpTableCounter> {
  const bytes = Buffer.from(DUMP);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const counter = new DumpTableCounter();
  await pipeline(Readable.from(chunks), counter, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) void chunk;
  });
  return counter;
}

describe('counting the rows of a plain pg_dump as it streams by', () => {
  test.each([1, 2, 3, 7, 64, 100_000])('in chunks of %d bytes', async (size) => {
    const counter = await count(size);
    expect([...counter.created].sort()).toEqual([
      'audit.Event Log',
      'public.empty',
      'public.no_data',
      'public.users',
    ]);
    expect(Object.fromEntries(counter.copied)).toEqual({
      'public.users': 3,
      'audit.Event Log': 1,
      'public.empty': 0,
    });
  });

  test('a row longer than any chunk counts as one row, and is never held whole', async () => {
    const long = 'x'.repeat(300_000);
    const dump = `CREATE TABLE public.blobs (\n    b text\n);\nCOPY public.blobs (b) FROM stdin;\n${long}\n${long}\nshort\n\\.\n`;
    const bytes = Buffer.from(dump);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 1000) chunks.push(bytes.subarray(i, i + 1000));
    const counter = new DumpTableCounter();
    await pipeline(Readable.from(chunks), counter, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) void chunk;
    });
    expect(Object.fromEntries(counter.copied)).toEqual({ 'public.blobs': 3 });
    expect([...counter.created]).toEqual(['public.blobs']);
  });
});
