/**
 * dist/licenses.txt names every npm package whose code is in the bundle, with
 * its licence text. `npm run package` writes it from the build's own module list
 * (scripts/third-party-notices.mjs); CI rebuilds dist/ and fails when it differs,
 * so the committed notices are those of the committed bundle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  bundledPackageDirs,
  packageDirOf,
  renderNotices,
} from '../scripts/third-party-notices.mjs';
import { REPO_ROOT } from './support/cli.js';

interface Listed {
  name: string;
  version: string;
  license: string;
  licenseFile?: string;
}

const dist = path.join(REPO_ROOT, 'dist');
const notices = fs.readFileSync(path.join(dist, 'licenses.txt'), 'utf8');
const listed = JSON.parse(fs.readFileSync(path.join(dist, 'licenses.json'), 'utf8')) as Listed[];
const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

/** Packages that ship no licence at all, neither a file nor a package.json licence: say so. */
const NO_LICENCE_AT_ALL = new Set(['buffers@0.1.1']);

/** The section of licenses.txt for one package: from its name@version line to the next rule. */
function sectionOf(entry: Listed): string {
  const start = notices.indexOf(`\n${entry.name}@${entry.version}\nLicense: `);
  expect(start, `${entry.name}@${entry.version} has a section`).toBeGreaterThan(0);
  const end = notices.indexOf(`\n${'-'.repeat(80)}\n`, start);
  return notices.slice(start, end === -1 ? undefined : end);
}

describe('mapping the build’s modules to packages', () => {
  test.each([
    ['/r/node_modules/pg/lib/index.js', '/r/node_modules/pg'],
    ['/r/node_modules/@actions/core/lib/core.js', '/r/node_modules/@actions/core'],
    ['/r/node_modules/a/node_modules/b/x.js', '/r/node_modules/a/node_modules/b'],
    ['/r/node_modules/a/node_modules/@s/b/x.js', '/r/node_modules/a/node_modules/@s/b'],
    ['/r/src/main.ts', undefined],
    ['/r/node_modules/@scope', undefined],
  ])('%s → %s', (file, dir) => {
    expect(packageDirOf(file)).toBe(dir);
  });

  test('reads nested (concatenated) modules, loader chains and type prefixes; skips ncc’s loaders and our sources', () => {
    const loader = '/r/node_modules/@vercel/ncc/dist/ncc/loaders/relocate-loader.js';
    const stats = {
      modules: [
        { identifier: `${loader}!/r/src/main.ts`, name: './src/main.ts' },
        { identifier: 'external node-commonjs "node:fs"' },
        {
          identifier: `${loader}!/r/node_modules/openpgp/dist/node/openpgp.mjs|abc`,
          modules: [
            { identifier: `${loader}!/r/node_modules/pg/lib/index.js` },
            { nameForCondition: '/r/node_modules/a/node_modules/undici/index.js' },
          ],
        },
        { identifier: 'json|/r/node_modules/@azure/core-util/package.json' },
        { identifier: '/r/node_modules/@vercel/ncc/dist/ncc/@@notfound.js' },
      ],
      children: [{ modules: [{ resource: '/r/node_modules/tslib/tslib.es6.mjs' }] }],
    };
    expect(bundledPackageDirs(stats)).toEqual([
      '/r/node_modules/@azure/core-util',
      '/r/node_modules/@vercel/ncc',
      '/r/node_modules/a/node_modules/undici',
      '/r/node_modules/openpgp',
      '/r/node_modules/pg',
      '/r/node_modules/tslib',
    ]);
  });

  test('a package without its text is shown as such, never silently', () => {
    const text = renderNotices([
      { name: 'x', version: '1.0.0', license: 'UNKNOWN', text: undefined, notice: undefined },
    ]);
    expect(text).toContain('x@1.0.0\nLicense: UNKNOWN\n\n(x ships no licence text');
  });
});

describe('dist/licenses.txt', () => {
  test('lists the packages the issue found missing, and the ones any bundle of this code holds', () => {
    const names = new Set(listed.map((entry) => entry.name));
    for (const name of [
      'openpgp',
      'pg',
      'undici',
      '@actions/core',
      '@actions/artifact',
      'better-sqlite3',
      '@aws-sdk/client-s3',
      '@azure/storage-blob',
      '@google-cloud/storage',
    ]) {
      expect(names, name).toContain(name);
    }
    expect(listed.length).toBeGreaterThan(100);
  });

  test('every package has its licence text: the file it ships, word for word, or its licence’s standard text', () => {
    for (const entry of listed) {
      const section = sectionOf(entry);
      const id = `${entry.name}@${entry.version}`;
      if (entry.licenseFile) {
        const file = path.join(REPO_ROOT, entry.licenseFile);
        expect(fs.existsSync(file), `${id}: ${entry.licenseFile}`).toBe(true);
        expect(section, id).toContain(fs.readFileSync(file, 'utf8').trim());
      } else if (NO_LICENCE_AT_ALL.has(id)) {
        expect(section, id).toContain(`(${entry.name} ships no licence text`);
      } else {
        expect(section, id).toMatch(
          /ships no licence file; its package\.json says .*, whose standard text follows/,
        );
        expect(section.length, id).toBeGreaterThan(800);
      }
    }
  });

  test('a licence file is named in the bundled copy of its package, never in a dev tool’s copy of the same version', () => {
    // Two copies of one version: license-checker keeps whichever it read first, which
    // differs between machines; the notices name the bundled one, so every build agrees.
    for (const entry of listed) {
      if (!entry.licenseFile) continue;
      expect(entry.licenseFile, `${entry.name}@${entry.version}`).not.toMatch(
        /node_modules\/@github\/local-action\//,
      );
    }
  });

  test('every package the bundle itself names in a module comment is listed', () => {
    const named = new Set<string>();
    for (const file of fs.readdirSync(dist).filter((f) => f.endsWith('.js'))) {
      const code = fs.readFileSync(path.join(dist, file), 'utf8');
      for (const match of code.matchAll(/CONCATENATED MODULE: \.\/node_modules\/(\S+)/g)) {
        const dir = packageDirOf(`/node_modules/${match[1]}`);
        if (dir) named.add(dir.replace(/^.*\/node_modules\//, ''));
      }
    }
    expect(named.size).toBeGreaterThan(20);
    const names = new Set(listed.map((entry) => entry.name));
    for (const name of named) expect(names, name).toContain(name);
  });

  test('openpgp is LGPL: the notice and the README say how its terms are met', () => {
    const openpgp = listed.find((entry) => entry.name === 'openpgp')!;
    expect(openpgp.license).toMatch(/^LGPL-3\.0/);
    expect(sectionOf(openpgp)).toContain('GNU LESSER GENERAL PUBLIC LICENSE');
    expect(notices).toMatch(/openpgp is licensed under the GNU Lesser General Public License/);
    expect(notices).toContain('npm run package');
    const licences = readme.slice(readme.indexOf('## Licences'));
    expect(licences).toMatch(/openpgp[\s\S]*LGPL[\s\S]*unmodified[\s\S]*npm run package/);
    expect(licences).toContain('dist/licenses.txt');
  });
});
