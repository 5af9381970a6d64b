import type { CatalogColumn } from './catalog.js';

/**
 * Whole words of a column name that say it holds personal data or a secret.
 * Matched against the name's words (`last_sign_in_ip` → last, sign, in, ip;
 * `billingAddress` → billing, address), so `zip` matches `zip` but not
 * `zipped`.
 */
const PERSONAL_WORDS = new Set([
  'email',
  'emails',
  'mail',
  'e-mail',
  'phone',
  'phones',
  'mobile',
  'cell',
  'fax',
  'telephone',
  'tel',
  'name',
  'names',
  'firstname',
  'lastname',
  'fullname',
  'surname',
  'forename',
  'middlename',
  'givenname',
  'familyname',
  'nickname',
  'username',
  'login',
  'address',
  'addr',
  'street',
  'city',
  'zip',
  'zipcode',
  'postcode',
  'postal',
  'postalcode',
  'birth',
  'birthday',
  'birthdate',
  'dob',
  'ip',
  'ipaddress',
  'ipaddr',
  'token',
  'tokens',
  'secret',
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'otp',
  'apikey',
  'iban',
  'bic',
  'card',
  'cardnumber',
  'ccnumber',
  'cvv',
  'ssn',
  'tax',
  'taxid',
  'vat',
  'salary',
  'income',
  'passport',
  'license',
  'licence',
  'nationalid',
]);

/** Longer words found inside a one-word name (`emailaddress`, `userpassword`). */
const PERSONAL_PARTS = [
  'email',
  'phone',
  'password',
  'passwd',
  'birth',
  'street',
  'address',
  'postcode',
  'zipcode',
  'salary',
  'passport',
  'secret',
];

/** Words that make a matching name not personal: counts, flags, timestamps of events. */
const NEUTRAL_WORDS = new Set([
  'count',
  'enabled',
  'verified',
  'confirmed',
  'type',
  'kind',
  'format',
  'status',
  'version',
  'length',
]);

export function nameWords(column: string): string[] {
  return column
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Whether a column's name says it likely holds personal data or a secret (a warning, never a guess at values). */
export function looksPersonal(column: CatalogColumn): boolean {
  if (column.generated) return false;
  const words = nameWords(column.name);
  if (words.some((word) => NEUTRAL_WORDS.has(word))) return false;
  if (/^bool/i.test(column.typeName)) return false;
  // A key that points at a personal row (address_id) is not itself personal.
  if (words.at(-1) === 'id' && (column.category === 'integer' || column.category === 'uuid'))
    return false;
  // An event time (password_changed_at) is not personal; a birth date is.
  if (
    column.category === 'date' &&
    !words.some((w) => ['birth', 'birthday', 'birthdate', 'dob'].includes(w))
  )
    return false;
  const joined = words.join('');
  return (
    words.some((word) => PERSONAL_WORDS.has(word)) ||
    PERSONAL_WORDS.has(joined) ||
    PERSONAL_PARTS.some((part) => joined.includes(part))
  );
}
