import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './tmp.js';

export interface GpgResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The real `gpg` in a throw-away GNUPGHOME, always in batch mode with the
 * passphrase taken from a file through loopback pinentry, as a script would.
 */
export class GpgHome {
  readonly dir: string;

  constructor(label: string) {
    this.dir = tempDir(`gnupg-${label}`);
    fs.chmodSync(this.dir, 0o700);
  }

  /** Runs gpg and returns what happened; see `ok` for the common case. */
  run(args: readonly string[]): GpgResult {
    const result = spawnSync(
      'gpg',
      ['--batch', '--yes', '--no-tty', '--pinentry-mode', 'loopback', ...args],
      { env: { ...process.env, GNUPGHOME: this.dir }, encoding: 'utf8', maxBuffer: 1 << 26 },
    );
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Runs gpg and fails with its stderr unless it exits 0. */
  ok(args: readonly string[]): string {
    const result = this.run(args);
    if (result.status !== 0) {
      throw new Error(`gpg ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    }
    return result.stdout;
  }

  /** A passphrase file written the way `echo secret > file` writes it. */
  passphraseFile(passphrase: string): string {
    const file = path.join(this.dir, `pass-${fs.readdirSync(this.dir).length}`);
    fs.writeFileSync(file, `${passphrase}\n`, { mode: 0o600 });
    return file;
  }

  /** Generates keys from a `gpg --gen-key` parameter text. */
  generateKeys(parameters: string): void {
    const file = path.join(this.dir, 'key-parameters');
    fs.writeFileSync(file, parameters);
    this.ok(['--gen-key', file]);
  }

  fingerprint(userId: string): string {
    const line = this.ok(['--with-colons', '--list-keys', userId])
      .split('\n')
      .find((entry) => entry.startsWith('fpr:'));
    if (!line) throw new Error(`no key for ${userId}`);
    return line.split(':')[9]!;
  }

  /** The long key id of the key's encryption subkey, as a message to it names it. */
  encryptionSubkeyId(userId: string): string {
    const line = this.ok(['--with-colons', '--list-keys', userId])
      .split('\n')
      .find((entry) => entry.startsWith('sub:') && entry.split(':')[11]?.includes('e'));
    if (!line) throw new Error(`no encryption subkey for ${userId}`);
    return line.split(':')[4]!;
  }

  exportPublic(userId: string): string {
    return this.ok(['--armor', '--export', userId]);
  }

  exportSecret(userId: string, passphrase: string): string {
    return this.ok([
      '--passphrase-file',
      this.passphraseFile(passphrase),
      '--armor',
      '--export-secret-keys',
      userId,
    ]);
  }

  importKey(armored: string, passphrase?: string): void {
    const file = path.join(this.dir, `import-${fs.readdirSync(this.dir).length}.asc`);
    fs.writeFileSync(file, armored);
    const unlock =
      passphrase === undefined ? [] : ['--passphrase-file', this.passphraseFile(passphrase)];
    this.ok([...unlock, '--import', file]);
  }

  /** Stops the gpg-agent this home started (gpg starts one on demand). */
  stopAgent(): void {
    spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: this.dir } });
  }
}
