import { describe, expect, test } from 'vitest';
import {
  newestWithRows,
  planRetention,
  retentionCandidates,
} from '../src/retention/plan-retention.js';

const s = (stamp: string): string => `sqlite_backup_${stamp}.db.gz`;
const p = (stamp: string): string => `postgres_backup_${stamp}.sql.gz`;

describe('planRetention', () => {
  test.each([
    {
      case: 'keeps the newest N and removes the rest',
      names: [s('20260101_000000'), s('20260102_000000'), s('20260103_000000')],
      max: 2,
      remove: [s('20260101_000000')],
    },
    {
      case: 'fewer than N: nothing removed',
      names: [s('20260101_000000'), s('20260102_000000')],
      max: 10,
      remove: [],
    },
    {
      case: 'foreign files and manifests are never candidates',
      names: [
        s('20260101_000000'),
        `${s('20260101_000000')}.json`,
        s('20260102_000000'),
        'notes.txt',
        'sqlite_backup_latest.db.gz',
        'old_sqlite_backup_20200101_000000.db.gz',
      ],
      max: 1,
      remove: [s('20260101_000000')],
    },
    {
      case: 'another engine is never touched',
      names: [
        p('20250101_000000'),
        p('20250102_000000'),
        s('20260101_000000'),
        s('20260102_000000'),
      ],
      max: 1,
      remove: [s('20260101_000000')],
    },
    {
      case: 'before-restore safety copies are never counted or removed',
      names: [
        'sqlite_before-restore_20200101_000000.db.gz',
        s('20260101_000000'),
        s('20260102_000000'),
      ],
      max: 1,
      remove: [s('20260101_000000')],
    },
    {
      case: 'same-second names are ordered by sequence',
      names: [s('20260101_000000'), s('20260101_000000_1'), s('20260101_000000_2')],
      max: 2,
      remove: [s('20260101_000000')],
    },
    {
      case: 'encrypted and plain backups share the window',
      names: [`${s('20260101_000000')}.gpg`, s('20260102_000000'), `${s('20260103_000000')}.gpg`],
      max: 2,
      remove: [`${s('20260101_000000')}.gpg`],
    },
    {
      case: 'max 0 keeps everything',
      names: [s('20260101_000000'), s('20260102_000000')],
      max: 0,
      remove: [],
    },
    {
      case: 'duplicates in the listing count once',
      names: [s('20260101_000000'), s('20260101_000000'), s('20260102_000000')],
      max: 1,
      remove: [s('20260101_000000')],
    },
  ])('$case', ({ names, max, remove }) => {
    const plan = planRetention(names, { engine: 'sqlite', maxBackups: max });
    expect(plan.remove.map((b) => b.name)).toEqual(remove);
    const newest = plan.keep[0]?.name;
    if (names.some((n) => n.startsWith('sqlite_backup_'))) expect(remove).not.toContain(newest);
  });

  test('a protected name survives even when its clock says it is old', () => {
    const plan = planRetention([s('20260101_000000'), s('20260102_000000'), s('20260103_000000')], {
      engine: 'sqlite',
      maxBackups: 1,
      protect: [s('20260101_000000')],
    });
    expect(plan.remove.map((b) => b.name)).toEqual([s('20260102_000000')]);
  });

  test('an empty listing plans nothing', () => {
    expect(planRetention([], { engine: 'postgres', maxBackups: 3 })).toEqual({
      keep: [],
      remove: [],
      reasons: new Map(),
    });
  });

  const d1 = s('20260101_000000');
  const d2 = s('20260102_000000');
  const d3 = s('20260103_000000');
  const d4 = s('20260104_000000');
  test.each<{
    case: string;
    held: Record<string, boolean>;
    max: number;
    remove: string[];
    keptForData?: string;
    keptUnread?: string[];
  }>([
    {
      case: 'two empty backups with max 2: the newest that held rows stays beyond the window',
      held: { [d4]: false, [d3]: false, [d2]: true, [d1]: true },
      max: 2,
      remove: [d1],
      keptForData: d2,
    },
    {
      case: 'the newest holds rows: the window is as always',
      held: { [d4]: true },
      max: 2,
      remove: [d2, d1],
    },
    {
      case: 'a backup inside the window holds rows: nothing more is kept',
      held: { [d4]: false, [d3]: true },
      max: 2,
      remove: [d2, d1],
    },
    {
      case: 'unknown backups (no manifest) newer than the one that held rows may hold the data: all are kept',
      held: { [d4]: false, [d1]: true },
      max: 1,
      remove: [],
      keptForData: d1,
      keptUnread: [d3, d2],
    },
    {
      case: "only unknown backups before the empty ones (the old scripts'): none is removed",
      held: { [d4]: false, [d3]: false },
      max: 2,
      remove: [],
      keptUnread: [d2, d1],
    },
    {
      case: 'no backup known to be empty (prune over backups without manifests): the plain window',
      held: {},
      max: 1,
      remove: [d3, d2, d1],
    },
    {
      case: 'unknown backups newer than the known empty one go, an older one stays',
      held: { [d2]: false },
      max: 1,
      remove: [d3, d2],
      keptUnread: [d1],
    },
    {
      case: 'an unknown backup older than the one that held rows goes as always',
      held: { [d4]: false, [d3]: true },
      max: 1,
      remove: [d2, d1],
      keptForData: d3,
    },
    {
      case: 'nothing ever held rows: the plain window',
      held: { [d4]: false, [d3]: false, [d2]: false, [d1]: false },
      max: 2,
      remove: [d2, d1],
    },
    {
      case: 'max 1 with one empty run keeps two backups',
      held: { [d4]: false, [d3]: true },
      max: 1,
      remove: [d2, d1],
      keptForData: d3,
    },
  ])('empty databases: $case', ({ held, max, remove, keptForData, keptUnread }) => {
    const plan = planRetention([d1, d2, d3, d4], {
      engine: 'sqlite',
      maxBackups: max,
      heldRows: new Map(Object.entries(held)),
    });
    expect(plan.remove.map((b) => b.name)).toEqual(remove);
    expect(plan.keptForData?.name).toBe(keptForData);
    expect(plan.keptUnread?.map((b) => b.name)).toEqual(keptUnread);
  });

  test('manifests are read newest first, and only until one held rows', async () => {
    const asked: string[] = [];
    const held: Record<string, boolean | undefined> = {
      [d4]: false,
      [d3]: undefined,
      [d2]: true,
      [d1]: true,
    };
    const known = await newestWithRows(
      retentionCandidates([d1, d2, d3, d4, 'notes.txt'], 'sqlite'),
      (b) => {
        asked.push(b.name);
        return Promise.resolve(held[b.name]);
      },
    );
    expect(asked).toEqual([d4, d3, d2]);
    expect(Object.fromEntries(known)).toEqual({ [d4]: false, [d2]: true });
  });
});
