import http from 'node:http';
import { once } from 'node:events';
import { startHttpStandin } from './http-standin.js';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly ifNoneMatch: string | undefined;
}

export interface ConditionalProxy {
  readonly endpoint: string;
  /** Every request that passed, in order. */
  readonly requests: RecordedRequest[];
  stop(): Promise<void>;
}

const PRECONDITION_FAILED =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>' +
  '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
  '<Condition>If-None-Match</Condition></Error>';

/**
 * An HTTP proxy in front of a real fauxqs that adds the one S3 behaviour
 * fauxqs lacks: conditional writes. A PutObject or CompleteMultipartUpload
 * with `If-None-Match: *` is refused with 412 PreconditionFailed, as S3 does,
 * when the key exists by then; everything else is passed through unchanged.
 * It records each request, so tests can see what the client sent.
 */
export async function startConditionalProxy(upstream: string): Promise<ConditionalProxy> {
  const target = new URL(upstream);
  const requests: RecordedRequest[] = [];

  function exists(path: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const head = http.request(
        { host: target.hostname, port: target.port, path, method: 'HEAD' },
        (response) => {
          response.resume();
          resolve(response.statusCode === 200);
        },
      );
      head.on('error', reject);
      head.end();
    });
  }

  function forward(request: http.IncomingMessage, response: http.ServerResponse): void {
    const outgoing = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: request.url,
        method: request.method,
        headers: request.headers,
      },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
      },
    );
    outgoing.on('error', () => response.destroy());
    request.pipe(outgoing);
  }

  async function handle(
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://proxy');
    const ifNoneMatch = request.headers['if-none-match'];
    requests.push({
      method: request.method ?? '',
      path: url.pathname,
      query: url.search,
      ifNoneMatch,
    });
    const isPutObject = request.method === 'PUT' && !url.searchParams.has('partNumber');
    const isComplete = request.method === 'POST' && url.searchParams.has('uploadId');
    if (ifNoneMatch === '*' && (isPutObject || isComplete) && (await exists(url.pathname))) {
      request.resume();
      await once(request, 'end');
      response.writeHead(412, { 'content-type': 'application/xml' });
      response.end(PRECONDITION_FAILED);
      return;
    }
    forward(request, response);
  }

  // A request it cannot pass on is cut off, as a broken proxy would.
  const server = await startHttpStandin(handle, (response) => response.destroy());
  return {
    endpoint: server.url,
    requests,
    stop: () => server.close(),
  };
}
