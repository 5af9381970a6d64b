#!/usr/bin/env bash
# Copies only dist/ to an empty folder and runs it as a GitHub runner does:
# INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files. Backs up a
# fresh SQLite database and checks every output it wrote.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/action" "$work/job" "$work/runner"
cp -r "$root/dist" "$work/action/dist"
cd "$work/job"
sqlite3 app.db "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada'), ('grace'), ('linus');"
: >"$work/runner/output"
: >"$work/runner/summary"
env -i PATH="$PATH" HOME="$HOME" GITHUB_ACTIONS=true RUNNER_TEMP="$work/runner" \
  GITHUB_OUTPUT="$work/runner/output" GITHUB_STEP_SUMMARY="$work/runner/summary" \
  INPUT_COMMAND=backup INPUT_DATABASE-URL=file:./app.db INPUT_MAX-BACKUPS=5 \
  node "$work/action/dist/index.js"

output() { awk -v name="$1" '$0 ~ "^"name"<<" { d = substr($0, length(name) + 3); getline; print; exit }' "$work/runner/output"; }
name=$(output backup-name)
file=$(output backup-file)
size=$(output size-bytes)
sha=$(output sha256)
manifest=$(output manifest-file)
fail() { echo "action smoke test: $*" >&2; exit 1; }
[[ "$name" =~ ^sqlite_backup_[0-9]{8}_[0-9]{6}\.db\.gz$ ]] || fail "backup-name is '$name'"
[ "$file" = "$work/job/backups/$name" ] || fail "backup-file is '$file'"
[ "$size" = "$(stat -c %s "$file")" ] || fail "size-bytes $size does not match the file"
[ "$sha" = "$(sha256sum "$file" | cut -d' ' -f1)" ] || fail "sha256 does not match the file"
[ "$manifest" = "$file.json" ] && [ -f "$manifest" ] || fail "manifest-file is '$manifest'"
grep -q '"sha256": "'"$sha"'"' "$manifest" || fail "the manifest does not hold the sha256"
[ "$(stat -c %a "$file")" = 600 ] || fail "the backup's mode is not 0600"
[ "$(stat -c %a "$work/job/backups")" = 700 ] || fail "the directory's mode is not 0700"
grep -q '## Database backup' "$work/runner/summary" || fail "no job summary"
gunzip -c "$file" >"$work/restored.db"
[ "$(sqlite3 "$work/restored.db" 'PRAGMA integrity_check; SELECT count(*) FROM users;' | tr '\n' ' ')" = "ok 3 " ] ||
  fail "the backup does not gunzip to the database"
echo "action smoke test passed: $name ($size bytes)"
