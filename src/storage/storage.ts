import path from 'node:path';
import type { Readable } from 'node:stream';

/** One object (a backup or a manifest) at a storage target. */
export interface StoredObject {
  readonly name: string;
  readonly size: number;
  readonly modified: Date;
}

/** The bytes to store: a fresh stream on every call (a backend may retry), and their size. */
export interface UploadBody {
  readonly open: () => Readable;
  readonly size: number;
}

/** What a backend can tell about an object it just stored: GitHub's artifact id, for example. */
export interface StoredReceipt {
  readonly id?: string;
}

/**
 * A place that keeps backups: a directory, a bucket prefix, a repository's
 * artifacts. Backends move bytes and nothing else: they know nothing of gzip,
 * encryption, manifests or retention. Names are plain file names (no slashes);
 * a backend maps them under its own prefix.
 */
export interface Storage {
  /** The target's id in `storage`/`from` (local, s3, gcs, azure, artifact). */
  readonly id: string;
  /** Where, for people: a path, s3://bucket/prefix, ... (never a credential). */
  readonly location: string;
  /**
   * The directory the objects lie in, when the place is one on this machine:
   * they are read, hashed and pointed at where they lie, with nothing
   * downloaded. Undefined for a remote place.
   */
  readonly localDirectory?: string;
  /**
   * Stores `body` under `name`. Either the whole object exists under `name`
   * afterwards, or nothing does: a failed or interrupted upload leaves no
   * object (and no partial object) under the final name. An existing object
   * of that name is never replaced.
   */
  put(name: string, body: UploadBody): Promise<StoredReceipt | void>;
  /**
   * Fetches `name` into the local file `target` (which must not exist),
   * streaming, and checking any checksum the backend keeps; a mismatch throws
   * and leaves no file at `target`.
   */
  get(name: string, target: string): Promise<void>;
  /** Every object directly under the target's prefix, in no particular order. */
  list(): Promise<StoredObject[]>;
  /** Removes `name`; removing a name that does not exist is not an error. */
  delete(name: string): Promise<void>;
}

/** A place on this machine: its objects are files in `localDirectory`. */
export type LocalPlace = Storage & { readonly localDirectory: string };

export function isLocalPlace(storage: Storage): storage is LocalPlace {
  return storage.localDirectory !== undefined;
}

/** `file` lies in the place's own directory: it is one of the place's objects already (nothing to store or fetch). */
export function liesAt(storage: Storage, file: string): boolean {
  return (
    isLocalPlace(storage) &&
    path.resolve(path.dirname(file)) === path.resolve(storage.localDirectory)
  );
}
