#!/usr/bin/env bash
# Restore time of a ≥800 MB PostgreSQL database (pgbench scale 30 plus a text
# table, as bench/postgres.sh builds it) with db-backup against
# `gunzip -c | psql`, in alternating pairs (psql, then db-backup, each into a
# fresh database), so that a noisy machine shows in both halves of a pair.
# Prints each pair's ratio and their median, for every CLI bundle given
# (default: this checkout's dist/cli/index.js); pairs of different bundles
# alternate too. Every bundle restores the same backup file.
# Usage: bash bench/postgres-restore.sh [SCALE] [PAIRS] [CLI_BUNDLE...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scale=${1:-30}
pairs=${2:-3}
shift $(($# < 2 ? $# : 2))
bundles=("$@")
[ ${#bundles[@]} -eq 0 ] && bundles=("$root/dist/cli/index.js")
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
work=$(mktemp -d)
chmod 755 "$work"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir "$work/data"
[ "$(id -u)" = 0 ] && chown postgres "$work/data"
port=$((20000 + RANDOM % 20000))
as_pg "$bin/initdb" -D "$work/data" -U postgres -A trust -N >/dev/null
as_pg "$bin/pg_ctl" -D "$work/data" -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_wal_size=4GB" -l "$work/data/log" -w start >/dev/null
trap 'as_pg "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null; rm -rf "$work"' EXIT
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
createdb app
pgbench -i -q -s "$scale" app >/dev/null 2>&1
psql -q -d app -c "CREATE TABLE documents (id serial PRIMARY KEY, title text, body text);
  ALTER TABLE documents ALTER COLUMN body SET STORAGE EXTERNAL;
  INSERT INTO documents (title, body) SELECT 'document ' || i, repeat(md5(i::text) || ' lorem ipsum dolor sit amet ', 40) FROM generate_series(1, 200000) AS i;"
psql -q -d app -c 'VACUUM ANALYZE'
echo "database size: $(psql -Atc "SELECT pg_size_pretty(pg_database_size('app'))" -d app)"
node "${bundles[0]}" backup --database-url "postgres://postgres@127.0.0.1:$port/app" --backup-dir "$work/backups" >/dev/null 2>&1
backup=$(ls "$work"/backups/postgres_backup_*.sql.gz)
echo "backup: $(($(stat -c %s "$backup") / 1048576)) MB gzip"

seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; return 1; }
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}

declare -A ratios
for pair in $(seq 1 "$pairs"); do
  for i in "${!bundles[@]}"; do
    createdb "psql_${pair}_$i"
    shell=$(seconds sh -c "gunzip -c '$backup' | psql -q -X -v ON_ERROR_STOP=1 -d psql_${pair}_$i")
    dropdb "psql_${pair}_$i"
    ours=$(seconds node "${bundles[$i]}" restore "$backup" --database-url "postgres://postgres@127.0.0.1:$port/ours_${pair}_$i" --create-database)
    dropdb "ours_${pair}_$i"
    ratio=$(awk -v a="$ours" -v b="$shell" 'BEGIN { printf "%.3f", a / b }')
    ratios[$i]="${ratios[$i]:-} $ratio"
    printf 'pair %d  %-60s gunzip|psql %7.2f s  db-backup %7.2f s  ratio %s\n' "$pair" "${bundles[$i]}" "$shell" "$ours" "$ratio"
  done
done
for i in "${!bundles[@]}"; do
  median=$(echo "${ratios[$i]}" | tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  echo "median ratio db-backup / gunzip|psql for ${bundles[$i]}: $median (pairs:${ratios[$i]})"
done
