import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, test } from 'vitest';
import { BUNDLED_CLI, REPO_ROOT } from './support/cli.js';
import { createSampleDatabase } from './support/sqlite.js';

/**
 * The modules a file loads as soon as it is loaded: static imports and
 * re-exports that are not type-only. `import()` is left out: that is how
 * heavy code is put off until it is used.
 */
function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly) continue;
      const bindings = clause?.namedBindings;
      const onlyTypes =
        clause !== undefined &&
        clause.name === undefined &&
        bindings !== undefined &&
        ts.isNamedImports(bindings) &&
        bindings.elements.length > 0 &&
        bindings.elements.every((element) => element.isTypeOnly);
      if (!onlyTypes) found.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      if (!statement.isTypeOnly) found.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return found;
}

/** Every package reached from `entry` through static imports, with the path that reaches it. */
function packagesReached(entry: string): Map<string, string[]> {
  const reached = new Map<string, string[]>();
  const seen = new Set<string>();
  const visit = (file: string, trail: string[]): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of staticImports(file)) {
      if (specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts'));
        visit(target, [...trail, path.relative(REPO_ROOT, target)]);
      } else if (!specifier.startsWith('node:')) {
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : specifier.split('/')[0]!;
        if (!reached.has(name)) reached.set(name, trail);
      }
    }
  };
  visit(path.join(REPO_ROOT, entry), [entry]);
  return reached;
}

const HEAVY = [
  '@actions/artifact',
  '@actions/cache',
  '@actions/core',
  '@actions/exec',
  '@actions/github',
  '@aws-sdk/client-s3',
  '@aws-sdk/lib-storage',
  '@azure/identity',
  '@azure/storage-blob',
  '@google-cloud/storage',
  'better-sqlite3',
  'openpgp',
  'pg',
];

describe('start-up: what loads before it is used', () => {
  test('the bundle entry (the CLI and the action) loads no SDK, no OpenPGP, no PostgreSQL client and no @actions/*', () => {
    const reached = packagesReached('src/main.ts');
    const heavy = HEAVY.filter((name) => reached.has(name)).map(
      (name) => `${name} via ${reached.get(name)!.join(' → ')}`,
    );
    expect(heavy).toEqual([]);
  });

  test('no entry loads @actions/core: the action writes its workflow commands itself', () => {
    expect(packagesReached('src/action.ts').has('@actions/core')).toBe(false);
    expect(packagesReached('src/cli.ts').has('@actions/core')).toBe(false);
  });

  test.each([
    ['src/storage/s3.ts', '@aws-sdk/client-s3'],
    ['src/storage/gcs.ts', '@google-cloud/storage'],
    ['src/storage/azure.ts', '@azure/storage-blob'],
    ['src/storage/artifact.ts', '@actions/artifact'],
    ['src/engines/postgres/postgres-engine.ts', 'pg'],
    ['src/pipeline/decryption.ts', 'openpgp'],
    ['src/pipeline/openpgp-encrypt.ts', 'openpgp'],
  ])('%s still loads %s itself (the walk sees real imports)', (file, name) => {
    expect(packagesReached(file).has(name)).toBe(true);
  });
});

/**
 * Node's built-in modules a process of the committed bundle loaded, as a user
 * or the runner starts it (the test run's own bundle of the sources is made
 * by esbuild, whose chunks load every import of a chunk at once): a preload
 * writes `process.moduleLoadList` as the process exits.
 */
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'db-backup-start-up-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function builtinsLoaded(
  entry: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): { status: number | null; loaded: Set<string> } {
  const list = path.join(work, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  const preload = path.join(work, 'record-loads.mjs');
  fs.writeFileSync(
    preload,
    `process.on('exit', () => process.getBuiltinModule('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));`,
  );
  const result = spawnSync(process.execPath, ['--import', preload, entry, ...args], {
    cwd: work,
    env: { PATH: process.env.PATH, TMPDIR: os.tmpdir(), ...env },
    encoding: 'utf8',
  });
  const loaded = new Set(
    fs
      .readFileSync(list, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('NativeModule '))
      .map((line) => line.slice('NativeModule '.length)),
  );
  return { status: result.status, loaded };
}

/** What only running a command needs: each costs start-up CPU (crypto alone about 10 ms here). */
const COMMAND_ONLY = ['child_process', 'crypto', 'zlib', 'worker_threads', 'readline/promises'];

describe('start-up: what a process that runs no command loads', () => {
  test('`--help`, `--version` and a refused command line load none of what a command needs', () => {
    for (const [args, expected] of [
      [['--help'], 0],
      [['--version'], 0],
      [['backup'], 2],
      [['restore', '--no-such-option'], 2],
    ] as const) {
      const { status, loaded } = builtinsLoaded(BUNDLED_CLI, args);
      expect(status, args.join(' ')).toBe(expected);
      expect(
        COMMAND_ONLY.filter((name) => loaded.has(name)),
        args.join(' '),
      ).toEqual([]);
    }
  });

  test('the action with inputs it refuses loads none of it but crypto (its output delimiters)', () => {
    const output = path.join(work, 'github-output');
    fs.writeFileSync(output, '');
    const { status, loaded } = builtinsLoaded(path.join(REPO_ROOT, 'dist/index.js'), [], {
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: output,
    });
    expect(status).toBe(1);
    expect(COMMAND_ONLY.filter((name) => name !== 'crypto' && loaded.has(name))).toEqual([]);
  });

  test('a command that runs loads them (the probe sees real loads)', () => {
    const db = path.join(work, 'app.db');
    createSampleDatabase(db, { rows: 1 });
    const { status, loaded } = builtinsLoaded(BUNDLED_CLI, [
      'backup',
      '--database-url',
      `file:${db}`,
      '--backup-dir',
      path.join(work, 'backups'),
    ]);
    expect(status).toBe(0);
    expect(['child_process', 'crypto', 'zlib'].filter((name) => !loaded.has(name))).toEqual([]);
  });
});

describe('start-up: code loaded when used', () => {
  test.each([
    ['the commands', 'Removed ${dir}, left by an interrupted run'],
    ['what sends on a signal', 'AbortSignal.timeout(budgetMs)'],
  ])(
    'a bundle missing the chunk of %s fails the run with one line and exit 1, the log file told',
    (_label, marker) => {
      // A copy of dist/ without that chunk, as an interrupted copy or install leaves it.
      const copy = path.join(work, `dist-${Math.random().toString(36).slice(2)}`);
      fs.cpSync(path.join(REPO_ROOT, 'dist'), copy, { recursive: true });
      const chunks = fs
        .readdirSync(copy)
        .filter((name) => /^\d+\.index\.js$/.test(name))
        .filter((name) => fs.readFileSync(path.join(copy, name), 'utf8').includes(marker));
      expect(chunks).toHaveLength(1);
      fs.rmSync(path.join(copy, chunks[0]!));
      const db = path.join(work, 'chunk.db');
      fs.rmSync(db, { force: true });
      createSampleDatabase(db, { rows: 1 });
      const log = path.join(work, `chunk-${chunks[0]!}.log`);
      const run = spawnSync(
        process.execPath,
        [path.join(copy, 'cli', 'index.js'), 'backup', '--database-url', `file:${db}`],
        {
          cwd: work,
          env: {
            PATH: process.env.PATH,
            TMPDIR: os.tmpdir(),
            // Port 9 is on fetch's list of ports it never connects to: the ping fails at once.
            PING_URL: 'http://127.0.0.1:9/ping/check',
            BACKUP_LOG_FILE: log,
            BACKUP_DIR: path.join(work, 'chunk-backups'),
          },
          encoding: 'utf8',
        },
      );
      expect(run.status, run.stderr).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines.filter((line) => line.startsWith('db-backup: '))).toEqual([
        expect.stringContaining('Cannot find module'),
      ]);
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(fs.readFileSync(log, 'utf8')).toMatch(/ERROR.*failed \(exit 1\)/);
    },
  );
});
