import type { Storage, StoredObject, StoredReceipt, UploadBody } from './storage.js';

/**
 * Gives a backend without folders (GitHub artifacts) a name prefix, so that
 * several databases can share it: objects are stored as `prefix + name`, and
 * only names with the prefix are listed — retention never sees the others.
 */
export class PrefixedStorage implements Storage {
  constructor(
    private readonly inner: Storage,
    private readonly prefix: string,
  ) {}

  get id(): string {
    return this.inner.id;
  }

  get location(): string {
    return `${this.inner.location} (names starting ${this.prefix})`;
  }

  put(name: string, body: UploadBody): Promise<StoredReceipt | void> {
    return this.inner.put(this.prefix + name, body);
  }

  get(name: string, target: string): Promise<void> {
    return this.inner.get(this.prefix + name, target);
  }

  async list(): Promise<StoredObject[]> {
    return (await this.inner.list())
      .filter((object) => object.name.startsWith(this.prefix))
      .map((object) => ({ ...object, name: object.name.slice(this.prefix.length) }));
  }

  delete(name: string): Promise<void> {
    return this.inner.delete(this.prefix + name);
  }
}
