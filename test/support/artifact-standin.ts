/**
 * A stand-in for the two GitHub services behind artifacts, as one node:http
 * server, with the bytes in a real Azure blob store (Azurite):
 *
 * (a) the Actions results service the runner's @actions/artifact client talks
 *     Twirp to (ACTIONS_RESULTS_URL, authorised by ACTIONS_RUNTIME_TOKEN):
 *       POST /twirp/github.actions.results.api.v1.ArtifactService/CreateArtifact
 *            → a SAS URL into Azurite, where the client uploads the blob itself
 *       POST …/FinalizeArtifact (size, sha256) → the artifact id
 * (b) the REST API (GITHUB_API_URL, authorised by a token with actions: read/write):
 *       GET    /repos/{owner}/{repo}/actions/artifacts?per_page&page&name   (Link paging)
 *       GET    /repos/{owner}/{repo}/actions/artifacts/{id}/zip → 302 to a SAS URL (410 when expired)
 *       DELETE /repos/{owner}/{repo}/actions/artifacts/{id}
 *
 * Artifacts outlive runs: a later run lists and fetches what an earlier one uploaded.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type http from 'node:http';
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { InjectedFailures, readBody, sendJson, startHttpStandin } from './http-standin.js';

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/';
const CONTAINER = 'actions-results';

export interface StandinArtifact {
  readonly id: number;
  readonly repository: string;
  readonly name: string;
  readonly runId: number;
  readonly blobName: string;
  size: number;
  digest: string | undefined;
  created: Date;
  expires: Date;
  expired: boolean;
  finalized: boolean;
}

export interface StandinRun {
  readonly runId: number;
  readonly repository: string;
  /** What the runner gives a JavaScript action: set these in process.env to be "inside" the job. */
  readonly env: Record<string, string>;
}

export interface TokenGrant {
  read: boolean;
  write: boolean;
}

export interface InjectedFailure {
  method?: string;
  pathIncludes?: string;
  /** The answer's status (500 when not given). */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  times?: number;
  /** Close the connection without an answer, as a reset does. */
  reset?: boolean;
  /** Blob downloads (with proxyBlobs): send this many bytes of the blob, then break the connection. */
  cutAfterBytes?: number;
}

export interface ArtifactStandin {
  /** ACTIONS_RESULTS_URL and GITHUB_API_URL alike. */
  readonly url: string;
  /** `METHOD /path?query` of every request. */
  readonly requests: string[];
  /** Most artifacts one REST page holds (the real API: 100). */
  pageSize: number;
  /**
   * Downloads redirect to the stand-in's own /blobs/{id}, which streams the
   * blob from Azurite, so that failures of the blob store can be injected too.
   */
  proxyBlobs: boolean;
  /** A new workflow run (or re-run) of `repository`, with its own runtime token. */
  startRun(repository: string): StandinRun;
  /** Lets `token` use the REST API of every repository with these permissions. */
  grant(token: string, grant: TokenGrant): void;
  artifacts(repository: string): StandinArtifact[];
  /** An artifact made behind the client's back (another workflow's, say), unzipped. */
  addArtifact(repository: string, name: string, data: Buffer): Promise<StandinArtifact>;
  expire(id: number): void;
  /** Flips a byte of the newest artifact named `name`, keeping its recorded size and digest. */
  corrupt(repository: string, name: string): Promise<void>;
  fail(failure: InjectedFailure): void;
  close(): Promise<void>;
}

interface RunRecord {
  readonly runId: number;
  readonly repository: string;
  readonly runBackendId: string;
  readonly jobBackendId: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(JSON.stringify(body));
  }
}

export async function startArtifactStandin(blob: {
  connectionString: string;
}): Promise<ArtifactStandin> {
  const container = BlobServiceClient.fromConnectionString(
    blob.connectionString,
  ).getContainerClient(CONTAINER);
  await container.createIfNotExists();
  const credential = sharedKeyOf(blob.connectionString);

  const artifacts: StandinArtifact[] = [];
  const runs = new Map<string, RunRecord>();
  const grants = new Map<string, TokenGrant>();
  const failures = new InjectedFailures<InjectedFailure>();
  const requests: string[] = [];
  let nextArtifactId = 1000;
  let nextRunId = 500;

  function signedUrl(blobName: string, permissions: string, contentType?: string): string {
    const sas = generateBlobSASQueryParameters(
      {
        containerName: CONTAINER,
        blobName,
        permissions: BlobSASPermissions.parse(permissions),
        startsOn: new Date(Date.now() - 60_000),
        expiresOn: new Date(Date.now() + 3600_000),
        protocol: SASProtocol.HttpsAndHttp,
        ...(contentType ? { contentType } : {}),
      },
      credential,
    );
    return `${container.getBlockBlobClient(blobName).url}?${sas.toString()}`;
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const method = req.method ?? 'GET';
    requests.push(`${method} ${url.pathname}${url.search}`);
    const body = (await readBody(req)).toString();
    const failure = failures.take(method, url.pathname);
    if (failure?.reset) {
      req.socket.destroy();
      return;
    }
    if (failure && failure.cutAfterBytes === undefined)
      return sendJson(res, failure.status ?? 500, failure.body ?? {}, failure.headers);
    const blob = /^\/blobs\/(\d+)$/.exec(url.pathname);
    if (method === 'GET' && blob) return serveBlob(res, Number(blob[1]), failure?.cutAfterBytes);
    if (method === 'POST' && url.pathname.startsWith(SERVICE)) {
      return twirp(req, res, url.pathname.slice(SERVICE.length), body);
    }
    const match = /^\/repos\/([^/]+)\/([^/]+)\/actions\/artifacts(?:\/(\d+)(\/zip)?)?$/.exec(
      url.pathname,
    );
    if (match) {
      const [, owner, repo, id, zip] = match;
      const repository = `${owner}/${repo}`;
      const grant = authorise(req);
      if (method === 'GET' && id === undefined) return listArtifacts(res, grant, repository, url);
      if (method === 'GET' && zip) return redirectToBlob(res, grant, repository, Number(id));
      if (method === 'DELETE' && id !== undefined && !zip) {
        return deleteArtifact(res, grant, repository, Number(id));
      }
    }
    throw new HttpError(404, {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
    });
  }

  // ---- (a) the results service -------------------------------------------------------------

  async function twirp(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: string,
    text: string,
  ): Promise<void> {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const run = token ? runs.get(token) : undefined;
    if (!run) throw new HttpError(401, { code: 'unauthenticated', msg: 'invalid runtime token' });
    const request = JSON.parse(text || '{}') as Record<string, unknown>;
    if (
      request.workflow_run_backend_id !== run.runBackendId ||
      request.workflow_job_run_backend_id !== run.jobBackendId
    ) {
      throw new HttpError(403, {
        code: 'permission_denied',
        msg: 'backend ids do not match the token',
      });
    }
    if (method === 'CreateArtifact') return sendJson(res, 200, createArtifact(run, request));
    if (method === 'FinalizeArtifact')
      return sendJson(res, 200, await finalizeArtifact(run, request));
    throw new HttpError(404, { code: 'bad_route', msg: `no handler for ${method}` });
  }

  function createArtifact(run: RunRecord, request: Record<string, unknown>): unknown {
    const name = typeof request.name === 'string' ? request.name : '';
    if (!name) throw new HttpError(400, { code: 'invalid_argument', msg: 'name is required' });
    if (request.version !== 7)
      throw new HttpError(400, { code: 'invalid_argument', msg: 'version 7 expected' });
    if (artifacts.some((a) => a.runId === run.runId && a.name === name)) {
      throw new HttpError(409, {
        code: 'already_exists',
        msg: 'an artifact with this name already exists on the workflow run',
      });
    }
    const mimeType = typeof request.mime_type === 'string' ? request.mime_type : '';
    const id = (nextArtifactId += 1);
    const blobName = `${run.runBackendId}/${id}/${name}${mimeType === 'application/zip' ? '.zip' : ''}`;
    const expires =
      typeof request.expires_at === 'string'
        ? new Date(request.expires_at)
        : new Date(Date.now() + 90 * 86_400_000);
    artifacts.push({
      id,
      repository: run.repository,
      name,
      runId: run.runId,
      blobName,
      size: 0,
      digest: undefined,
      created: new Date(),
      expires,
      expired: false,
      finalized: false,
    });
    return { ok: true, signed_upload_url: signedUrl(blobName, 'cw') };
  }

  async function finalizeArtifact(
    run: RunRecord,
    request: Record<string, unknown>,
  ): Promise<unknown> {
    const artifact = artifacts.find(
      (a) => a.runId === run.runId && a.name === request.name && !a.finalized,
    );
    if (!artifact) throw new HttpError(404, { code: 'not_found', msg: 'no artifact to finalize' });
    const size = Number(request.size ?? 0);
    const stored = await container
      .getBlockBlobClient(artifact.blobName)
      .getProperties()
      .catch(() => undefined);
    if (!stored || stored.contentLength !== size) {
      throw new HttpError(400, {
        code: 'invalid_argument',
        msg: `uploaded blob holds ${stored?.contentLength ?? 'nothing'}, finalize says ${size}`,
      });
    }
    artifact.size = size;
    artifact.digest = typeof request.hash === 'string' ? request.hash : undefined;
    artifact.created = new Date();
    artifact.finalized = true;
    return { ok: true, artifact_id: String(artifact.id) };
  }

  // ---- (b) the REST API ----------------------------------------------------------------------

  function authorise(req: http.IncomingMessage): TokenGrant {
    const token = /^(?:token|Bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const grant = token ? grants.get(token) : undefined;
    if (!grant) {
      throw new HttpError(401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    }
    return grant;
  }

  function requirePermission(allowed: boolean, documentation: string): void {
    if (!allowed) {
      throw new HttpError(403, {
        message: 'Resource not accessible by integration',
        documentation_url: `https://docs.github.com/rest/actions/artifacts#${documentation}`,
        status: '403',
      });
    }
  }

  /** Finalized artifacts of a repository, newest first, as the API orders them. */
  function live(repository: string): StandinArtifact[] {
    return artifacts
      .filter((a) => a.repository === repository && a.finalized)
      .sort((a, b) => b.created.getTime() - a.created.getTime() || b.id - a.id);
  }

  function listArtifacts(
    res: http.ServerResponse,
    grant: TokenGrant,
    repository: string,
    url: URL,
  ): void {
    requirePermission(grant.read, 'list-artifacts-for-a-repository');
    const name = url.searchParams.get('name');
    const all = live(repository).filter((a) => name === null || a.name === name);
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100, standin.pageSize);
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
    const lastPage = Math.max(1, Math.ceil(all.length / perPage));
    const headers: Record<string, string> = {};
    if (page < lastPage) {
      const link = (n: number) => {
        const next = new URL(url.toString());
        next.searchParams.set('page', String(n));
        return `<${standin.url}${next.pathname}${next.search}>`;
      };
      headers.Link = `${link(page + 1)}; rel="next", ${link(lastPage)}; rel="last"`;
    }
    sendJson(
      res,
      200,
      {
        total_count: all.length,
        artifacts: all.slice((page - 1) * perPage, page * perPage).map(restArtifactOf),
      },
      headers,
    );
  }

  function restArtifactOf(artifact: StandinArtifact): unknown {
    const api = `${standin.url}/repos/${artifact.repository}/actions/artifacts/${artifact.id}`;
    // The API reports whole seconds: artifacts of one second differ by id only.
    const seconds = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;
    return {
      id: artifact.id,
      node_id: Buffer.from(`Artifact${artifact.id}`).toString('base64'),
      name: artifact.name,
      size_in_bytes: artifact.size,
      url: api,
      archive_download_url: `${api}/zip`,
      expired: artifact.expired,
      digest: artifact.digest ?? null,
      created_at: seconds(artifact.created),
      updated_at: seconds(artifact.created),
      expires_at: seconds(artifact.expires),
      workflow_run: {
        id: artifact.runId,
        repository_id: 1,
        head_repository_id: 1,
        head_branch: 'main',
        head_sha: '0'.repeat(40),
      },
    };
  }

  function artifactIn(repository: string, id: number): StandinArtifact {
    const artifact = live(repository).find((a) => a.id === id);
    if (!artifact) throw new HttpError(404, { message: 'Not Found', status: '404' });
    return artifact;
  }

  function redirectToBlob(
    res: http.ServerResponse,
    grant: TokenGrant,
    repository: string,
    id: number,
  ): void {
    requirePermission(grant.read, 'download-an-artifact');
    const artifact = artifactIn(repository, id);
    if (artifact.expired)
      throw new HttpError(410, { message: 'Artifact has expired', status: '410' });
    const location = standin.proxyBlobs
      ? `${standin.url}/blobs/${artifact.id}`
      : signedUrl(artifact.blobName, 'r');
    res.writeHead(302, { Location: location, 'Content-Length': '0' });
    res.end();
  }

  /** The blob store behind the proxy: the bytes from Azurite, or the first `cut` of them and a broken connection. */
  async function serveBlob(
    res: http.ServerResponse,
    id: number,
    cut: number | undefined,
  ): Promise<void> {
    const artifact = artifacts.find((a) => a.id === id);
    if (!artifact) throw new HttpError(404, { message: 'BlobNotFound' });
    const client = container.getBlockBlobClient(artifact.blobName);
    const properties = await client.getProperties();
    const bytes = await client.downloadToBuffer();
    res.writeHead(200, {
      'Content-Type': properties.contentType ?? 'application/octet-stream',
      'Content-Length': String(bytes.length),
    });
    if (cut === undefined) {
      res.end(bytes);
      return;
    }
    res.write(bytes.subarray(0, cut), () => res.socket?.destroy());
  }

  async function deleteArtifact(
    res: http.ServerResponse,
    grant: TokenGrant,
    repository: string,
    id: number,
  ): Promise<void> {
    requirePermission(grant.write, 'delete-an-artifact');
    const artifact = artifactIn(repository, id);
    artifacts.splice(artifacts.indexOf(artifact), 1);
    await container.getBlockBlobClient(artifact.blobName).deleteIfExists();
    res.writeHead(204);
    res.end();
  }

  const server = await startHttpStandin(route, (res, error) => {
    if (error instanceof HttpError) sendJson(res, error.status, error.body);
    else sendJson(res, 500, { message: error instanceof Error ? error.message : String(error) });
  });

  const standin: ArtifactStandin = {
    url: server.url,
    requests,
    pageSize: 100,
    proxyBlobs: false,
    startRun(repository) {
      const run: RunRecord = {
        runId: (nextRunId += 1),
        repository,
        runBackendId: randomUUID(),
        jobBackendId: randomUUID(),
      };
      const token = runtimeTokenFor(run);
      runs.set(token, run);
      return {
        runId: run.runId,
        repository,
        env: {
          ACTIONS_RUNTIME_TOKEN: token,
          ACTIONS_RESULTS_URL: `${standin.url}/`,
          GITHUB_API_URL: standin.url,
          // Not GHES: the client refuses to upload to anything but github.com / *.ghe.com.
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_REPOSITORY: repository,
          GITHUB_RUN_ID: String(run.runId),
          GITHUB_RETENTION_DAYS: '90',
        },
      };
    },
    grant(token, grant) {
      grants.set(token, grant);
    },
    artifacts: (repository) => live(repository),
    async addArtifact(repository, name, data) {
      const id = (nextArtifactId += 1);
      const blobName = `foreign/${id}/${name}`;
      await container.getBlockBlobClient(blobName).uploadData(data, {
        blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
      });
      const artifact: StandinArtifact = {
        id,
        repository,
        name,
        runId: 1,
        blobName,
        size: data.length,
        digest: undefined,
        created: new Date(),
        expires: new Date(Date.now() + 90 * 86_400_000),
        expired: false,
        finalized: true,
      };
      artifacts.push(artifact);
      return artifact;
    },
    expire(id) {
      const artifact = artifacts.find((a) => a.id === id);
      if (artifact) artifact.expired = true;
    },
    async corrupt(repository, name) {
      const artifact = live(repository).find((a) => a.name === name);
      if (!artifact) throw new Error(`no artifact ${name} in ${repository}`);
      const client = container.getBlockBlobClient(artifact.blobName);
      const properties = await client.getProperties();
      const bytes = await client.downloadToBuffer();
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at]! ^ 0xff;
      await client.uploadData(bytes, {
        blobHTTPHeaders: { blobContentType: properties.contentType ?? 'application/octet-stream' },
      });
    },
    fail(failure) {
      failures.add(failure);
    },
    close: () => server.close(),
  };
  return standin;
}

/**
 * A JWT of the shape the runner hands out: @actions/artifact only decodes it
 * (no signature check on the client) and reads the backend ids from `scp`.
 */
function runtimeTokenFor(run: RunRecord): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return [
    part({ typ: 'JWT', alg: 'RS256' }),
    part({
      scp: `Actions.ExampleScope Actions.Results:${run.runBackendId}:${run.jobBackendId}`,
      iss: 'artifact-standin',
      nbf: now - 60,
      exp: now + 3600,
    }),
    randomBytes(32).toString('base64url'),
  ].join('.');
}

function sharedKeyOf(connectionString: string): StorageSharedKeyCredential {
  const fields = new Map(
    connectionString
      .split(';')
      .filter(Boolean)
      .map((pair) => {
        const at = pair.indexOf('=');
        return [pair.slice(0, at), pair.slice(at + 1)] as const;
      }),
  );
  const account = fields.get('AccountName');
  const key = fields.get('AccountKey');
  if (!account || !key) throw new Error('The connection string has no AccountName/AccountKey.');
  return new StorageSharedKeyCredential(account, key);
}
