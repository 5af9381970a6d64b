import { UserError } from '../domain/errors.js';
import { redact } from '../domain/secrets.js';
import { postWithRetry } from './post.js';
import { parseSecretUrl } from './webhook-url.js';

/**
 * A healthchecks.io-style monitor (also self-hosted Healthchecks and the
 * services that copied its pinging API): `URL/start` when the job starts,
 * `URL` when it succeeds, `URL/fail` when it fails, each a POST whose body
 * the service keeps (healthchecks.io logs the first 100 kB). Every ping of a
 * run carries the same run id (`?rid=`, a lowercase UUID), so the service
 * pairs start and end even when runs overlap.
 */
export class HealthcheckPing {
  readonly label: string;
  // node:crypto is loaded here, when a ping is configured, not when this module is: --help and
  // a refused command line never load it. Not the global Web Crypto, which Node 22 can be
  // started without.
  readonly rid = process.getBuiltinModule('node:crypto').randomUUID();
  private readonly url: URL;

  constructor(text: string) {
    const { url, label } = parseSecretUrl(text, 'ping-url');
    if (/\/(start|fail|log|\d{1,3})\/?$/.test(url.pathname)) {
      throw new UserError(
        'ping-url: give the check’s own URL, without /start, /fail, /log or an exit status: they are added for each event.',
      );
    }
    this.url = url;
    this.label = label;
  }

  /** The URL of one event: the check's URL, the suffix, and the run id. */
  endpoint(suffix: '' | '/start' | '/fail'): URL {
    const url = new URL(this.url.href);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${suffix}`;
    url.searchParams.set('rid', this.rid);
    return url;
  }

  /** Signals the start; a problem comes back as one line, never thrown. */
  start(deadline: number): Promise<string | undefined> {
    return this.send('/start', undefined, deadline);
  }

  /** Signals success or failure with `log` (the last lines of the run) as the body. */
  finish(success: boolean, log: string, deadline: number): Promise<string | undefined> {
    return this.send(success ? '' : '/fail', log, deadline);
  }

  private async send(
    suffix: '' | '/start' | '/fail',
    log: string | undefined,
    deadline: number,
  ): Promise<string | undefined> {
    const outcome = await postWithRetry(
      this.endpoint(suffix),
      log === undefined ? undefined : { contentType: 'text/plain; charset=utf-8', text: log },
      deadline,
    );
    if (outcome.ok) return undefined;
    const event = suffix === '/start' ? 'start' : suffix === '/fail' ? 'failure' : 'success';
    return `the ${event} ping to ${this.label} failed: ${redact(outcome.detail)}`;
  }
}
