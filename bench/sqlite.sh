#!/usr/bin/env bash
# db-backup backup of a ≥1 GB SQLite database beside the shell pipeline it
# replaces (sqlite3 .backup, then gzip -6), measured in one run.
# Usage: bash bench/sqlite.sh [MEGABYTES]   (needs Node 24 first on PATH)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/measure.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node "$root/bench/make-sqlite.mjs" "$work/app.db" "${1:-1100}"
sync
measure "sqlite3 .backup && gzip -6" sh -c "sqlite3 '$work/app.db' '.backup $work/copy.db' && gzip -6 '$work/copy.db'"
shell_size=$(stat -c %s "$work/copy.db.gz")
measure "db-backup backup" node "$root/dist/cli/index.js" backup --database-url "file:$work/app.db" --backup-dir "$work/backups"
ours_size=$(stat -c %s "$work"/backups/sqlite_backup_*.db.gz)
echo "sizes: shell $((shell_size / 1048576)) MB, db-backup $((ours_size / 1048576)) MB"
echo "time ratio db-backup / shell: $(ratio "$db_backup_backup_s" "$sqlite3__backup____gzip__6_s")"
