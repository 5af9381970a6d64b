import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { GpgHome } from './gpg.js';

/** A key as gpg made it: its secret key (still under its passphrase, if any) and fingerprint. */
interface MadeKey {
  readonly secretKey: string;
  readonly fingerprint: string;
}

/**
 * Puts the key of `userId` into `home` as if `gpg --gen-key` had made it there:
 * its secret key and ultimate ownertrust, which --gen-key gives a key it makes.
 * gpg itself makes each key once per test run (RSA 3072 takes seconds of
 * gpg-agent's time) and the test files that use it share it: the first to ask
 * generates it in a home of its own, the others wait for it and import it.
 */
export async function addGeneratedKey(
  home: GpgHome,
  userId: string,
  parameters: string,
  passphrase?: string,
): Promise<void> {
  const made = await generatedOnce(userId, parameters, passphrase);
  home.importKey(made.secretKey, passphrase);
  const trust = path.join(home.dir, `ownertrust-${made.fingerprint}`);
  fs.writeFileSync(trust, `${made.fingerprint}:6:\n`);
  home.ok(['--import-ownertrust', trust]);
}

async function generatedOnce(
  userId: string,
  parameters: string,
  passphrase: string | undefined,
): Promise<MadeKey> {
  const dir = path.join(inject('runDir'), 'gpg-keys');
  fs.mkdirSync(dir, { recursive: true });
  const done = path.join(dir, `${userId}.json`);
  let mine = false;
  try {
    fs.mkdirSync(path.join(dir, `${userId}.claimed`));
    mine = true;
  } catch {
    // Another test file makes it.
  }
  if (mine) {
    const maker = new GpgHome('make-key');
    try {
      maker.generateKeys(parameters);
      const made: MadeKey = {
        secretKey: maker.exportSecret(userId, passphrase ?? ''),
        fingerprint: maker.fingerprint(userId),
      };
      fs.writeFileSync(`${done}.tmp`, JSON.stringify(made));
      fs.renameSync(`${done}.tmp`, done);
    } finally {
      maker.stopAgent();
    }
  }
  const deadline = Date.now() + 120_000;
  while (!fs.existsSync(done)) {
    if (Date.now() > deadline) throw new Error(`no key for ${userId}: its maker never finished`);
    await sleep(100);
  }
  return JSON.parse(fs.readFileSync(done, 'utf8')) as MadeKey;
}
