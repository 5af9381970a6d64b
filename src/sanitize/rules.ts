import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { editDistance } from '../domain/edit-distance.js';
import { UserError } from '../domain/errors.js';
import {
  PARAMETERISED_TRANSFORMERS,
  SIMPLE_TRANSFORMERS,
  type TransformerSpec,
} from './transformers.js';

/** One table's rule: whether its rows are kept, and what happens to each named column. */
export interface TableRule {
  /** As written in the file (`public.users`, `users`, `"Odd.Schema".t`). */
  readonly name: string;
  readonly rows: 'keep' | 'truncate';
  readonly columns: ReadonlyMap<string, TransformerSpec>;
}

/** A checked rules file. Its text is hashed, never copied into a manifest. */
export interface SanitizeRules {
  /** The file's name, for messages. */
  readonly source: string;
  readonly sha256: string;
  readonly tables: readonly TableRule[];
}

/**
 * Problems found in the rules, one line each (file, table, column, what is
 * wrong): refused before anything is dumped or written.
 */
export class RulesError extends UserError {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${source} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}; nothing was backed up:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
}

/** Reads a YAML or JSON rules file (JSON is YAML too) and checks its shape. */
export async function loadRules(file: string): Promise<SanitizeRules> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UserError(
      `sanitize: cannot read the rules file ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
    );
  }
  return parseRules(bytes, path.basename(file));
}

export async function parseRules(bytes: Buffer, source: string): Promise<SanitizeRules> {
  const { parseDocument } = await import('yaml');
  const document = parseDocument(bytes.toString('utf8'), { uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new RulesError(
      source,
      document.errors.map((error) => {
        const line = error.linePos?.[0].line;
        const message = (error.message.split('\n')[0] ?? '').replace(
          / at line \d+, column \d+:?$/,
          '',
        );
        return `${source}${line ? ` line ${line}` : ''}: ${message}`;
      }),
    );
  }
  const problems: string[] = [];
  const tables = readRules(document.toJS() as unknown, source, problems);
  if (problems.length > 0) throw new RulesError(source, problems);
  return { source, sha256: createHash('sha256').update(bytes).digest('hex'), tables };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readRules(data: unknown, source: string, problems: string[]): TableRule[] {
  if (!isObject(data)) {
    problems.push(`${source}: the file must hold a mapping with a "tables" key`);
    return [];
  }
  for (const key of Object.keys(data)) {
    if (!['tables', 'version', '$schema'].includes(key))
      problems.push(
        `${source}: unknown key "${key}" (the file holds "tables", and optionally "version: 1")`,
      );
  }
  if (data.version !== undefined && data.version !== 1)
    problems.push(`${source}: version must be 1 (got ${JSON.stringify(data.version)})`);
  if (!isObject(data.tables)) {
    problems.push(`${source}: "tables" must be a mapping of table names to rules`);
    return [];
  }
  const tables: TableRule[] = [];
  for (const [name, rule] of Object.entries(data.tables)) {
    const where = `${source}: table ${name}`;
    if (name === MERGE_KEY) {
      problems.push(`${source}: ${MERGE_KEY_PROBLEM}`);
      continue;
    }
    if (!name.trim()) {
      problems.push(`${source}: a table with an empty name`);
      continue;
    }
    if (!isObject(rule)) {
      problems.push(`${where}: must be a mapping with "rows" and/or "columns"`);
      continue;
    }
    for (const key of Object.keys(rule)) {
      if (key !== 'rows' && key !== 'columns')
        problems.push(`${where}: unknown key "${key}" (use rows and columns)`);
    }
    const rows = rule.rows ?? 'keep';
    if (rows !== 'keep' && rows !== 'truncate')
      problems.push(`${where}: rows must be keep or truncate (got ${JSON.stringify(rows)})`);
    const columns = new Map<string, TransformerSpec>();
    if (rule.columns !== undefined && !isObject(rule.columns)) {
      problems.push(`${where}: columns must be a mapping of column names to transformers`);
    } else {
      for (const [column, value] of Object.entries(rule.columns ?? {})) {
        if (column === MERGE_KEY) {
          problems.push(`${where}: ${MERGE_KEY_PROBLEM}`);
          continue;
        }
        const spec = readTransformer(value, `${where}, column ${column}`, problems);
        if (spec) columns.set(column, spec);
      }
    }
    if (rows === 'truncate' && rule.columns !== undefined)
      problems.push(
        `${where}: rows: truncate keeps no rows, so its columns need no rules; remove them`,
      );
    if (rule.rows === undefined && rule.columns === undefined)
      problems.push(`${where}: says nothing; give rows: truncate or columns`);
    tables.push({ name, rows: rows === 'truncate' ? 'truncate' : 'keep', columns });
  }
  return tables;
}

/**
 * YAML 1.2 has no merge keys: `<<: *alias` is read as a column (or table)
 * named "<<", which would otherwise be reported as a puzzling unknown transformer.
 */
const MERGE_KEY = '<<';
const MERGE_KEY_PROBLEM =
  'YAML merge keys (<<) are not read; name each column (an alias of a whole columns mapping, columns: *name, works)';

const ALL_NAMES = [...SIMPLE_TRANSFORMERS, ...PARAMETERISED_TRANSFORMERS];

function readTransformer(
  value: unknown,
  where: string,
  problems: string[],
): TransformerSpec | undefined {
  // YAML reads a bare `null` as no value at all: that is the null transformer too.
  if (value === null) return { kind: 'null' };
  if (typeof value === 'string') {
    const found = SIMPLE_TRANSFORMERS.find((name) => name === value);
    if (found) return { kind: found };
    if ((PARAMETERISED_TRANSFORMERS as readonly string[]).includes(value)) {
      problems.push(
        `${where}: ${value} needs a value, as {${value}: ${EXAMPLE[value as keyof typeof EXAMPLE]}}`,
      );
      return undefined;
    }
    problems.push(`${where}: unknown transformer "${value}"${suggestion(value)}`);
    return undefined;
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    const [key] = keys;
    if (keys.length !== 1 || key === undefined) {
      problems.push(
        `${where}: a transformer with a value has exactly one key (${PARAMETERISED_TRANSFORMERS.join(', ')})`,
      );
      return undefined;
    }
    const parameter = value[key];
    switch (key) {
      case 'fixed':
        if (
          typeof parameter === 'string' ||
          typeof parameter === 'number' ||
          typeof parameter === 'boolean'
        )
          return { kind: 'fixed', value: String(parameter) };
        problems.push(
          `${where}: fixed takes a string, number or boolean${parameter === null ? ' (for NULL use the null transformer)' : ''}`,
        );
        return undefined;
      case 'date_shift': {
        const days = amount(parameter, /^(?:±|\+-|\+\/-)?\s*(\d+)\s*(?:days?|d)?$/i);
        if (days !== undefined && Number.isInteger(days) && days >= 1 && days <= 36_500)
          return { kind: 'date_shift', days };
        problems.push(
          `${where}: date_shift takes a whole number of days from 1 to 36500, as {date_shift: 30} (got ${JSON.stringify(parameter)})`,
        );
        return undefined;
      }
      case 'number_noise': {
        const percent = amount(parameter, /^(?:±|\+-|\+\/-)?\s*(\d+(?:\.\d+)?)\s*%?$/);
        if (percent !== undefined && percent > 0 && percent <= 100)
          return { kind: 'number_noise', percent };
        problems.push(
          `${where}: number_noise takes a percentage above 0 and up to 100, as {number_noise: 10} (got ${JSON.stringify(parameter)})`,
        );
        return undefined;
      }
      default:
        problems.push(`${where}: unknown transformer "${key}"${suggestion(key)}`);
        return undefined;
    }
  }
  problems.push(
    `${where}: a transformer is a name (${SIMPLE_TRANSFORMERS.join(', ')}) or {fixed: V}, {date_shift: N}, {number_noise: P}`,
  );
  return undefined;
}

const EXAMPLE = { fixed: "'value'", date_shift: 30, number_noise: 10 } as const;

function amount(value: unknown, pattern: RegExp): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const match = pattern.exec(value.trim());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function suggestion(word: string): string {
  const close = ALL_NAMES.find((name) => editDistance(name, word.toLowerCase()) <= 2);
  return close ? ` (did you mean ${close}?)` : ` (use one of ${ALL_NAMES.join(', ')})`;
}
