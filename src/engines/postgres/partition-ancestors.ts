/**
 * `up(child, ancestor)`: every partition with each partitioned table above it,
 * to the top of its tree, for the start of a `WITH RECURSIVE` query. The root
 * of a partition is its ancestor that is not a partition itself.
 */
export const PARTITION_ANCESTORS = `
    up(child, ancestor) AS (
      SELECT c.oid, i.inhparent FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_inherits i ON i.inhrelid = c.oid WHERE c.relispartition
      UNION ALL
      SELECT up.child, i.inhparent FROM up
        JOIN pg_catalog.pg_class a ON a.oid = up.ancestor
        JOIN pg_catalog.pg_inherits i ON i.inhrelid = a.oid WHERE a.relispartition
    )`;
