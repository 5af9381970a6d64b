import type { TableCount } from '../domain/manifest.js';

export type TableStatus = 'ok' | 'row count differs' | 'missing' | 'not in manifest';

export interface TableComparison {
  readonly name: string;
  readonly expected: number | undefined;
  readonly restored: number | undefined;
  readonly status: TableStatus;
}

/**
 * Every table of the manifest must come back with its row count, and no table
 * may appear that the manifest does not list. Without a manifest the restored
 * tables are reported as they are.
 */
export function compareTables(
  expected: readonly TableCount[] | undefined,
  restored: readonly TableCount[],
): TableComparison[] {
  const restoredByName = new Map(restored.map((table) => [table.name, table.rows]));
  if (!expected) {
    return restored.map((table) => ({
      name: table.name,
      expected: undefined,
      restored: table.rows,
      status: 'ok',
    }));
  }
  const expectedNames = new Set(expected.map((table) => table.name));
  const rows: TableComparison[] = expected.map((table) => {
    const count = restoredByName.get(table.name);
    const status: TableStatus =
      count === undefined ? 'missing' : count === table.rows ? 'ok' : 'row count differs';
    return { name: table.name, expected: table.rows, restored: count, status };
  });
  for (const table of restored) {
    if (!expectedNames.has(table.name)) {
      rows.push({
        name: table.name,
        expected: undefined,
        restored: table.rows,
        status: 'not in manifest',
      });
    }
  }
  return rows;
}
