import { createCipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import { beforeEach, describe, expect, test } from 'vitest';
import { manifestNameOf } from '../../src/domain/backup-name.js';
import { serializeManifest, type Manifest } from '../../src/domain/manifest.js';
import { digestFile } from '../../src/pipeline/digest.js';
import { planRetention } from '../../src/retention/plan-retention.js';
import { fetchVerified } from '../../src/catalog/fetch-verified.js';
import type { Storage, UploadBody } from '../../src/storage/storage.js';
import { tempDir } from './tmp.js';

/**
 * What a backend's test gives the contract. `setup` runs before every test
 * and must return a storage on a fresh, empty prefix (or directory), with the
 * foreign objects of `foreignKeys(prefix)` already written beside and inside
 * it directly, not through the storage.
 */
export interface ContractSubject {
  storage: Storage;
  /** Changes some bytes of the stored object `name` at the target, behind the backend's back. */
  corrupt(name: string): Promise<void>;
  /** Names of objects outside the storage's prefix or not ours, to check they survive. */
  foreign: readonly string[];
  /** Whether the object `key` (one of `foreign`) still exists, looked up behind the backend's back. */
  exists(key: string): Promise<boolean>;
  /**
   * Whether `storage.get` itself refuses a corrupted object of `size` bytes
   * (from a checksum the backend keeps). When true the contract asserts it;
   * otherwise `get` may succeed and only `fetchVerified` must catch it.
   */
  getDetectsCorruption?: (size: number) => boolean;
  /** Unfinished uploads the backend keeps out of sight (S3 multipart uploads); none may remain after a failed put. */
  leftoverUploads?: () => Promise<readonly string[]>;
  /**
   * Bytes the backend holds by design while an object goes up or down (parts or
   * blocks in flight, stream buffers), which sizes the large-object case (see
   * `largeObjectFor`). Left out: DEFAULT_HELD_BY_DESIGN.
   */
  heldByDesign?: number;
}

/** The foreign objects every setup writes (see `foreignKeys`). */
export const FOREIGN_NAMES = {
  /** Under the storage's own prefix, but not regular SQLite backups of ours: listed, never pruned. */
  inPrefix: ['notes.txt', 'sqlite_backup_latest.db.gz', 'postgres_backup_20200101_000000.sql.gz'],
  /** One level below the prefix: not direct children, so never listed. */
  nested: ['archive/sqlite_backup_20190101_000000.db.gz'],
  /**
   * Under a sibling prefix that starts with the same characters (`a/b` and
   * `a/b-old`): our own naming pattern, so a backend that listed beyond its
   * prefix would hand them to retention as the oldest backups.
   */
  sibling: ['sqlite_backup_20180101_000000.db.gz', 'sqlite_backup_20180102_000000.db.gz'],
} as const;

/** The keys (`/`-separated, as object keys or paths) of the foreign objects for a storage on `prefix`. */
export function foreignKeys(prefix: string): string[] {
  return [
    ...FOREIGN_NAMES.inPrefix.map((name) => `${prefix}/${name}`),
    ...FOREIGN_NAMES.nested.map((name) => `${prefix}/${name}`),
    ...FOREIGN_NAMES.sibling.map((name) => `${prefix}-old/${name}`),
  ];
}

const MiB = 1024 * 1024;
/**
 * Memory growth allowed while a large object goes up or down: what the backend
 * holds by design, plus this much. Measured here (Node 24, 2 cores, three suites
 * in parallel) with 225 MiB, live growth put/get above the design: local ~3/0
 * MiB, S3 on fauxqs (4 parts of 5 MiB in flight) ~13/0 MiB, Azure on Azurite (4
 * blocks of 4 MiB) ~9/2 MiB, GCS on its stand-in ~9/2 MiB, artifacts ~15/1
 * MiB. Backends that buffer the object measured 100–200 MiB (one Buffer, or
 * chunks concatenated). RSS, measured beside: S3 ~48–66 MiB (once 80 MiB on a
 * loaded machine), Azure ~40, artifacts ~60, GCS and local ~35.
 *
 * Live bytes (heap and Buffers right after a full collection) count what is
 * held, whatever the load, so they carry the real check. RSS also counts
 * what the allocator keeps mapped and what the collector has not reached yet,
 * which a busy machine stretches: it is only held below the object's own
 * size, which a backend holding the object cannot stay under. Both figures
 * are printed.
 */
const LIVE_GROWTH_SLACK = 30 * MiB;
/** For a backend that does not say: the 75 MiB budget (and 225 MiB object) every backend once had. */
const DEFAULT_HELD_BY_DESIGN = 45 * MiB;

/**
 * The large object for a backend holding `heldByDesign` bytes: three times the
 * live growth allowed, so that a backend holding even a third of it fails, and
 * at least 100 MiB, far beyond any buffer a backend keeps by design, so that it
 * goes up in dozens of parts or blocks. The odd bytes leave a short last one.
 * Sized per backend because the transfer, not the check, is what takes the
 * time (GCS computes a CRC-32C in JavaScript both ways, ~15 s per 225 MiB here).
 */
export function largeObjectFor(heldByDesign = DEFAULT_HELD_BY_DESIGN): {
  size: number;
  liveLimit: number;
  rssLimit: number;
} {
  const liveLimit = heldByDesign + LIVE_GROWTH_SLACK;
  const size = Math.max(3 * liveLimit, 100 * MiB) + 12_345;
  return { size, liveLimit, rssLimit: size };
}

/**
 * Deterministic bytes (AES-CTR over zeros, keyed by `seed`): the same on every
 * `open()`, cheap to make, incompressible. With `failAfter`, the stream errors
 * once that many bytes have gone out, as a dying dump would.
 */
export function generatedBody(
  size: number,
  seed: string,
  options: { failAfter?: number } = {},
): UploadBody {
  return {
    size,
    open: () => {
      const key = createHash('sha256').update(seed).digest().subarray(0, 16);
      const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
      const zeros = Buffer.alloc(MiB);
      let sent = 0;
      return new Readable({
        read() {
          if (options.failAfter !== undefined && sent >= options.failAfter) {
            this.destroy(new Error(`simulated failure of the body stream after ${sent} bytes`));
            return;
          }
          if (sent >= size) {
            this.push(null);
            return;
          }
          const length = Math.min(MiB, size - sent);
          sent += length;
          this.push(cipher.update(zeros.subarray(0, length)));
        },
      });
    },
  };
}

/** A generated body that stops after `pauseAfter` bytes until `resume` settles: a slow dump. */
export function pausingBody(size: number, pauseAfter: number, resume: Promise<void>): UploadBody {
  const inner = generatedBody(size, 'pausing');
  return {
    size,
    open: () =>
      Readable.from(
        (async function* () {
          let sent = 0;
          for await (const chunk of inner.open()) {
            if (sent >= pauseAfter) await resume;
            sent += (chunk as Buffer).length;
            yield chunk as Buffer;
          }
        })(),
      ),
  };
}

export function textBody(text: string): UploadBody {
  const bytes = Buffer.from(text);
  return { size: bytes.length, open: () => Readable.from([bytes]) };
}

async function sha256Of(body: UploadBody): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of body.open()) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as (options?: { type: 'minor' }) => void;

interface MemorySample {
  /** Resident set size of the process. */
  readonly rss: number;
  /** Bytes V8 still holds right after a full collection: heap objects and Buffers. */
  readonly live: number;
}

function sampleMemory(): MemorySample {
  collectGarbage();
  // Buffers a full collection found dead are released, and leave `external`,
  // only when the next collection starts: a scavenge (a few ms) does that now.
  // Without it a sample counts all the garbage made since the previous one.
  collectGarbage({ type: 'minor' });
  const usage = process.memoryUsage();
  return { rss: usage.rss, live: usage.heapUsed + usage.external };
}

/**
 * Runs `action` while sampling memory; returns how far RSS and live bytes
 * rose above `baseline`. Collecting garbage at each sample lets freed buffers
 * be reused instead of new pages being mapped, so RSS follows what is held
 * rather than how far the collector lags on a busy machine. Live bytes do not
 * depend on what the allocator keeps mapped from earlier tests, so they catch
 * a buffering backend even when RSS has room to hide it.
 *
 * A full collection of this process's heap takes tens of milliseconds
 * (hundreds on a busy machine). Forced every 25 ms, as the sampler once did,
 * it left a transfer almost no time of its own: the artifact download of
 * 100 MiB took ~5 s unsampled and ~200 s sampled, a local put ~1 s against
 * ~30 s. So a full sample is due again only after as long as the last one
 * took, and the 25 ms steps in between are scavenges (a few ms each), which
 * free the transfer's short-lived buffers so that garbage does not pile up
 * into RSS meanwhile. Spacing full samples wider saves a little more time but
 * lets the artifact upload's 8 MiB chunks linger: its RSS rose from ~60 MiB
 * to 65-82 MiB, against a 75 MiB limit.
 */
async function memoryGrowthDuring(
  baseline: MemorySample,
  action: () => Promise<void>,
): Promise<MemorySample> {
  let rss = baseline.rss;
  let live = baseline.live;
  const sample = (): void => {
    const now = sampleMemory();
    rss = Math.max(rss, now.rss);
    live = Math.max(live, now.live);
  };
  let sampleDue = 0;
  const step = (): void => {
    const started = performance.now();
    if (started < sampleDue) {
      collectGarbage({ type: 'minor' });
      rss = Math.max(rss, process.memoryUsage.rss());
      return;
    }
    sample();
    const ended = performance.now();
    sampleDue = ended + (ended - started);
  };
  const timer = setInterval(step, 25);
  try {
    await action();
  } finally {
    clearInterval(timer);
  }
  sample();
  return { rss: rss - baseline.rss, live: live - baseline.live };
}

function mib(bytes: number): string {
  return (bytes / MiB).toFixed(1);
}

function manifestFor(name: string, size: number, sha256: string): Manifest {
  return {
    formatVersion: 1,
    tool: { name: 'db-backup-action', version: 'contract-test' },
    name,
    engine: 'sqlite',
    kind: 'backup',
    createdAt: new Date().toISOString(),
    durationMs: 1,
    database: { name: 'app.db', serverVersion: '3.45.0' },
    file: { size, sha256 },
    contentSize: size,
    compression: { algorithm: 'gzip', level: 6 },
    encryption: null,
    tables: [],
  };
}

async function names(storage: Storage): Promise<string[]> {
  return (await storage.list()).map((object) => object.name).sort();
}

/** The promises every `Storage` makes, run against one backend. */
export function storageContract(label: string, setup: () => Promise<ContractSubject>): void {
  describe(label, () => {
    let subject: ContractSubject;
    let storage: Storage;

    beforeEach(async () => {
      subject = await setup();
      storage = subject.storage;
    });

    test('puts and gets a 100 MB+ object as a stream, without holding it in memory', async () => {
      const name = 'sqlite_backup_20260101_000000.db.gz';
      const { size, liveLimit, rssLimit } = largeObjectFor(subject.heldByDesign);
      const body = generatedBody(size, 'large');
      // One baseline for both steps, taken before any bytes are made: memory
      // the put leaves mapped counts against the get too, and no freed
      // buffers from an earlier pass are there for a buffering backend to reuse.
      const baseline = sampleMemory();
      const put = await memoryGrowthDuring(baseline, async () => {
        await storage.put(name, body);
      });

      const listed = (await storage.list()).find((object) => object.name === name);
      expect(listed?.size).toBe(size);
      expect(listed?.modified).toBeInstanceOf(Date);
      expect(Number.isNaN(listed?.modified.getTime())).toBe(false);

      const target = path.join(tempDir('contract-get'), name);
      const get = await memoryGrowthDuring(baseline, () => storage.get(name, target));
      expect(await digestFile(target)).toEqual({ size, sha256: await sha256Of(body) });

      console.log(
        `[${label}] memory growth for ${mib(size)} MiB: put RSS ${mib(put.rss)} MiB, ` +
          `live ${mib(put.live)} MiB; get RSS ${mib(get.rss)} MiB, live ${mib(get.live)} MiB ` +
          `(limits: live ${mib(liveLimit)} MiB, RSS ${mib(rssLimit)} MiB)`,
      );
      expect(put.rss).toBeLessThan(rssLimit);
      expect(get.rss).toBeLessThan(rssLimit);
      expect(put.live).toBeLessThan(liveLimit);
      expect(get.live).toBeLessThan(liveLimit);
    }, 300_000);

    test('lists only the direct children of its prefix, by plain name', async () => {
      const before = await names(storage);
      for (const name of FOREIGN_NAMES.inPrefix) expect(before).toContain(name);
      await storage.put('sqlite_backup_20260102_000000.db.gz', textBody('one'));
      await storage.put('sqlite_backup_20260102_000000.db.gz.json', textBody('{}'));
      const after = await names(storage);
      expect(after).toEqual(
        [
          ...before,
          'sqlite_backup_20260102_000000.db.gz',
          'sqlite_backup_20260102_000000.db.gz.json',
        ].sort(),
      );
      for (const name of after) expect(name).not.toContain('/');
      for (const name of FOREIGN_NAMES.sibling) expect(after).not.toContain(name);
      for (const nested of FOREIGN_NAMES.nested) {
        expect(after).not.toContain(path.posix.basename(nested));
      }
      const one = (await storage.list()).find(
        (o) => o.name === 'sqlite_backup_20260102_000000.db.gz',
      );
      expect(one?.size).toBe(3);
    });

    test('never replaces an existing object', async () => {
      const name = 'sqlite_backup_20260103_000000.db.gz';
      await storage.put(name, textBody('the original'));
      await expect(storage.put(name, textBody('a replacement!'))).rejects.toThrow(/exists/);
      const target = path.join(tempDir('contract-existing'), name);
      await storage.get(name, target);
      expect(fs.readFileSync(target, 'utf8')).toBe('the original');
    });

    test('get refuses an existing target and a missing name, and leaves no file behind', async () => {
      const name = 'sqlite_backup_20260104_000000.db.gz';
      await storage.put(name, textBody('stored'));
      const dir = tempDir('contract-target');
      const existing = path.join(dir, 'existing');
      fs.writeFileSync(existing, 'mine');
      await expect(storage.get(name, existing)).rejects.toThrow();
      expect(fs.readFileSync(existing, 'utf8')).toBe('mine');
      const missing = path.join(dir, 'missing');
      await expect(storage.get('sqlite_backup_20000101_000000.db.gz', missing)).rejects.toThrow();
      expect(fs.existsSync(missing)).toBe(false);
    });

    test('deletes; deleting a missing name is not an error', async () => {
      const name = 'sqlite_backup_20260105_000000.db.gz';
      await storage.put(name, textBody('to delete'));
      expect(await names(storage)).toContain(name);
      await storage.delete(name);
      expect(await names(storage)).not.toContain(name);
      await storage.delete(name);
      await storage.delete('sqlite_backup_19990101_000000.db.gz');
    });

    test('an upload whose body fails after ~30 MB leaves nothing under the final name', async () => {
      const name = 'sqlite_backup_20260106_000000.db.gz';
      const body = generatedBody(64 * MiB, 'interrupted', { failAfter: 30 * MiB });
      await expect(storage.put(name, body)).rejects.toThrow(/simulated failure/);
      expect(await names(storage)).not.toContain(name);
      const target = path.join(tempDir('contract-interrupted'), name);
      await expect(storage.get(name, target)).rejects.toThrow();
      expect(fs.existsSync(target)).toBe(false);
      if (subject.leftoverUploads) expect(await subject.leftoverUploads()).toEqual([]);
      // The name is still free: a retry succeeds.
      await storage.put(name, textBody('second attempt'));
      expect(await names(storage)).toContain(name);
    }, 120_000);

    test.each([
      ['a small object', 64 * 1024],
      ['a 12 MiB object', 12 * MiB],
    ])(
      'detects %s corrupted at the target',
      async (_what, size) => {
        const name = `sqlite_backup_20260107_00000${size > MiB ? 1 : 0}.db.gz`;
        const body = generatedBody(size, `corrupt-${size}`);
        await storage.put(name, body);
        const manifest = manifestFor(name, size, await sha256Of(body));
        await storage.put(manifestNameOf(name), textBody(serializeManifest(manifest)));
        await subject.corrupt(name);

        const getDir = tempDir('contract-corrupt-get');
        const target = path.join(getDir, name);
        const detectedAtGet = await storage.get(name, target).then(
          () => false,
          () => true,
        );
        if (detectedAtGet) expect(fs.readdirSync(getDir)).toEqual([]);
        if (subject.getDetectsCorruption?.(size)) expect(detectedAtGet).toBe(true);
        console.log(`[${label}] corruption of ${size} bytes detected by get: ${detectedAtGet}`);

        const fetchDir = tempDir('contract-corrupt-fetch');
        await expect(fetchVerified(storage, name, fetchDir)).rejects.toThrow(
          detectedAtGet ? /./ : /does not match its manifest/,
        );
        expect(fs.readdirSync(fetchDir)).toEqual([]);
      },
      120_000,
    );

    test('fetchVerified returns a sound backup with its manifest, or without one', async () => {
      const name = 'sqlite_backup_20260108_000000.db.gz';
      const body = generatedBody(200_000, 'sound');
      await storage.put(name, body);
      const manifest = manifestFor(name, body.size, await sha256Of(body));
      await storage.put(manifestNameOf(name), textBody(serializeManifest(manifest)));
      const dir = tempDir('contract-fetch');
      expect(await fetchVerified(storage, name, dir)).toEqual({
        file: path.join(dir, name),
        manifestFile: path.join(dir, manifestNameOf(name)),
        manifest,
      });

      const bare = 'sqlite_backup_20260109_000000.db.gz';
      await storage.put(bare, textBody('no manifest'));
      const bareDir = tempDir('contract-fetch-bare');
      expect(await fetchVerified(storage, bare, bareDir)).toEqual({
        file: path.join(bareDir, bare),
        manifestFile: undefined,
        manifest: undefined,
      });
      await expect(
        fetchVerified(storage, 'sqlite_backup_20000101_000000.db.gz', bareDir),
      ).rejects.toThrow(/is not at .*db-backup list/);
    });

    test('a retention run on the listing never touches other prefixes or foreign names', async () => {
      expect(subject.foreign.length).toBeGreaterThan(0);
      for (const key of subject.foreign) expect(await subject.exists(key), key).toBe(true);
      const ours = [
        'sqlite_backup_20260201_000000.db.gz',
        'sqlite_backup_20260202_000000.db.gz',
        'sqlite_backup_20260203_000000.db.gz',
      ];
      for (const name of ours) {
        await storage.put(name, textBody(name));
        await storage.put(manifestNameOf(name), textBody('{}'));
      }
      const plan = planRetention(await names(storage), { engine: 'sqlite', maxBackups: 1 });
      expect(plan.remove.map((backup) => backup.name)).toEqual([ours[1], ours[0]]);
      for (const backup of plan.remove) {
        await storage.delete(backup.name);
        await storage.delete(manifestNameOf(backup.name));
      }
      const left = await names(storage);
      expect(left).toEqual([...FOREIGN_NAMES.inPrefix, ours[2]!, manifestNameOf(ours[2]!)].sort());
      for (const key of subject.foreign) expect(await subject.exists(key), key).toBe(true);
    });
  });
}
