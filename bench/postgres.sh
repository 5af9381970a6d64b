#!/usr/bin/env bash
# db-backup backup and restore of a ≥800 MB PostgreSQL database (pgbench
# scale 30 plus a text table) beside `pg_dump | gzip -6` and
# `gunzip -c | psql`, measured in one run on a server this script starts.
# Usage: bash bench/postgres.sh [SCALE]   (needs Node 24 first on PATH; run as root or as a user that can run postgres)
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
# Stored uncompressed (STORAGE EXTERNAL), as text that does not compress in TOAST would be.
psql -q -d app -c "CREATE TABLE documents (id serial PRIMARY KEY, title text, body text);
  ALTER TABLE documents ALTER COLUMN body SET STORAGE EXTERNAL;
  INSERT INTO documents (title, body) SELECT 'document ' || i, repeat(md5(i::text) || ' lorem ipsum dolor sit amet ', 40) FROM generate_series(1, 200000) AS i;"
psql -q -d app -c 'VACUUM ANALYZE'
echo "database size: $(psql -Atc "SELECT pg_size_pretty(pg_database_size('app'))" -d app)"
url="postgres://postgres@127.0.0.1:$port/app"

measure "pg_dump | gzip -6" sh -c "pg_dump app | gzip -6 > '$work/shell.sql.gz'"
measure "db-backup backup" node "$root/dist/cli/index.js" backup --database-url "$url" --backup-dir "$work/backups"
ours=$(ls "$work"/backups/postgres_backup_*.sql.gz)
echo "sizes: shell $(($(stat -c %s "$work/shell.sql.gz") / 1048576)) MB, db-backup $(($(stat -c %s "$ours") / 1048576)) MB"
echo "backup time ratio db-backup / shell: $(ratio "$db_backup_backup_s" "$pg_dump___gzip__6_s")"

createdb shell_target
measure "gunzip -c | psql" sh -c "gunzip -c '$work/shell.sql.gz' | psql -q -X -v ON_ERROR_STOP=1 -d shell_target"
createdb ours_target
measure "db-backup restore" node "$root/dist/cli/index.js" restore "$ours" --database-url "postgres://postgres@127.0.0.1:$port/ours_target" --yes
echo "restore time ratio db-backup / shell: $(ratio "$db_backup_restore_s" "$gunzip__c___psql_s")"

# Encryption and verification on the same database (issue: time and peak memory with and without encryption).
printf 'benchmark passphrase\n' > "$work/pass"
measure "db-backup backup --passphrase-file" node "$root/dist/cli/index.js" backup --database-url "$url" --backup-dir "$work/encrypted" --passphrase-file "$work/pass"
measure "db-backup verify (plain)" node "$root/dist/cli/index.js" verify "$ours" --verify-database-url "postgres://postgres@127.0.0.1:$port/postgres"
encrypted=$(ls "$work"/encrypted/postgres_backup_*.sql.gz.gpg)
measure "db-backup verify (encrypted)" node "$root/dist/cli/index.js" verify "$encrypted" --verify-database-url "postgres://postgres@127.0.0.1:$port/postgres" --passphrase-file "$work/pass"
echo "encryption cost on backup: $(ratio "$db_backup_backup___passphrase_file_s" "$db_backup_backup_s")x; on verify: $(ratio "$db_backup_verify__encrypted__s" "$db_backup_verify__plain__s")x"
