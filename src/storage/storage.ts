/** One object (a backup or a manifest) at a storage target. */
export interface StoredObject {
  readonly name: string;
  readonly size: number;
  readonly modified: Date;
}

/**
 * A place that keeps backups: a directory, a bucket prefix, a repository's
 * artifacts. Backends move bytes and nothing else: they know nothing of gzip,
 * encryption, manifests or retention.
 */
export interface Storage {
  /** The target's id in `storage`/`from` (local, s3, ...). */
  readonly id: string;
  /** Where, for people: a path, s3://bucket/prefix, ... (never a credential). */
  readonly location: string;
  /** Stores a local file under `name`; an existing object of that name is never replaced. */
  put(name: string, file: string): Promise<void>;
  /** Fetches `name` into the local file `target` (which must not exist). */
  get(name: string, target: string): Promise<void>;
  /** Every object directly under the target's prefix. */
  list(): Promise<StoredObject[]>;
  delete(name: string): Promise<void>;
}
