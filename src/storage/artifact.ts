import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { DefaultArtifactClient, type UploadArtifactResponse } from '@actions/artifact';
import { getOctokit } from '@actions/github';
import { IntegrityError, JobFailure, UserError, errorMessage, isWorded } from '../domain/errors.js';
import {
  connectionErrorText,
  isConnectionError,
  isTransientStatus,
} from '../net/network-errors.js';
import {
  attemptsOf,
  retryAfterMs,
  withRetries,
  type RetryAdvice,
  type RetryPolicy,
} from '../net/retry.js';
import { FILE_MODE, removeQuietly, temporaryDirectory } from '../fs/files.js';
import { redact, registerSecret } from '../domain/secrets.js';
import { exactLength, hashing } from './body-checks.js';
import type { Storage, StoredObject, StoredReceipt, UploadBody } from './storage.js';
import { unzipSingleFile } from './zip-single-file.js';

export interface ArtifactOptions {
  /** A token for the REST API (GITHUB_TOKEN or a PAT): `actions: read` to list and fetch, `actions: write` to delete. */
  token: string;
  /** owner/name */
  repository: string;
  /** GITHUB_API_URL, e.g. https://api.github.com */
  apiUrl: string;
  /** Days an uploaded artifact is kept (capped by the repository's own limit); the repository's default otherwise. */
  retentionDays?: number;
  /** The workflow run uploads belong to (GITHUB_RUN_ID), named in messages. */
  runId?: number;
  /** How REST calls and downloads are retried (tests shorten the pauses). */
  retry?: Partial<RetryPolicy & { rateLimitWaitMs: number }>;
}

/**
 * GitHub's REST API and blob store fail now and then (a 502, a 429, a reset
 * connection): four attempts with 1, 2, 4 s pauses (±jitter), and the wait a
 * rate limit asks for when it is at most a minute.
 */
const RETRY: RetryPolicy & { rateLimitWaitMs: number } = {
  attempts: 4,
  baseDelayMs: 1000,
  maxDelayMs: 8000,
  maxServerWaitMs: 60_000,
  // GitHub: a secondary rate limit without retry-after means "wait at least one minute".
  rateLimitWaitMs: 60_000,
};

/** A download from the blob store that did not complete, and whether trying again may help. */
class BlobError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** One artifact as the REST API reports it. */
interface RemoteArtifact {
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly created: Date;
  /** `sha256:<hex>` of the stored blob (artifacts v4 and later). */
  readonly digest: string | undefined;
  readonly runId: number | undefined;
}

type RestOperation = 'list' | 'get' | 'delete';

const PAGE_SIZE = 100;
const ZIP_TYPES = new Set([
  'application/zip',
  'application/x-zip-compressed',
  'application/zip-compressed',
]);

/**
 * The repository's GitHub Actions artifacts: one object = one artifact named
 * after it. Uploads go through @actions/artifact as single unzipped files, so
 * a person who downloads a backup from the run's page gets the .gz (or .gpg)
 * itself. Uploading needs a workflow job (the runner's ACTIONS_RUNTIME_TOKEN);
 * listing, fetching and deleting use the REST API with `token` and work across
 * runs, and from outside GitHub Actions.
 */
export class ArtifactStorage implements Storage {
  readonly id = 'artifact';
  readonly location: string;
  private readonly owner: string;
  private readonly repo: string;
  private readonly octokit: ReturnType<typeof getOctokit>;
  private readonly retry: RetryPolicy & { rateLimitWaitMs: number };

  constructor(private readonly options: ArtifactOptions) {
    this.retry = { ...RETRY, ...options.retry };
    registerSecret(options.token);
    const [owner, repo, extra] = options.repository.split('/');
    if (!owner || !repo || extra !== undefined) {
      throw new UserError(
        `The repository for artifacts must be owner/name, not "${options.repository}".`,
      );
    }
    this.owner = owner;
    this.repo = repo;
    this.location = `GitHub artifacts of ${options.repository}`;
    this.octokit = getOctokit(options.token, { baseUrl: options.apiUrl.replace(/\/+$/, '') });
  }

  async put(name: string, body: UploadBody): Promise<StoredReceipt> {
    checkName(name);
    // Artifacts of the same name may coexist across runs; ours never do.
    const existing = await this.artifactsNamed(name);
    if (existing.length > 0) throw this.alreadyExists(name, existing);
    // @actions/artifact uploads files only, named after the file: stage the body as `name`.
    const dir = await temporaryDirectory('artifact');
    try {
      const file = path.join(dir, name);
      const sha256 = await stage(body, file);
      const uploaded = await this.upload(name, file, dir);
      await this.checkUploaded(name, uploaded, body.size, sha256);
      return { id: String(uploaded.id) };
    } finally {
      await removeQuietly(dir);
    }
  }

  async get(name: string, target: string): Promise<void> {
    checkName(name);
    const artifact = newestOf(await this.artifactsNamed(name));
    if (!artifact)
      throw new UserError(`${name} is not among the ${this.location} (or it has expired).`);
    // 'wx': the target must not exist, and a file we did not create is never removed below.
    await (await fs.open(target, 'wx', FILE_MODE)).close();
    try {
      await this.download(artifact, target);
    } catch (error) {
      await fs.rm(target, { force: true });
      throw error;
    }
  }

  async list(): Promise<StoredObject[]> {
    const newest = new Map<string, RemoteArtifact>();
    for (const artifact of await this.artifacts()) {
      const seen = newest.get(artifact.name);
      if (!seen || isNewer(artifact, seen)) newest.set(artifact.name, artifact);
    }
    return [...newest.values()].map((artifact) => ({
      name: artifact.name,
      size: artifact.size,
      modified: artifact.created,
    }));
  }

  async delete(name: string): Promise<void> {
    checkName(name);
    // A re-run uploads its own artifact of the same name: all of them are this object.
    for (const artifact of await this.artifactsNamed(name)) {
      try {
        await this.retrying(() =>
          this.octokit.rest.actions.deleteArtifact({
            owner: this.owner,
            repo: this.repo,
            artifact_id: artifact.id,
          }),
        );
      } catch (error) {
        if (statusOf(error) === 404) continue;
        throw this.restError(error, 'delete', name);
      }
    }
  }

  /** A REST call, retried on 5xx, 429, rate limits that end soon and broken connections. */
  private retrying<T>(call: () => Promise<T>): Promise<T> {
    return withRetries(call, (error) => this.advise(error), this.retry);
  }

  /** Whether a failed REST call is worth another attempt, and after how long (GitHub's rate-limit rules). */
  private advise(error: unknown): RetryAdvice {
    const status = statusOf(error);
    if (status === undefined) return { retry: isConnectionError(error) };
    const headers = headersOf(error);
    if (status === 429 || status === 403) {
      const after = retryAfterMs(headers['retry-after'], Date.now());
      if (after !== undefined) return { retry: true, afterMs: after };
      if (headers['x-ratelimit-remaining'] === '0') {
        const reset = Number(headers['x-ratelimit-reset']);
        // Past the policy's longest wait, the caller gives up and says when the limit resets.
        return Number.isFinite(reset) && reset > 0
          ? { retry: true, afterMs: Math.max(0, reset * 1000 - Date.now()) + 1000 }
          : { retry: false };
      }
      if (status === 429 || /secondary rate limit/i.test(apiMessageOf(error)))
        return { retry: true, afterMs: this.retry.rateLimitWaitMs };
      return { retry: false };
    }
    // Octokit reports a connection that failed as status 500 without a response.
    return { retry: isTransientStatus(status) };
  }

  /** Every live (unexpired) artifact of the repository, or those named `name`, all runs. */
  private async artifacts(name?: string): Promise<RemoteArtifact[]> {
    try {
      // The listing is read again whole when a page fails: pages of a changed list do not mix.
      return await this.retrying(() => this.listPages(name));
    } catch (error) {
      throw this.restError(error, 'list', name);
    }
  }

  private async listPages(name: string | undefined): Promise<RemoteArtifact[]> {
    const found: RemoteArtifact[] = [];
    {
      const pages = this.octokit.paginate.iterator(this.octokit.rest.actions.listArtifactsForRepo, {
        owner: this.owner,
        repo: this.repo,
        per_page: PAGE_SIZE,
        ...(name === undefined ? {} : { name }),
      });
      for await (const page of pages) {
        for (const artifact of page.data) {
          if (artifact.expired) continue;
          // The name filter is the service's; checked again so a looser match cannot slip through.
          if (name !== undefined && artifact.name !== name) continue;
          found.push({
            id: artifact.id,
            name: artifact.name,
            size: artifact.size_in_bytes,
            created: new Date(artifact.created_at ?? artifact.updated_at ?? 0),
            digest: artifact.digest ?? undefined,
            runId: artifact.workflow_run?.id,
          });
        }
      }
    }
    return found;
  }

  private artifactsNamed(name: string): Promise<RemoteArtifact[]> {
    return this.artifacts(name);
  }

  private async upload(name: string, file: string, dir: string): Promise<UploadArtifactResponse> {
    const { retentionDays } = this.options;
    try {
      return await new DefaultArtifactClient().uploadArtifact(name, [file], dir, {
        // One file, stored as itself: the download from the web page is the backup, not a zip.
        skipArchive: true,
        ...(retentionDays ? { retentionDays } : {}),
      });
    } catch (error) {
      throw this.uploadError(error, name);
    }
  }

  /** The client reports what it sent; a missing id or a different size or digest is a failure. */
  private async checkUploaded(
    name: string,
    uploaded: UploadArtifactResponse,
    size: number,
    sha256: string,
  ): Promise<void> {
    if (!uploaded.id) throw new JobFailure(`Uploading artifact ${name} returned no artifact id.`);
    if (uploaded.size === size && uploaded.digest === sha256) return;
    await this.octokit.rest.actions
      .deleteArtifact({ owner: this.owner, repo: this.repo, artifact_id: uploaded.id })
      .catch(() => undefined);
    throw new JobFailure(
      `Artifact ${name} was not uploaded intact (${uploaded.size ?? '?'} bytes, sha256 ` +
        `${uploaded.digest ?? '?'}; expected ${size} bytes, sha256 ${sha256}); it was removed.`,
    );
  }

  /**
   * Streams the artifact's blob into the file `target` (created empty by the
   * caller): the raw file, or the
   * file inside a one-file zip. A failed attempt (the blob store's 5xx or 429,
   * a connection that broke off mid-way) starts again from byte 0 with a
   * fresh download URL (GitHub's expire within minutes).
   */
  private async download(artifact: RemoteArtifact, target: string): Promise<void> {
    try {
      await withRetries(
        async () => {
          await fs.truncate(target, 0);
          await this.downloadOnce(artifact, target);
        },
        (error) =>
          error instanceof BlobError
            ? error.transient
              ? {
                  retry: true,
                  ...(error.retryAfter !== undefined ? { afterMs: error.retryAfter } : {}),
                }
              : { retry: false }
            : isWorded(error)
              ? { retry: false }
              : this.advise(error),
        this.retry,
      );
    } catch (error) {
      if (isWorded(error)) throw error;
      const attempts = attemptsOf(error);
      const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
      if (error instanceof BlobError) {
        throw new JobFailure(
          `Downloading ${artifact.name} from the ${this.location} failed${tries}: ${redact(error.message)}`,
        );
      }
      throw this.restError(error, 'get', artifact.name);
    }
  }

  private async downloadOnce(artifact: RemoteArtifact, target: string): Promise<void> {
    const url = await this.downloadUrl(artifact);
    // The signed URL is its own authorisation: the token must not travel to the blob store.
    let response: Response;
    try {
      response = await fetch(url);
    } catch (error) {
      throw new BlobError(connectionErrorText(error), isConnectionError(error));
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new BlobError(
        `the blob store answered ${response.status} ${response.statusText}`,
        isTransientStatus(response.status),
        retryAfterMs(response.headers.get('retry-after'), Date.now()),
      );
    }
    const hash = createHash('sha256');
    const source = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    // 'r+': into the file the caller created (never one put in its place), from byte 0.
    const output = createWriteStream(target, { flags: 'r+', mode: FILE_MODE });
    try {
      if (isZip(response, url)) await pipeline(source, hashing(hash), unzipSingleFile, output);
      else await pipeline(source, hashing(hash), output);
    } catch (error) {
      throw new BlobError(
        isConnectionError(error) ? connectionErrorText(error) : errorMessage(error),
        isConnectionError(error),
      );
    }
    const digest = `sha256:${hash.digest('hex')}`;
    if (artifact.digest && artifact.digest !== digest) {
      throw new IntegrityError(
        `${artifact.name} from the ${this.location} does not match the digest GitHub recorded at upload ` +
          `(${digest}; expected ${artifact.digest}): the download or the stored artifact is damaged.`,
      );
    }
  }

  /** The signed blob URL GitHub redirects to (raw errors: the caller retries and describes them). */
  private async downloadUrl(artifact: RemoteArtifact): Promise<string> {
    try {
      const response = await this.octokit.rest.actions.downloadArtifact({
        owner: this.owner,
        repo: this.repo,
        artifact_id: artifact.id,
        archive_format: 'zip',
        // The redirect target is a signed blob URL: fetched separately, without our token.
        request: { redirect: 'manual' },
      });
      const location = (response.headers as { location?: string }).location;
      if (!location) throw new Error(`no redirect (status ${String(response.status)})`);
      return location;
    } catch (error) {
      if (statusOf(error) === 410) {
        throw new UserError(`${artifact.name} has expired among the ${this.location}.`);
      }
      throw error;
    }
  }

  private alreadyExists(name: string, existing: RemoteArtifact[]): UserError {
    const runs = [...new Set(existing.map((artifact) => artifact.runId).filter(Boolean))];
    const where =
      this.options.runId !== undefined && runs.includes(this.options.runId)
        ? 'by this run'
        : runs.length > 0
          ? `by run ${runs.join(', ')}`
          : 'elsewhere';
    return new UserError(
      `${name} already exists among the ${this.location} (uploaded ${where}); it was left as it is.`,
    );
  }

  /** One line naming what to grant; anything unrecognised keeps its (redacted) message. */
  private restError(error: unknown, operation: RestOperation, name?: string): Error {
    if (isWorded(error)) return error;
    const status = statusOf(error);
    const detail = redact(apiMessageOf(error));
    const repository = this.options.repository;
    const permission = operation === 'delete' ? 'actions: write' : 'actions: read';
    const tries = attemptsOf(error) > 1 ? ` (${attemptsOf(error)} attempts)` : '';
    const doing =
      operation === 'delete'
        ? `delete ${name ?? 'artifacts'}`
        : operation === 'get'
          ? `download ${name ?? 'artifacts'}`
          : 'list artifacts';
    if (status === 429 || (status === 403 && isRateLimited(error, detail))) {
      return new JobFailure(
        `GitHub's API rate limit was reached trying to ${doing} in ${repository}${resetOf(error)}${tries}: ${detail}`,
      );
    }
    if (status === 401) {
      return new UserError(
        `GitHub refused the token for ${repository} (401 ${detail}): check the github-token given.`,
      );
    }
    if (status === 403) {
      return new UserError(
        `The token may not ${doing} in ${repository} (403): grant it \`${permission}\` ` +
          `(workflow \`permissions:\`, or a fine-grained token's Actions permission). ${detail}`,
      );
    }
    if (status === 404) {
      return new UserError(
        `${repository} was not found, or the token cannot see it (404): it needs \`${permission}\` on that repository.`,
      );
    }
    if (isTransientStatus(status)) {
      return new JobFailure(
        `Could not ${doing} in ${repository}, GitHub answered ${status}${tries}: ${detail}`,
      );
    }
    if (isConnectionError(error)) {
      return new JobFailure(
        `Could not ${doing} in ${repository}, the connection to GitHub failed${tries}: ${detail}`,
      );
    }
    return new Error(`Could not ${doing} in ${repository}: ${detail}`, { cause: error });
  }

  private uploadError(error: unknown, name: string): Error {
    const detail = redact(firstLine(errorMessage(error)));
    const kind = error instanceof Error ? error.name : '';
    if (/ACTIONS_RUNTIME_TOKEN|ACTIONS_RESULTS_URL/.test(detail)) {
      return new UserError(
        'Uploading an artifact needs a GitHub Actions job: the runner gives its upload credentials ' +
          '(ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL) to actions only, so run db-backup as an action ' +
          '(`uses:`), not from a `run:` step or outside GitHub Actions.',
      );
    }
    if (kind === 'GHESNotSupportedError') {
      return new UserError(
        'Artifact storage is not available on GitHub Enterprise Server: choose another target.',
      );
    }
    if (kind === 'UsageError') {
      return new UserError(
        `Uploading ${name} failed: the account's artifact storage quota is used up. Delete old artifacts ` +
          '(or lower max-backups / retention), or raise the storage limit in the billing settings.',
      );
    }
    if (/\(409\)|already exists/i.test(detail)) {
      return new UserError(
        `${name} already exists among the ${this.location} (uploaded by this run); it was left as it is.`,
      );
    }
    if (/\((401|403)\)/.test(detail)) {
      return new UserError(
        `GitHub refused the job's runtime token while uploading ${name}: ${detail}`,
      );
    }
    if (kind === 'NetworkError' || /after \d+ attempts|\((5\d\d)\)|stalled/i.test(detail)) {
      return new JobFailure(
        `Uploading artifact ${name} failed, GitHub's artifact service did not answer: ${detail}`,
      );
    }
    return new Error(`Uploading artifact ${name} failed: ${detail}`, { cause: error });
  }
}

/** Writes the body to `file`, checking its length, and returns its sha256 (hex). */
async function stage(body: UploadBody, file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(
    body.open(),
    exactLength(body.size),
    hashing(hash),
    createWriteStream(file, { flags: 'wx', mode: FILE_MODE }),
  );
  return hash.digest('hex');
}

function checkName(name: string): void {
  // The characters GitHub refuses in artifact names (and path separators).
  if (!name || /[":<>|*?\r\n\\/]/.test(name)) throw new Error(`Not a valid artifact name: ${name}`);
}

function isNewer(a: RemoteArtifact, b: RemoteArtifact): boolean {
  return (
    a.created.getTime() - b.created.getTime() > 0 ||
    (a.created.getTime() === b.created.getTime() && a.id > b.id)
  );
}

function newestOf(artifacts: RemoteArtifact[]): RemoteArtifact | undefined {
  return artifacts.reduce<RemoteArtifact | undefined>(
    (newest, artifact) => (!newest || isNewer(artifact, newest) ? artifact : newest),
    undefined,
  );
}

/** The rule @actions/artifact's own download follows: a zip content type, or a .zip blob path. */
function isZip(response: Response, url: string): boolean {
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  return ZIP_TYPES.has(type) || new URL(url).pathname.toLowerCase().endsWith('.zip');
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function headersOf(error: unknown): Record<string, string | undefined> {
  return (
    (error as { response?: { headers?: Record<string, string | undefined> } } | null)?.response
      ?.headers ?? {}
  );
}

function isRateLimited(error: unknown, detail: string): boolean {
  return headersOf(error)['x-ratelimit-remaining'] === '0' || /rate limit/i.test(detail);
}

function resetOf(error: unknown): string {
  const reset = Number(headersOf(error)['x-ratelimit-reset']);
  return Number.isFinite(reset) && reset > 0
    ? ` (it resets at ${new Date(reset * 1000).toISOString()})`
    : '';
}

function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim()) ?? '').trim();
}

/** Octokit's message is the API's plus " - <documentation URL>": the URL adds nothing here. */
function apiMessageOf(error: unknown): string {
  return firstLine(errorMessage(error)).replace(/ - https:\/\/docs\.github\.com\S*$/, '');
}
