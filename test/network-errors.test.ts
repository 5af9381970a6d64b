import { describe, expect, test } from 'vitest';
import type { PostgresLocation } from '../src/domain/database-location.js';
import { describeConnectError } from '../src/engines/postgres/server.js';
import { kindOf } from '../src/domain/errors.js';
import {
  connectionErrorText,
  isConnectionError,
  isTransientStatus,
  isUnreachableCode,
  networkCodeOf,
} from '../src/net/network-errors.js';
import { explainAzureError } from '../src/storage/azure.js';
import { explainS3Error } from '../src/storage/s3.js';

const coded = (code: string, message = `x ${code}`): Error =>
  Object.assign(new Error(message), { code });

describe('one table of transient network and HTTP errors, shared by every backend', () => {
  test.each([
    [undefined, false],
    [200, false],
    [304, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [412, false],
    [408, true],
    [429, true],
    [500, true],
    [501, true],
    [502, true],
    [503, true],
    [504, true],
    [599, true],
    [600, false],
  ])('HTTP %s is transient: %s', (status, transient) => {
    expect(isTransientStatus(status)).toBe(transient);
  });

  test.each([
    // code, a network code, could not connect at all, worth another try
    ['ECONNREFUSED', true, true, true],
    ['ENOTFOUND', true, true, false],
    ['EAI_AGAIN', true, true, true],
    ['EHOSTUNREACH', true, true, true],
    ['ENETUNREACH', true, true, true],
    ['ETIMEDOUT', true, true, true],
    ['UND_ERR_CONNECT_TIMEOUT', true, true, true],
    ['ECONNRESET', true, false, true],
    ['EPIPE', true, false, true],
    ['UND_ERR_SOCKET', true, false, true],
    ['UND_ERR_HEADERS_TIMEOUT', true, false, true],
    ['UND_ERR_BODY_TIMEOUT', true, false, true],
    ['UND_ERR_CLOSED', true, false, true],
    ['ENOENT', false, false, false],
    ['EACCES', false, false, false],
    ['ERR_INVALID_ARG_TYPE', false, false, false],
    ['NoSuchKey', false, false, false],
    ['28P01', false, false, false],
  ])('%s: network %s, unreachable %s, retried %s', (code, network, unreachable, retried) => {
    const error = coded(code);
    expect(networkCodeOf(error)).toBe(network ? code : undefined);
    if (network) expect(isUnreachableCode(code)).toBe(unreachable);
    expect(isConnectionError(error)).toBe(retried);
  });

  test.each([
    [
      'fetch: TypeError with the socket error as its cause',
      new TypeError('fetch failed', { cause: coded('ECONNRESET') }),
      'ECONNRESET',
    ],
    [
      'undici: cause of a cause',
      new TypeError('fetch failed', {
        cause: new Error('connect', { cause: coded('UND_ERR_SOCKET') }),
      }),
      'UND_ERR_SOCKET',
    ],
    [
      'AWS SDK: AggregateError of the addresses tried',
      new AggregateError([new Error('first'), coded('ETIMEDOUT')]),
      'ETIMEDOUT',
    ],
    [
      'a number where a code would be (GCS puts the status there)',
      Object.assign(new Error('x'), { code: 503 }),
      undefined,
    ],
    ['not an error at all', 'ECONNRESET', undefined],
    ['nothing', undefined, undefined],
  ])('the code is found through wrappers: %s', (_, error, code) => {
    expect(networkCodeOf(error)).toBe(code);
  });

  test('a cycle of causes, or one too deep, ends the search instead of hanging', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(networkCodeOf(a)).toBeUndefined();
    let deep: Error = coded('ECONNRESET');
    for (let i = 0; i < 10; i += 1) deep = new Error(`wrap ${i}`, { cause: deep });
    expect(networkCodeOf(deep)).toBeUndefined();
  });

  test.each([
    ['socket hang up', true],
    ['other side closed', true],
    ['terminated', true],
    ['Not Found', false],
    ['getaddrinfo ENOTFOUND example.invalid', false],
  ])('a broken connection said in words only (%s) is retried: %s', (message, retried) => {
    expect(isConnectionError(new TypeError('fetch failed', { cause: new Error(message) }))).toBe(
      retried,
    );
  });

  test('the text of a connection error names its code and message once, without a stack', () => {
    const error = new TypeError('fetch failed', {
      cause: coded('ECONNRESET', 'read ECONNRESET'),
    });
    expect(connectionErrorText(error)).toBe('fetch failed: ECONNRESET read ECONNRESET');
  });
});

describe('every backend says the same network trouble the same way, with the same kind', () => {
  const s3 = {
    location: 's3://b/p',
    bucket: 'b',
    endpoint: 'https://s3.example',
    action: 'listing',
  };
  const azure = {
    location: 'https://acct.blob.core.windows.net/c/p',
    container: 'c',
    endpoint: 'https://acct.blob.core.windows.net',
    action: 'listing',
  };
  const postgres: PostgresLocation = {
    engine: 'postgres',
    host: 'db.example',
    port: 5432,
    user: 'app',
    password: '',
    database: 'app',
    params: {},
  };
  const s3Status = (status: number, name: string): Error =>
    Object.assign(new Error(`status ${status}`), { name, $metadata: { httpStatusCode: status } });
  const azureStatus = (status: number, code: string): Error =>
    Object.assign(new Error(`status ${status}`), { name: 'RestError', code, statusCode: status });

  test.each([
    [503, 'SlowDown', 'failed'],
    [500, 'InternalError', 'failed'],
    [429, 'TooManyRequests', 'failed'],
    [408, 'RequestTimeout', 'failed'],
    [400, 'InvalidRequest', 'refused'],
    [405, 'MethodNotAllowed', 'refused'],
  ])("S3 answering %d %s after the SDK's retries: %s", (status, name, kind) => {
    expect(kindOf(explainS3Error(s3Status(status, name), s3))).toBe(kind);
  });

  test.each([
    [503, 'ServerBusy', 'failed'],
    [500, 'InternalError', 'failed'],
    [429, 'TooManyRequests', 'failed'],
    [408, 'OperationTimedOut', 'failed'],
    [400, 'InvalidHeaderValue', 'refused'],
    [409, 'BlobAlreadyExists', 'refused'],
  ])("Azure answering %d %s after the SDK's retries: %s", (status, code, kind) => {
    expect(kindOf(explainAzureError(azureStatus(status, code), azure))).toBe(kind);
  });

  test.each(['ECONNREFUSED', 'ECONNRESET', 'EAI_AGAIN', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE'])(
    '%s is a failed job, said as "cannot reach", by S3, Azure and PostgreSQL alike',
    (code) => {
      const explained = [
        explainS3Error(coded(code), s3),
        explainAzureError(coded(code), azure),
        describeConnectError(coded(code), postgres, 'app'),
      ];
      for (const error of explained) {
        expect(kindOf(error)).toBe('failed');
        expect((error as Error).message).toMatch(/^Cannot reach /);
      }
    },
  );
});
