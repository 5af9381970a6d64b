/**
 * Local HTTP servers standing in for webhook receivers and ping services:
 * each records what it received, and answers as told (an answer, a hang that
 * never ends, a connection reset), request by request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly method: string;
  /** The path without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export type Answer =
  | { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> }
  | 'hang'
  | 'reset';

export interface Receiver {
  /** The base URL, http://127.0.0.1:PORT */
  readonly url: string;
  readonly received: Received[];
  /** Waits until `count` requests arrived (or fails after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** `answer(request, index)` decides each answer; by default 200 "ok". */
export async function startReceiver(
  answer: (request: Received, index: number) => Answer = () => ({ status: 200, body: 'ok' }),
): Promise<Receiver> {
  const received: Received[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      const request: Received = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      const reply = answer(request, received.length - 1);
      if (reply === 'hang') {
        hanging.push(res);
        return;
      }
      if (reply === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(reply.status, { 'Content-Type': 'text/plain', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    async waitFor(count, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > until)
          throw new Error(`expected ${count} requests, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Whatever JSON.parse gives: a test reads what the tool wrote. */
export type Json = ReturnType<typeof JSON.parse>;

/** The JSON body of a request. */
export function jsonOf(request: Received | undefined): Json {
  if (!request) throw new Error('no request received');
  return JSON.parse(request.body);
}
