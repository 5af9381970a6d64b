# Sourced by the benchmark scripts: runs a command under GNU time and records
# wall seconds and peak RSS (the largest single process, in MB).
measure() {
  local label=$1
  shift
  local report
  report=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$report" "$@" >/dev/null
  read -r seconds kib <"$report"
  rm -f "$report"
  printf '%-44s %8.2f s %8.0f MB\n' "$label" "$seconds" "$((kib / 1024))"
  eval "${label//[^a-zA-Z0-9]/_}_s=$seconds; ${label//[^a-zA-Z0-9]/_}_mb=$((kib / 1024))"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
