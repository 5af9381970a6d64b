// The third-party notices of the bundle: every npm package whose code is in
// dist/, with its licence text, written as dist/licenses.txt (for people) and
// dist/licenses.json (for checks).
//
// Which packages: the modules webpack put in the bundle, from the stats ncc
// writes with --stats-out, each mapped to the package folder it came from. (ncc's
// own --license output is not used: its license-webpack-plugin writes one list
// per chunk to the same file name, so the lazily loaded chunks overwrote each
// other and most packages were missing.)
// Their licences: license-checker-rseidelsohn reads each package's licence
// field, licence file and NOTICE file; a package that ships no licence file gets
// the standard text of the licence it declares, from spdx-license-list.
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { init } from 'license-checker-rseidelsohn';
import spdxCorrect from 'spdx-correct';
import spdxLicenses from 'spdx-license-list/full.js';

const NODE_MODULES = '/node_modules/';

/** The package folder a module path lies in (the innermost node_modules), or undefined. */
export function packageDirOf(modulePath) {
  const at = modulePath.lastIndexOf(NODE_MODULES);
  if (at === -1) return undefined;
  const [first, second] = modulePath.slice(at + NODE_MODULES.length).split('/');
  if (!first || (first.startsWith('@') && !second)) return undefined;
  return (
    modulePath.slice(0, at + NODE_MODULES.length) +
    (first.startsWith('@') ? `${first}/${second}` : first)
  );
}

/**
 * The package folders of every module in webpack stats, concatenated modules
 * included. A module's identifier may carry loaders ("a!b!/abs/file") or a type
 * prefix ("json|/abs/file"); every absolute path in it counts.
 */
export function bundledPackageDirs(stats) {
  const dirs = new Set();
  const visit = (modules) => {
    for (const module of modules ?? []) {
      visit(module.modules);
      for (const text of [module.nameForCondition, module.resource, module.identifier]) {
        if (typeof text !== 'string') continue;
        for (const match of text.matchAll(/(?:^|[|!])(\/[^|!?]+)/g)) {
          // ncc's loaders name themselves in every identifier: build tools, not bundled code.
          if (match[1].includes('/@vercel/ncc/dist/ncc/loaders/')) continue;
          const dir = packageDirOf(match[1]);
          if (dir) dirs.add(dir);
        }
      }
    }
  };
  visit(stats.modules);
  for (const child of stats.children ?? []) visit(child.modules);
  return [...dirs].sort();
}

const isLicenceFile = (file) => /^(licen[cs]e|copying|mit-license)/i.test(path.basename(file));

/** Licence facts and texts of the given package folders. */
export async function noticesFor(packageDirs, root) {
  const infos = await promisify(init)({
    start: root,
    customFormat: {
      name: '',
      version: '',
      licenses: '',
      licenseFile: '',
      licenseText: '',
      noticeFile: '',
      repository: '',
      publisher: '',
      path: '',
    },
  });
  const byPath = new Map(Object.values(infos).map((info) => [fs.realpathSync(info.path), info]));
  const seen = new Set();
  return packageDirs.flatMap((dir) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    // Two copies of one version (in different node_modules folders) are one entry.
    if (seen.has(`${pkg.name}@${pkg.version}`)) return [];
    seen.add(`${pkg.name}@${pkg.version}`);
    // license-checker keeps one folder per name@version; another copy of it has the same files.
    const own = byPath.get(fs.realpathSync(dir));
    const info = own ?? infos[`${pkg.name}@${pkg.version}`] ?? {};
    // Named in the bundled copy's own folder: which copy license-checker kept follows the
    // order it read folders in, which differs from one machine to the next.
    const sameFileHere =
      !own && info.licenseFile ? path.join(dir, path.basename(info.licenseFile)) : undefined;
    const licenseFile =
      sameFileHere && fs.existsSync(sameFileHere) ? sameFileHere : info.licenseFile;
    const declared = [info.licenses].flat().filter(Boolean).join(' OR ') || 'UNKNOWN';
    const fromFile = licenseFile && isLicenceFile(licenseFile);
    // A loose declaration such as "MIT/X11" is read as the SPDX licence it means.
    const spdx = typeof pkg.license === 'string' ? spdxCorrect(pkg.license) : undefined;
    const standard = spdx ? spdxLicenses[spdx] : undefined;
    const text = fromFile
      ? info.licenseText
      : standard
        ? `(${pkg.name} ships no licence file; its package.json says ${pkg.license}, which is ${spdx}, whose standard text follows.)\n\n${standard.licenseText.trim()}`
        : undefined;
    const notice =
      info.noticeFile && fs.existsSync(info.noticeFile)
        ? fs.readFileSync(info.noticeFile, 'utf8').trim()
        : undefined;
    return [
      {
        name: pkg.name,
        version: pkg.version,
        license: declared,
        repository: info.repository || undefined,
        licenseFile: fromFile ? path.relative(root, licenseFile) : undefined,
        text,
        notice,
      },
    ];
  });
}

const HEADER = `Third-party software in this bundle

dist/ holds, besides the code of db-backup-action (MIT, see LICENSE), the code of the npm
packages below, each unmodified except for the way webpack (through @vercel/ncc) joins modules
into files. Each is listed with its version, its licence and the licence text it ships.
dist/prebuilds/*.node are better-sqlite3's prebuilt binaries, which contain SQLite (public
domain).

openpgp is licensed under the GNU Lesser General Public License 3.0 or later. It is included
unmodified; its source for the version below is at https://github.com/openpgpjs/openpgpjs and in
the npm package openpgp. You may replace it with a version of your own: the source of
db-backup-action (package-lock.json pins it, scripts/package.mjs builds dist/) is available, so run
npm install openpgp@<your version or path>, then npm run package, and dist/ is rebuilt with it.
`;

export function renderNotices(notices) {
  const sections = notices.map((n) =>
    [
      '-'.repeat(80),
      `${n.name}@${n.version}`,
      `License: ${n.license}`,
      ...(n.repository ? [`Repository: ${n.repository}`] : []),
      '',
      n.text ?? `(${n.name} ships no licence text; its package.json declares: ${n.license}.)`,
      ...(n.notice ? ['', 'NOTICE:', n.notice] : []),
      '',
    ].join('\n'),
  );
  return `${HEADER}\n${sections.join('\n')}`;
}

/** Reads webpack stats from statsFile, writes licenses.txt and licenses.json into outDir. */
export async function writeNotices(statsFile, outDir, root) {
  const stats = JSON.parse(fs.readFileSync(statsFile, 'utf8'));
  const notices = await noticesFor(bundledPackageDirs(stats), root);
  fs.writeFileSync(path.join(outDir, 'licenses.txt'), renderNotices(notices));
  fs.writeFileSync(
    path.join(outDir, 'licenses.json'),
    `${JSON.stringify(
      notices.map(({ name, version, license, repository, licenseFile }) => ({
        name,
        version,
        license,
        repository,
        licenseFile,
      })),
      null,
      2,
    )}\n`,
  );
  return notices;
}
