import { pipeline } from 'node:stream';
import type { Logger } from '../domain/logger.js';
import type { DatabaseLocation } from '../domain/database-location.js';
import type {
  DatabaseInfo,
  Dump,
  DumpHooks,
  Engine,
  RestoreHooks,
  RestoreOutcome,
  RestoreSource,
} from '../engines/engine.js';
import { UserError } from '../domain/errors.js';
import { counted } from '../domain/format.js';
import type { SanitizedInfo } from '../domain/manifest.js';
import { CopySanitizer } from './copy-sanitizer.js';
import { planSanitizing, type SanitizePlan } from './plan.js';
import { checkFixedValues, readPostgresCatalog } from './postgres-catalog.js';
import { loadRules, RulesError, type SanitizeRules } from './rules.js';
import { readSqliteCatalog, sanitizeSqliteFile } from './sqlite-sanitizer.js';
import { Masker } from './transformers.js';

export interface SanitizeSettings {
  readonly rulesFile: string;
  /** The HMAC key: secret, registered for masking, never passed on. */
  readonly salt: string;
  /** Columns that look personal and have no rule fail the run instead of warning. */
  readonly strict: boolean;
}

/** Rules checked against the database, ready to make sanitized dumps. */
export interface Sanitizing {
  readonly info: SanitizedInfo;
  readonly plan: SanitizePlan;
  /** The same engine, whose dumps come out sanitized. */
  wrap(engine: Engine): Engine;
}

/**
 * Reads the rules and checks them against the database before anything is
 * dumped or written: unknown tables and columns, transformers that do not
 * fit, keys that would break (exit 2). Columns that look personal and have
 * no rule are warned about, or refused with `strict`.
 */
export async function prepareSanitizing(
  settings: SanitizeSettings,
  location: DatabaseLocation,
  log: Logger,
): Promise<Sanitizing> {
  const rules = await loadRules(settings.rulesFile);
  const catalog =
    location.engine === 'postgres'
      ? await readPostgresCatalog(location)
      : await readSqliteCatalog(location.path).catch((error: unknown) => {
          throw new UserError(
            `sanitize: cannot read ${location.path}: ${(error as Error).message}`,
          );
        });
  const plan = planSanitizing(rules, catalog);
  if (location.engine === 'postgres') {
    const problems = await checkFixedValues(location, plan, rules.source);
    if (problems.length > 0) throw new RulesError(rules.source, problems);
  }
  const personal = plan.personalColumns;
  if (personal.length > 0) {
    const list = personal.join(', ');
    if (settings.strict) {
      throw new UserError(
        `sanitize-strict: ${personal.length} column(s) look personal and no rule names them: ${list}. Give each a transformer, or keep to say it is not personal. Nothing was backed up.`,
      );
    }
    log.warn(
      `${personal.length} column(s) look personal and no rule in ${rules.source} names them (they are copied as they are): ${list}`,
    );
  }
  // Masked values are not made to pass the database's own CHECK constraints: say which could fail the restore.
  const checked = [...plan.tables.values()].flatMap((table) =>
    [...table.columns.values()].flatMap((column) =>
      column.spec.kind !== 'null' && column.column.checks
        ? [`${table.name}.${column.name} (${column.column.checks.join(', ')})`]
        : [],
    ),
  );
  if (checked.length > 0)
    log.warn(
      `${checked.length} masked column(s) are tested by CHECK constraints that masked values may fail, and then the copy does not restore: ${checked.join(', ')}. Restore the copy once (db-backup verify) to be sure, or give these columns null or a fixed value that passes.`,
    );
  log.info(
    `Sanitizing with ${rules.source} (sha256 ${rules.sha256.slice(0, 12)}…): ${counted(plan.maskedColumns.length, 'column')} masked, ${counted(plan.truncatedTables.length, 'table')} emptied`,
  );
  const info: SanitizedInfo = {
    rulesSha256: rules.sha256,
    maskedColumns: plan.maskedColumns,
    truncatedTables: plan.truncatedTables,
    unruledPersonalColumns: personal,
  };
  const masker = new Masker(settings.salt);
  return { info, plan, wrap: (engine) => new SanitizingEngine(engine, rules, plan, masker) };
}

/** An engine whose dumps are sanitized; everything else is the engine's own. */
class SanitizingEngine implements Engine {
  constructor(
    private readonly inner: Engine,
    private readonly rules: SanitizeRules,
    private readonly plan: SanitizePlan,
    private readonly masker: Masker,
  ) {}

  get kind(): Engine['kind'] {
    return this.inner.kind;
  }

  get location(): Engine['location'] {
    return this.inner.location;
  }

  get keepsOwnSafetyCopy(): boolean {
    return this.inner.keepsOwnSafetyCopy;
  }

  exists(): Promise<boolean> {
    return this.inner.exists();
  }

  holdsData(): Promise<boolean> {
    return this.inner.holdsData();
  }

  restore(source: RestoreSource, hooks?: RestoreHooks): Promise<RestoreOutcome> {
    return this.inner.restore(source, hooks);
  }

  inspect(): Promise<DatabaseInfo> {
    return this.inner.inspect();
  }

  evaluate(sql: string): Promise<unknown> {
    return this.inner.evaluate(sql);
  }

  async dump(workDir: string, hooks: DumpHooks = {}): Promise<Dump> {
    if (this.inner.kind === 'sqlite') {
      return this.inner.dump(workDir, {
        ...hooks,
        rewriteSnapshot: async (file) => {
          await hooks.rewriteSnapshot?.(file);
          await sanitizeSqliteFile(file, this.rules, this.masker);
        },
      });
    }
    const dump = await this.inner.dump(workDir, hooks);
    const rewriter = new CopySanitizer(this.plan, this.masker);
    // Either side failing fails both: a dying pg_dump or a value that cannot be masked.
    pipeline(dump.stream, rewriter, () => undefined);
    return {
      stream: rewriter,
      finish: async () => {
        const info = await dump.finish();
        // The snapshot's counts were checked against the dump; truncated tables leave with no rows.
        return {
          ...info,
          tables: info.tables.map((table) =>
            this.plan.tables.get(table.name)?.truncate ? { ...table, rows: 0 } : table,
          ),
        };
      },
      dispose: () => dump.dispose(),
    };
  }
}
