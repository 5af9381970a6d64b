#!/usr/bin/env bash
# The cost of a sanitized copy of a ≥800 MB PostgreSQL database (pgbench
# scale 30 plus a text table, as bench/postgres.sh builds it) against a plain
# backup of the same database: plain and sanitized backups alternate, PAIRS
# times (default 3), and the median of the per-pair time ratios is printed.
# Usage: bash bench/sanitize.sh [SCALE] [PAIRS]   (Node 24 first on PATH; dist/ built)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/measure.sh"
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
pgbench -i -q -s "${1:-30}" app >/dev/null 2>&1
psql -q -d app -c "CREATE TABLE documents (id serial PRIMARY KEY, title text, body text);
  ALTER TABLE documents ALTER COLUMN body SET STORAGE EXTERNAL;
  INSERT INTO documents (title, body) SELECT 'document ' || i, repeat(md5(i::text) || ' lorem ipsum dolor sit amet ', 40) FROM generate_series(1, 200000) AS i;"
# Balances that differ, as a used database's do (pgbench -i leaves them all 0).
psql -q -d app -c "UPDATE pgbench_accounts SET abalance = (aid::bigint * 7919) % 100000 - 50000;"
psql -q -d app -c 'VACUUM ANALYZE'
echo "database size: $(psql -Atc "SELECT pg_size_pretty(pg_database_size('app'))" -d app)"
url="postgres://postgres@127.0.0.1:$port/app"

# Every column of the benchmark's tables that a rule could sensibly name.
cat >"$work/rules.yml" <<'EOF'
tables:
  pgbench_accounts:
    columns:
      abalance: { number_noise: 10 }
      filler: text
  pgbench_branches:
    columns:
      bbalance: { number_noise: 10 }
  pgbench_tellers:
    columns:
      tbalance: { number_noise: 10 }
  pgbench_history:
    rows: truncate
  documents:
    columns:
      title: text
      body: text
EOF
export SANITIZE_SALT=benchmark-salt-0123456789abcdef

ratios=()
for pair in $(seq 1 "${2:-3}"); do
  rm -rf "$work/plain" "$work/sanitized"
  measure "plain backup $pair" node "$root/dist/cli/index.js" backup --database-url "$url" --backup-dir "$work/plain"
  plain_s=$(eval echo "\$plain_backup_${pair}_s")
  measure "sanitized backup $pair" node "$root/dist/cli/index.js" backup --database-url "$url" --backup-dir "$work/sanitized" --sanitize "$work/rules.yml"
  sanitized_s=$(eval echo "\$sanitized_backup_${pair}_s")
  ratios+=("$(ratio "$sanitized_s" "$plain_s")")
  echo "pair $pair: sanitized / plain = ${ratios[-1]}"
done
plain_file=$(ls "$work"/plain/postgres_backup_*.sql.gz)
sanitized_file=$(ls "$work"/sanitized/postgres_sanitized_*.sql.gz)
echo "sizes: plain $(($(stat -c %s "$plain_file") / 1048576)) MB, sanitized $(($(stat -c %s "$sanitized_file") / 1048576)) MB"
echo "median time ratio sanitized / plain: $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')"
