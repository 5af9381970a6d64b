import * as openpgp from 'openpgp';
import { UserError } from '../domain/errors.js';

/**
 * The armored public halves of private keys: a restore job that holds only a
 * private key can still encrypt its safety backup to that same key.
 */
export async function publicKeysOf(armoredPrivateKeys: readonly string[]): Promise<string[]> {
  const publicKeys: string[] = [];
  for (const armoredKey of armoredPrivateKeys) {
    try {
      const key = await openpgp.readPrivateKey({ armoredKey });
      publicKeys.push(key.toPublic().armor());
    } catch {
      throw new UserError(
        'The private key is not an armored OpenPGP private key (gpg --armor --export-secret-keys KEY-ID).',
      );
    }
  }
  return publicKeys;
}
