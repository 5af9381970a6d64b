import { createWriteStream } from 'node:fs';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../domain/errors.js';
import {
  FILE_MODE,
  fsyncDir,
  fsyncFile,
  publishAs,
  removeQuietly,
  tempPathIn,
  TEMP_PREFIX,
} from '../fs/files.js';
import type { Storage, StoredObject, UploadBody } from './storage.js';

/** The backup directory: the staging place of every backup, and a target of its own. */
export class LocalStorage implements Storage {
  readonly id = 'local';

  constructor(readonly dir: string) {}

  get location(): string {
    return this.dir;
  }

  get localDirectory(): string {
    return this.dir;
  }

  pathOf(name: string): string {
    return path.join(this.dir, name);
  }

  async put(name: string, body: UploadBody): Promise<void> {
    const temp = tempPathIn(this.dir);
    try {
      await pipeline(body.open(), createWriteStream(temp, { mode: FILE_MODE, flags: 'wx' }));
      await fsyncFile(temp);
      await publishAs(temp, this.dir, name);
    } finally {
      await removeQuietly(temp);
    }
  }

  async get(name: string, target: string): Promise<void> {
    await fs.copyFile(this.pathOf(name), target, constants.COPYFILE_EXCL);
  }

  async list(): Promise<StoredObject[]> {
    let entries: string[];
    try {
      entries = await fs.readdir(this.dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return [];
      if (code === 'ENOTDIR')
        throw new UserError(`The backup directory ${this.dir} is a file, not a directory.`);
      if (code === 'EACCES')
        throw new UserError(`Cannot read the backup directory ${this.dir}: permission denied.`);
      throw error;
    }
    const objects: StoredObject[] = [];
    for (const name of entries) {
      if (name.startsWith(TEMP_PREFIX)) continue;
      const stat = await fs.stat(this.pathOf(name)).catch(() => undefined);
      if (stat?.isFile()) objects.push({ name, size: stat.size, modified: stat.mtime });
    }
    return objects;
  }

  async delete(name: string): Promise<void> {
    await fs.rm(this.pathOf(name), { force: true });
    await fsyncDir(this.dir);
  }
}
