import fs from 'node:fs';
import path from 'node:path';
import { LocalStorage } from '../src/storage/local.js';
import { flipBytes } from './support/corrupt.js';
import { foreignKeys, storageContract } from './support/storage-contract.js';
import { tempDir } from './support/tmp.js';

storageContract('LocalStorage', () => {
  const dir = path.join(tempDir('local-contract'), 'backups');
  const foreign = foreignKeys(dir);
  for (const file of foreign) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'not ours');
  }
  return Promise.resolve({
    storage: new LocalStorage(dir),
    corrupt: (name) => Promise.resolve(flipBytes(path.join(dir, name))),
    foreign,
    exists: (file) => Promise.resolve(fs.existsSync(file)),
    getDetectsCorruption: () => false,
    // A file stream to a file: nothing beyond the streams' own buffers.
    heldByDesign: 0,
  });
});
