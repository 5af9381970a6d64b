import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from './support/cli.js';

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
