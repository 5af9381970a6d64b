/**
 * The cluster's roles, as `pg_dumpall --roles-only --no-role-passwords`
 * writes them, turned into SQL that goes at the head of a plain dump and
 * that, run on any server (inside the restore's transaction, or by hand with
 * `gunzip -c | psql`):
 *
 * - creates each role that does not exist there, with its attributes, its
 *   comment, security label and settings (`ALTER ROLE … SET`), and its
 *   memberships and privileges on configuration parameters;
 * - leaves a role that exists exactly as it is: no attribute, setting,
 *   membership, comment or password of an existing role is touched, and no
 *   existing role gains a membership;
 * - never holds a password, and never names the source's bootstrap superuser.
 *
 * Memberships are granted without pg_dumpall's `GRANTED BY` (the restoring
 * user grants them). Everything is one `DO` block: one statement, all or
 * nothing, no state kept between statements.
 */

export interface RolesBlock {
  /** SQL for the head of the dump (UTF-8). */
  readonly sql: string;
  /** The roles it creates where they are missing. */
  readonly names: readonly string[];
  /** pg_dumpall statements it leaves out, for the log. */
  readonly skipped: readonly string[];
}

/** Where the block starts and ends in a dump, for people and for restore-time filters. */
export const ROLES_BLOCK_START =
  '-- db-backup: cluster roles (pg_dumpall --roles-only --no-role-passwords)';
export const ROLES_BLOCK_END = '-- db-backup: end of cluster roles';

const CLOSING = /^--\s*\n--\s*PostgreSQL database cluster dump complete\s*\n--\s*$/m;

/** Statements of pg_dumpall's output: quote-aware, without comments and psql meta-commands. */
export function splitDumpallStatements(text: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  let lineStart = true;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      for (;;) {
        const close = text.indexOf(ch, j);
        if (close === -1) {
          j = text.length;
          break;
        }
        if (text[close + 1] === ch) {
          j = close + 2;
          continue;
        }
        j = close + 1;
        break;
      }
      current += text.slice(i, j);
      i = j;
      lineStart = false;
      continue;
    }
    if (ch === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
      continue;
    }
    if (ch === '\\' && lineStart && current.trim() === '') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
      continue;
    }
    if (ch === ';') {
      if (current.trim()) statements.push(current.trim());
      current = '';
      i += 1;
      continue;
    }
    current += ch;
    lineStart = ch === '\n';
    i += 1;
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}

/** One identifier at the start of `text` (after blanks): `"…"` or a plain name. */
function identifierAt(text: string): { name: string; rest: string } | undefined {
  const trimmed = text.replace(/^\s+/, '');
  if (trimmed.startsWith('"')) {
    let j = 1;
    let name = '';
    for (;;) {
      const close = trimmed.indexOf('"', j);
      if (close === -1) return undefined;
      name += trimmed.slice(j, close);
      if (trimmed[close + 1] === '"') {
        name += '"';
        j = close + 2;
        continue;
      }
      return { name, rest: trimmed.slice(close + 1) };
    }
  }
  const plain = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(trimmed);
  return plain ? { name: plain[0], rest: trimmed.slice(plain[0].length) } : undefined;
}

function afterPrefix(
  statement: string,
  prefix: RegExp,
): { name: string; rest: string } | undefined {
  const match = prefix.exec(statement);
  return match ? identifierAt(statement.slice(match[0].length)) : undefined;
}

/** The `TO role` of a GRANT on a parameter (pg_dumpall writes one grantee per statement). */
function granteeOf(statement: string): string | undefined {
  let rest = statement;
  for (;;) {
    const at = /\sTO\s/i.exec(rest);
    if (!at) return undefined;
    const before = rest.slice(0, at.index);
    // A TO inside a quoted name is not the keyword: count quotes before it.
    if ((before.match(/"/g)?.length ?? 0) % 2 === 0)
      return identifierAt(rest.slice(at.index + at[0].length))?.name;
    rest = rest.slice(at.index + at[0].length);
  }
}

/** A dollar-quote tag that does not occur in any of the texts. */
function freeTag(base: string, texts: readonly string[]): string {
  for (let n = 0; ; n += 1) {
    const tag = `$${base}${n === 0 ? '' : n}$`;
    if (!texts.some((text) => text.includes(tag))) return tag;
  }
}

interface RoleParts {
  name: string;
  /** CREATE, ALTER … WITH, COMMENT, SECURITY LABEL: run when the role is created. */
  definition: string[];
}

/**
 * Turns pg_dumpall's output into the roles block. `bootstrap` is the source's
 * bootstrap superuser (the role with OID 10), which is never carried over.
 * Throws when the output does not end with pg_dumpall's closing comment.
 */
export function rolesBlock(dumpall: string, bootstrap: string, tool: string): RolesBlock {
  if (!CLOSING.test(dumpall)) {
    throw new Error(
      'pg_dumpall --roles-only did not end with its closing comment ("-- PostgreSQL database cluster dump complete"): its output was cut short',
    );
  }
  const roles = new Map<string, RoleParts>();
  const later: { role: string; sql: string }[] = [];
  const skipped: string[] = [];
  for (const statement of splitDumpallStatements(dumpall)) {
    const created = afterPrefix(statement, /^CREATE\s+ROLE\s/i);
    if (created && created.rest.trim() === '') {
      if (created.name !== bootstrap)
        roles.set(created.name, { name: created.name, definition: [statement] });
      continue;
    }
    const altered = afterPrefix(statement, /^ALTER\s+ROLE\s/i);
    if (altered) {
      const role = roles.get(altered.name);
      if (altered.name === bootstrap) continue;
      if (/^\s*WITH\s/i.test(altered.rest) && role) {
        // --no-role-passwords: there is none; a PASSWORD clause would be refused rather than carried.
        if (/\bPASSWORD\b/i.test(altered.rest.replace(/'(?:[^']|'')*'/g, "''"))) {
          throw new Error(
            `pg_dumpall wrote a role password despite --no-role-passwords (role ${altered.name})`,
          );
        }
        role.definition.push(statement);
      } else if (/^\s*(SET|RESET|IN\s+DATABASE)\s/i.test(altered.rest)) {
        later.push({ role: altered.name, sql: statement });
      } else skipped.push(statement);
      continue;
    }
    const comment = afterPrefix(statement, /^COMMENT\s+ON\s+ROLE\s/i);
    if (comment) {
      roles.get(comment.name)?.definition.push(statement);
      continue;
    }
    const label = /^SECURITY\s+LABEL\s+FOR\s+(?:"(?:[^"]|"")*"|\S+)\s+ON\s+ROLE\s/i.exec(statement);
    if (label) {
      const name = identifierAt(statement.slice(label[0].length))?.name;
      if (name !== undefined) roles.get(name)?.definition.push(statement);
      continue;
    }
    const membership =
      /^GRANT\s/i.test(statement) && !/\sON\s/i.test(statement.replace(/"(?:[^"]|"")*"/g, '""'));
    if (membership) {
      const member = granteeOf(statement);
      const granted = identifierAt(statement.replace(/^GRANT\s/i, ''))?.name;
      if (member === undefined || granted === undefined) {
        skipped.push(statement);
        continue;
      }
      // The bootstrap superuser is never carried over: nor is membership in it.
      if (granted === bootstrap) continue;
      const withoutGrantor = statement.replace(
        /\s+GRANTED\s+BY\s+(?:"(?:[^"]|"")*"|[^\s;]+)\s*$/i,
        '',
      );
      later.push({ role: member, sql: withoutGrantor });
      continue;
    }
    if (/^GRANT\s[\s\S]*\sON\s+PARAMETER\s/i.test(statement)) {
      const grantee = granteeOf(statement);
      if (grantee !== undefined) later.push({ role: grantee, sql: statement });
      else skipped.push(statement);
      continue;
    }
    if (/^SET\s/i.test(statement)) continue;
    skipped.push(statement);
  }
  const texts = [
    ...[...roles.values()].flatMap((r) => [r.name, ...r.definition]),
    ...later.map((l) => l.sql),
  ];
  const outer = freeTag('db_backup_roles', texts);
  const literal = (text: string): string => {
    const tag = freeTag('q', [text, outer]);
    return `${tag}${text}${tag}`;
  };
  const lines = [
    '--',
    ROLES_BLOCK_START,
    `-- Listed by ${tool}. A role that does not exist is created; a role that exists is left as it is.`,
    '--',
    '',
    "SET client_encoding = 'UTF8';",
    'SET standard_conforming_strings = on;',
    '',
    `DO ${outer}`,
    'DECLARE',
    "  created pg_catalog.text[] := '{}';",
    'BEGIN',
  ];
  for (const role of roles.values()) {
    lines.push(
      `  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${literal(role.name)}) THEN`,
    );
    for (const sql of role.definition) lines.push(`    EXECUTE ${literal(sql)};`);
    lines.push(`    created := created || ${literal(role.name)}::pg_catalog.text;`, '  END IF;');
  }
  for (const { role, sql } of later) {
    if (role === bootstrap) continue;
    lines.push(`  IF ${literal(role)} = ANY (created) THEN EXECUTE ${literal(sql)}; END IF;`);
  }
  lines.push('END', `${outer};`, '', '--', ROLES_BLOCK_END, '--', '', '');
  return { sql: lines.join('\n'), names: [...roles.keys()], skipped };
}
