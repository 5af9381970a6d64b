/**
 * The HTTP plumbing the stand-ins for remote services share (GitHub's two
 * artifact services, GCS's JSON API, the S3 proxy): a node:http server on a
 * port of 127.0.0.1 the OS picks, requests turned into errors or replies,
 * whole bodies read, JSON written, canned failures, and a close that does not
 * wait for idle keep-alive connections. What each service answers stays in
 * its own stand-in.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpStandinServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Drops every connection, then stops listening. */
  close(): Promise<void>;
}

/**
 * Serves `handle` on a free loopback port. When it throws or rejects,
 * `answerError` replies with the service's own error shape; once a reply has
 * begun there is no other way to fail than to cut the connection, as a
 * server that dies mid-answer does.
 */
export async function startHttpStandin(
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
  answerError: (res: http.ServerResponse, error: unknown) => void,
): Promise<HttpStandinServer> {
  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else answerError(res, error);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The whole request body (small control requests only: object bytes are streamed). */
export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', reject);
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/**
 * Replies with `body` as JSON. `headers` come last, so a service may set its
 * own spelling of `Content-Type` (GitHub's and Google's differ in case).
 */
export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Which requests a canned failure answers, and how many times (once by default). */
export interface FailureMatch {
  method?: string;
  pathIncludes?: string;
  times?: number;
}

/** Canned failures, each answering the next `times` requests it matches, first added first. */
export class InjectedFailures<Failure extends FailureMatch> {
  private readonly pending: Failure[] = [];

  add(failure: Failure): void {
    this.pending.push({ ...failure });
  }

  /** The failure that answers this request, if any; used up after its `times`. */
  take(method: string, path: string): Failure | undefined {
    const index = this.pending.findIndex(
      (f) =>
        (f.method === undefined || f.method === method) &&
        (f.pathIncludes === undefined || path.includes(f.pathIncludes)),
    );
    if (index < 0) return undefined;
    const failure = this.pending[index]!;
    failure.times = (failure.times ?? 1) - 1;
    if (failure.times <= 0) this.pending.splice(index, 1);
    return failure;
  }
}
