import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DefaultArtifactClient } from '@actions/artifact';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { IntegrityError, JobFailure, UserError } from '../src/domain/errors.js';
import { redact } from '../src/domain/secrets.js';
import { ArtifactStorage } from '../src/storage/artifact.js';
import {
  startArtifactStandin,
  type ArtifactStandin,
  type StandinRun,
} from './support/artifact-standin.js';
import { startAzurite } from './support/azurite.js';
import { FOREIGN_NAMES, storageContract, textBody } from './support/storage-contract.js';
import { tempDir } from './support/tmp.js';

/** The variables a run sets; saved at load (a real job's values) and put back after each use. */
const RUNNER_VARIABLES = [
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_RESULTS_URL',
  'GITHUB_API_URL',
  'GITHUB_SERVER_URL',
  'GITHUB_REPOSITORY',
  'GITHUB_RUN_ID',
  'GITHUB_RETENTION_DAYS',
  'ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY',
] as const;
const realEnvironment = Object.fromEntries(RUNNER_VARIABLES.map((key) => [key, process.env[key]]));

function restoreRealEnvironment(): void {
  for (const key of RUNNER_VARIABLES) {
    const value = realEnvironment[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}

/** As the runner does for a JavaScript action of that run. */
function enterRun(run: StandinRun): void {
  Object.assign(process.env, run.env);
}

const READ_WRITE = 'ghs_readwrite_token_for_tests';
const READ_ONLY = 'ghs_readonly_token_for_tests';
const NO_ACTIONS = 'ghs_no_actions_permission_token';

interface Services {
  standin: ArtifactStandin;
  stop(): Promise<void>;
}
let servicesStarted: Promise<Services> | undefined;

/** Azurite and the stand-in, once for the whole file, started on first use. */
function services(): Promise<Services> {
  servicesStarted ??= (async () => {
    const azurite = await startAzurite();
    const standin = await startArtifactStandin(azurite);
    standin.grant(READ_WRITE, { read: true, write: true });
    standin.grant(READ_ONLY, { read: true, write: false });
    standin.grant(NO_ACTIONS, { read: false, write: false });
    return {
      standin,
      stop: async () => {
        await standin.close();
        await azurite.stop();
      },
    };
  })();
  return servicesStarted;
}

afterAll(async () => {
  restoreRealEnvironment();
  if (servicesStarted) await (await servicesStarted).stop();
});

let repositoryCounter = 0;
function freshRepository(): string {
  return `octo/backups${(repositoryCounter += 1)}`;
}

/** Retries with short pauses: the tests count attempts, they do not wait for them. */
const QUICK_RETRIES = { baseDelayMs: 5, maxDelayMs: 20, rateLimitWaitMs: 20 };

async function storageFor(
  repository: string,
  options: { token?: string; runId?: number } = {},
): Promise<ArtifactStorage> {
  const { standin } = await services();
  return new ArtifactStorage({
    token: options.token ?? READ_WRITE,
    repository,
    apiUrl: standin.url,
    retentionDays: 5,
    retry: QUICK_RETRIES,
    ...(options.runId === undefined ? {} : { runId: options.runId }),
  });
}

/** A run of `repository` whose job environment is the current one. */
async function inNewRun(repository: string): Promise<StandinRun> {
  const run = (await services()).standin.startRun(repository);
  enterRun(run);
  return run;
}

/** Uploads like actions/upload-artifact does: straight through the client, zipped unless skipArchive. */
async function uploadWithClient(
  name: string,
  files: Record<string, string | Buffer>,
  options: { skipArchive?: boolean; compressionLevel?: number } = {},
): Promise<void> {
  const dir = tempDir('artifact-client');
  const paths = Object.entries(files).map(([file, content]) => {
    fs.writeFileSync(path.join(dir, file), content);
    return path.join(dir, file);
  });
  await new DefaultArtifactClient().uploadArtifact(name, paths, dir, options);
}

/** Reads the target file back, or undefined when there is none. */
function read(file: string): string | undefined {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

storageContract('ArtifactStorage against the GitHub stand-ins and Azurite', async () => {
  const { standin } = await services();
  const repository = freshRepository();
  const run = await inNewRun(repository);
  // @actions/artifact uploads 8 MiB blocks, 5 at a time by default, behind two 8 MiB stream
  // buffers: ~83 MiB held during a put here, whatever the object's size (the same for 100 MB,
  // 300 MB and 1 GB), above the contract's 75 MiB budget. Two at a time (the client's own
  // knob, which a workflow can set too) holds ~55-60 MiB.
  process.env.ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY = '2';
  // Foreign artifacts: other workflows' in this repository (listed, never pruned), and one
  // of our naming pattern in a sibling repository (never listed).
  const foreign: string[] = [];
  for (const name of FOREIGN_NAMES.inPrefix) {
    await standin.addArtifact(repository, name, Buffer.from('not ours'));
    foreign.push(`${repository}:${name}`);
  }
  for (const name of FOREIGN_NAMES.sibling) {
    await standin.addArtifact(`${repository}-old`, name, Buffer.from('not ours'));
    foreign.push(`${repository}-old:${name}`);
  }
  return {
    storage: await storageFor(repository, { runId: run.runId }),
    corrupt: (name) => standin.corrupt(repository, name),
    foreign,
    exists: (key) => {
      const [where, name] = key.split(':') as [string, string];
      return Promise.resolve(standin.artifacts(where).some((a) => a.name === name));
    },
    // Every artifact our backend uploads has a sha256 digest, checked on download.
    getDetectsCorruption: () => true,
  };
});

describe('ArtifactStorage against the stand-ins', () => {
  beforeAll(async () => {
    await services();
    delete process.env.ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY;
  });
  afterEach(async () => {
    (await services()).standin.pageSize = 100;
  });

  test('uploads one unzipped file: the web page download is the .gz itself', async () => {
    const { standin } = await services();
    const repository = freshRepository();
    await inNewRun(repository);
    const storage = await storageFor(repository);
    const name = 'postgres_backup_20260401_000000.sql.gz';
    const gz = gzipSync('SELECT 1;\n');
    await storage.put(name, { size: gz.length, open: () => fs.createReadStream(writeTemp(gz)) });

    const [artifact] = standin.artifacts(repository);
    expect(artifact?.name).toBe(name);
    expect(artifact?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // What a person's browser does with the artifact's download link.
    const redirect = await fetch(
      `${standin.url}/repos/${repository}/actions/artifacts/${artifact!.id}/zip`,
      { headers: { Authorization: `token ${READ_WRITE}` }, redirect: 'manual' },
    );
    expect(redirect.status).toBe(302);
    const download = await fetch(redirect.headers.get('location')!);
    expect(download.headers.get('content-type')).toBe('application/gzip');
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.equals(gz)).toBe(true);
    expect(gunzipSync(bytes).toString()).toBe('SELECT 1;\n');
  });

  test('an artifact uploaded by run 1 is listed and fetched by run 2', async () => {
    const repository = freshRepository();
    const run1 = await inNewRun(repository);
    const name = 'sqlite_backup_20260402_000000.db.gz';
    await (await storageFor(repository, { runId: run1.runId })).put(name, textBody('from run 1'));

    const run2 = await inNewRun(repository);
    expect(run2.runId).not.toBe(run1.runId);
    const storage = await storageFor(repository, { runId: run2.runId });
    const listed = await storage.list();
    expect(listed).toEqual([{ name, size: 10, modified: expect.any(Date) as Date }]);
    const target = path.join(tempDir('artifact-cross-run'), name);
    await storage.get(name, target);
    expect(read(target)).toBe('from run 1');
    // And run 2 may not upload the name again.
    await expect(storage.put(name, textBody('from run 2'))).rejects.toThrow(
      new RegExp(`already exists .*uploaded by run ${run1.runId}\\)`),
    );
  });

  test('re-runs: same-named artifacts are one object, the newest; delete removes all of them', async () => {
    const { standin } = await services();
    const repository = freshRepository();
    await inNewRun(repository);
    const name = 'sqlite_backup_20260403_000000.db.gz';
    const storage = await storageFor(repository);
    await storage.put(name, textBody('first attempt'));
    // A re-run's job uploads again under the same name (upload-artifact does not look across runs).
    await inNewRun(repository);
    await uploadWithClient(name, { [name]: 'the re-run, newer' }, { skipArchive: true });
    expect(standin.artifacts(repository).filter((a) => a.name === name)).toHaveLength(2);

    expect(await storage.list()).toEqual([{ name, size: 17, modified: expect.any(Date) as Date }]);
    const target = path.join(tempDir('artifact-rerun'), name);
    await storage.get(name, target);
    expect(read(target)).toBe('the re-run, newer');
    await storage.delete(name);
    expect(standin.artifacts(repository).filter((a) => a.name === name)).toEqual([]);
  });

  test.each([
    ['deflated', {}],
    ['stored', { compressionLevel: 0 }],
  ])(
    'a zipped artifact (upload-artifact without archive: false), %s, is unzipped on the way',
    async (_how, options) => {
      const repository = freshRepository();
      await inNewRun(repository);
      const name = 'postgres_backup_20260404_000000.sql.gz';
      const content = gzipSync(Buffer.alloc(3_000_000, 'INSERT INTO t VALUES (1);\n'));
      await uploadWithClient(name, { [name]: content }, options);
      const storage = await storageFor(repository);
      const target = path.join(tempDir('artifact-zipped'), name);
      await storage.get(name, target);
      expect(fs.readFileSync(target).equals(content)).toBe(true);
    },
  );

  test('a zipped artifact with two files is refused and leaves no file', async () => {
    const repository = freshRepository();
    await inNewRun(repository);
    const name = 'sqlite_backup_20260405_000000.db.gz';
    await uploadWithClient(name, { 'a.db.gz': 'a', 'b.db.gz': 'b' });
    const target = path.join(tempDir('artifact-two'), name);
    await expect((await storageFor(repository)).get(name, target)).rejects.toThrow(
      /holds 2 entries, not one file/,
    );
    expect(fs.existsSync(target)).toBe(false);
  });

  test('lists across several pages', async () => {
    const { standin } = await services();
    const repository = freshRepository();
    await inNewRun(repository);
    const names = Array.from({ length: 5 }, (_, i) => `sqlite_backup_20260406_00000${i}.db.gz`);
    for (const name of names) await standin.addArtifact(repository, name, Buffer.from(name));
    standin.pageSize = 2;
    const before = standin.requests.length;
    const listed = (await (await storageFor(repository)).list()).map((o) => o.name).sort();
    expect(listed).toEqual(names);
    const pages = standin.requests.slice(before).filter((r) => r.startsWith('GET /repos/'));
    expect(pages).toHaveLength(3);
    expect(pages[2]).toContain('page=3');
  });

  test('expired artifacts are neither listed nor fetched', async () => {
    const { standin } = await services();
    const repository = freshRepository();
    await inNewRun(repository);
    const storage = await storageFor(repository);
    const name = 'sqlite_backup_20260407_000000.db.gz';
    await storage.put(name, textBody('short-lived'));
    standin.expire(standin.artifacts(repository)[0]!.id);
    expect(await storage.list()).toEqual([]);
    const target = path.join(tempDir('artifact-expired'), name);
    await expect(storage.get(name, target)).rejects.toThrow(/not among .* \(or it has expired\)/);
    expect(fs.existsSync(target)).toBe(false);
  });

  test('403 on delete names actions: write; on list and get, actions: read', async () => {
    const repository = freshRepository();
    await inNewRun(repository);
    const name = 'sqlite_backup_20260408_000000.db.gz';
    await (await storageFor(repository)).put(name, textBody('kept'));

    const readOnly = await storageFor(repository, { token: READ_ONLY });
    const error = await readOnly.delete(name).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^The token may not delete ${name} in ${repository} \\(403\\): grant it \`actions: write\``,
      ),
    );
    expect((await readOnly.list()).map((o) => o.name)).toEqual([name]);

    const none = await storageFor(repository, { token: NO_ACTIONS });
    await expect(none.list()).rejects.toThrow(
      /may not list artifacts .*\(403\): grant it `actions: read`/,
    );
    await expect(none.get(name, path.join(tempDir('artifact-403'), name))).rejects.toThrow(
      /`actions: read`/,
    );
    await expect(none.put('other.db.gz', textBody('x'))).rejects.toThrow(/`actions: read`/);
  });

  test('401, 404 and the rate limit are one line each', async () => {
    const { standin } = await services();
    const repository = freshRepository();
    await inNewRun(repository);
    const badToken = await storageFor(repository, { token: 'ghs_not_a_token_we_know' });
    await expect(badToken.list()).rejects.toThrow(
      /^GitHub refused the token for octo\/backups\d+ \(401 Bad credentials\)/,
    );
    const storage = await storageFor(repository);
    const missing = await storageFor('octo', {}).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/must be owner\/name/);
    standin.fail({
      method: 'GET',
      pathIncludes: '/actions/artifacts',
      status: 404,
      body: { message: 'Not Found' },
    });
    await expect(storage.list()).rejects.toThrow(
      /was not found, or the token cannot see it \(404\)/,
    );
    standin.fail({
      method: 'GET',
      pathIncludes: '/actions/artifacts',
      status: 403,
      body: { message: 'API rate limit exceeded for installation ID 1.' },
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1900000000' },
    });
    const error = await storage.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailure);
    expect((error as Error).message).toMatch(
      /rate limit was reached .*resets at 2030-03-17T17:46:40.000Z/,
    );
    expect((error as Error).message).not.toContain('\n');
  });

  test('put outside a job (no runtime token) says to run it as an action, and stores nothing', async () => {
    const { standin } = await services();
    const repository = freshRepository();
    await inNewRun(repository);
    delete process.env.ACTIONS_RUNTIME_TOKEN;
    const storage = await storageFor(repository);
    const error = await storage
      .put('sqlite_backup_20260409_000000.db.gz', textBody('x'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^Uploading an artifact needs a GitHub Actions job/);
    expect(standin.artifacts(repository)).toEqual([]);
  });

  test('a body shorter than announced is not uploaded', async () => {
    const { standin } = await services();
    const repository = freshRepository();
    await inNewRun(repository);
    const storage = await storageFor(repository);
    const body = { size: 10, open: () => fs.createReadStream(writeTemp(Buffer.from('short'))) };
    const before = standin.requests.length;
    await expect(storage.put('sqlite_backup_20260410_000000.db.gz', body)).rejects.toThrow(
      /ended after 5 of its declared 10 bytes/,
    );
    expect(standin.artifacts(repository)).toEqual([]);
    expect(standin.requests.slice(before).filter((r) => r.includes('/twirp/'))).toEqual([]);
  });

  test('a download that does not match the recorded digest is an integrity error and leaves no file', async () => {
    const { standin } = await services();
    const repository = freshRepository();
    await inNewRun(repository);
    const storage = await storageFor(repository);
    const name = 'sqlite_backup_20260411_000000.db.gz';
    await storage.put(name, textBody('intact bytes'));
    await standin.corrupt(repository, name);
    const target = path.join(tempDir('artifact-digest'), name);
    const error = await storage.get(name, target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    expect((error as Error).message).toMatch(/does not match the digest GitHub recorded at upload/);
    expect(fs.existsSync(target)).toBe(false);
  });

  test('the token is registered as a secret', async () => {
    await storageFor(freshRepository());
    expect(redact(`token ${READ_WRITE}`)).toBe('token ***');
  });
});

describe('ArtifactStorage retries what GitHub fails now and then', () => {
  afterEach(async () => {
    (await services()).standin.proxyBlobs = false;
  });

  /** A repository holding one backup uploaded through the storage, and the storage. */
  async function withOneBackup(content = 'the backup bytes'): Promise<{
    storage: ArtifactStorage;
    repository: string;
    name: string;
  }> {
    const repository = freshRepository();
    await inNewRun(repository);
    const storage = await storageFor(repository);
    const name = 'sqlite_backup_20260501_000000.db.gz';
    const receipt = await storage.put(name, textBody(content));
    const { standin } = await services();
    expect(receipt).toEqual({ id: String(standin.artifacts(repository)[0]!.id) });
    return { storage, repository, name };
  }

  const listRequests = (requests: string[], repository: string) =>
    requests.filter((r) => r.startsWith(`GET /repos/${repository}/actions/artifacts?`));

  test('a listing that fails with 502, then 503, then works', async () => {
    const { standin } = await services();
    const { storage, repository, name } = await withOneBackup();
    const before = standin.requests.length;
    standin.fail({
      method: 'GET',
      pathIncludes: '/actions/artifacts',
      status: 502,
      body: {},
      times: 1,
    });
    standin.fail({
      method: 'GET',
      pathIncludes: '/actions/artifacts',
      status: 503,
      body: {},
      times: 1,
    });
    expect((await storage.list()).map((o) => o.name)).toEqual([name]);
    expect(listRequests(standin.requests.slice(before), repository)).toHaveLength(3);
  });

  test('a reset connection is retried', async () => {
    const { standin } = await services();
    const { storage, name } = await withOneBackup();
    standin.fail({ method: 'GET', pathIncludes: '/actions/artifacts', reset: true, times: 2 });
    expect((await storage.list()).map((o) => o.name)).toEqual([name]);
  });

  test('a 429 waits as long as Retry-After says', async () => {
    const { standin } = await services();
    const { storage, name } = await withOneBackup();
    standin.fail({
      method: 'GET',
      pathIncludes: '/actions/artifacts',
      status: 429,
      body: { message: 'You have exceeded a secondary rate limit.' },
      headers: { 'Retry-After': '1' },
    });
    const started = Date.now();
    expect((await storage.list()).map((o) => o.name)).toEqual([name]);
    // Not a timing assertion: retrying before the second GitHub asked for breaks its rule.
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  });

  test('a listing that keeps failing says so after four attempts, in one line', async () => {
    const { standin } = await services();
    const { storage, repository } = await withOneBackup();
    standin.fail({
      method: 'GET',
      pathIncludes: '/actions/artifacts',
      status: 503,
      body: { message: 'Unavailable' },
      times: 4,
    });
    const error = await storage.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailure);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Could not list artifacts in ${repository}, GitHub answered 503 \\(4 attempts\\): Unavailable$`,
      ),
    );
  });

  test('a refusal (403, 404) is not retried', async () => {
    const { standin } = await services();
    const { storage, repository } = await withOneBackup();
    const before = standin.requests.length;
    standin.fail({
      method: 'GET',
      pathIncludes: '/actions/artifacts',
      status: 404,
      body: { message: 'Not Found' },
    });
    await expect(storage.list()).rejects.toThrow(/\(404\)/);
    expect(listRequests(standin.requests.slice(before), repository)).toHaveLength(1);
  });

  test('a download whose redirect fails (500), then whose blob store fails (503), then works', async () => {
    const { standin } = await services();
    const { storage, name } = await withOneBackup('downloaded intact');
    standin.proxyBlobs = true;
    standin.fail({ method: 'GET', pathIncludes: '/zip', status: 500, body: {} });
    standin.fail({ method: 'GET', pathIncludes: '/blobs/', status: 503, body: {} });
    const target = path.join(tempDir('artifact-retry-get'), name);
    await storage.get(name, target);
    expect(read(target)).toBe('downloaded intact');
    expect(standin.requests.filter((r) => r.startsWith('GET /blobs/'))).toHaveLength(2);
  });

  test('a blob download cut off mid-way starts again from byte 0 and arrives whole', async () => {
    const { standin } = await services();
    const content = 'x'.repeat(200_000);
    const { storage, name } = await withOneBackup(content);
    standin.proxyBlobs = true;
    standin.fail({ method: 'GET', pathIncludes: '/blobs/', cutAfterBytes: 70_000 });
    const target = path.join(tempDir('artifact-retry-cut'), name);
    await storage.get(name, target);
    expect(fs.statSync(target).size).toBe(200_000);
    expect(read(target)).toBe(content);
  });

  test('a blob store that keeps failing: a job failure after four attempts, and no file left', async () => {
    const { standin } = await services();
    const { storage, name } = await withOneBackup();
    standin.proxyBlobs = true;
    standin.fail({ method: 'GET', pathIncludes: '/blobs/', status: 503, body: {}, times: 4 });
    const target = path.join(tempDir('artifact-retry-blob'), name);
    const error = await storage.get(name, target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailure);
    expect((error as Error).message).toMatch(
      /^Downloading sqlite_backup_20260501_000000\.db\.gz from the GitHub artifacts of .* failed \(4 attempts\): the blob store answered 503/,
    );
    expect(fs.existsSync(target)).toBe(false);
  });

  test('a delete that meets a 502 is retried', async () => {
    const { standin } = await services();
    const { storage, repository, name } = await withOneBackup();
    standin.fail({ method: 'DELETE', pathIncludes: '/actions/artifacts/', status: 502, body: {} });
    await storage.delete(name);
    expect(standin.artifacts(repository)).toEqual([]);
  });
});

function writeTemp(data: Buffer): string {
  const file = path.join(tempDir('artifact-body'), 'body');
  fs.writeFileSync(file, data);
  return file;
}

const realToken = process.env.ARTIFACT_TEST_TOKEN;
const realRepository = process.env.ARTIFACT_TEST_REPOSITORY;
if (
  realToken &&
  realRepository &&
  realEnvironment.ACTIONS_RUNTIME_TOKEN &&
  realEnvironment.ACTIONS_RESULTS_URL
) {
  describe('real GitHub artifacts', () => {
    const apiUrl = realEnvironment.GITHUB_API_URL ?? 'https://api.github.com';
    const foreignNames = FOREIGN_NAMES.inPrefix;

    beforeAll(() => {
      restoreRealEnvironment();
      console.log(`[real GitHub] using the artifacts of ${realRepository} (a scratch repository)`);
    });

    /** The repository is a scratch one: everything but the foreign artifacts goes before each test. */
    async function resetRepository(storage: ArtifactStorage): Promise<void> {
      for (const object of await storage.list()) {
        if (!(foreignNames as readonly string[]).includes(object.name))
          await storage.delete(object.name);
      }
      const present = new Set((await storage.list()).map((object) => object.name));
      for (const name of foreignNames) {
        if (!present.has(name))
          await uploadWithClient(name, { [name]: 'not ours' }, { skipArchive: true });
      }
    }

    storageContract('ArtifactStorage against real GitHub', async () => {
      restoreRealEnvironment();
      // As for the stand-in: two blocks in flight keep the upload within the memory budget.
      process.env.ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY = '2';
      const storage = new ArtifactStorage({
        token: realToken,
        repository: realRepository,
        apiUrl,
        retentionDays: 1,
      });
      await resetRepository(storage);
      return {
        storage,
        // Artifacts are immutable: replace the object by one with a flipped byte (new digest,
        // same size), so only the manifest can tell.
        corrupt: async (name) => {
          const target = path.join(tempDir('real-corrupt'), name);
          await storage.get(name, target);
          const bytes = fs.readFileSync(target);
          bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
          await storage.delete(name);
          await uploadWithClient(name, { [name]: bytes }, { skipArchive: true });
        },
        foreign: foreignNames.map((name) => `${realRepository}:${name}`),
        exists: async (key) =>
          (await storage.list()).some((object) => object.name === key.slice(key.indexOf(':') + 1)),
        getDetectsCorruption: () => false,
      };
    });
  });
} else {
  describe.skip('real GitHub artifacts (set ARTIFACT_TEST_TOKEN and ARTIFACT_TEST_REPOSITORY — a scratch repository — inside a job that exposes ACTIONS_RUNTIME_TOKEN/ACTIONS_RESULTS_URL, to run)', () => {
    test('contract against real GitHub artifacts', () => undefined);
  });
}
