import type { Catalog } from './catalog.js';
import { ownershipOf, type OwnDatabase } from './identity.js';
import { parseBackupName, MANIFEST_SUFFIX } from '../domain/backup-name.js';
import { TOOL_NAME } from '../domain/version.js';

/**
 * Manifests whose backup is gone (a run stopped between deleting a backup
 * and its manifest, or a backup deleted by hand), of the given database or,
 * without one, of any: only files that read as a manifest this tool wrote.
 * Anything else named `*.json` is not ours and is never listed here.
 */
export async function orphanManifestsOf(
  catalog: Catalog,
  own: OwnDatabase | undefined,
): Promise<string[]> {
  const orphans: string[] = [];
  for (const name of catalog.orphanManifests()) {
    const backup = parseBackupName(name.slice(0, -MANIFEST_SUFFIX.length));
    if (!backup) continue;
    const { manifest } = await catalog.readManifest(name);
    if (!manifest || manifest.tool.name !== TOOL_NAME || manifest.name !== backup.name) continue;
    if (own) {
      const ownership = ownershipOf(backup, manifest, own);
      if (ownership !== 'ours' && ownership !== 'old-match') continue;
    }
    orphans.push(name);
  }
  return orphans;
}
