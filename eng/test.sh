#!/usr/bin/env bash
# Runs every test of the solution. Installs what the tests need first (redis-server and redis-cli
# for the Redis store, chromium for the chat page's browser test, postgresql for the PostgreSQL store) with apt-get when missing.
# Ends with one line: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing test prerequisites: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"
dotnet build Dexter.Sessions.sln -c Release -nologo -v quiet

# The test projects share nothing (each starts its own servers on free loopback ports), so they run side by side, the
# longest first, at most DEXTER_TEST_JOBS at a time (3 by default: most of their time is spent waiting on servers,
# processes and browsers, not on the two cores). Each project's output goes to its own log, printed when it ends.
jobs=${DEXTER_TEST_JOBS:-3}
order=(Samples Evaluation Packaging PostgreSql Redis AspNetCore Sqlite Embeddings Embeddings.MiniLM Tests AgentFramework)
projects=()
for short in "${order[@]}"; do
  name=Dexter.Sessions.$short.Tests; [ "$short" = Tests ] && name=Dexter.Sessions.Tests
  [ -f "tests/$name/$name.csproj" ] && projects+=("tests/$name/$name.csproj")
done
for project in tests/*.Tests/*.Tests.csproj; do
  [[ " ${projects[*]} " == *" $project "* ]] || projects+=("$project")
done

run_project() {
  local project=$1 name start rc=0
  name=$(basename "$project" .csproj)
  start=$(date +%s)
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$results" "${@:2}" \
    > "$results/$name.log" 2>&1 || rc=$?
  echo "$name $(( $(date +%s) - start )) $rc" > "$results/$name.time"
  cat "$results/$name.log"
  return "$rc"
}

status=0
running=0
for project in "${projects[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
  run_project "$project" "$@" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done

echo
echo "Time per test project (seconds, side by side, $jobs at a time):"
for timing in "$results"/*.time; do
  [ -f "$timing" ] || continue
  read -r name seconds rc < "$timing"
  printf '  %-42s %5s s%s\n' "$name" "$seconds" "$([ "$rc" = 0 ] || echo "  (failed)")"
done

# One closing line over every project's results.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters"); e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$passed" -eq 0 ]; then echo "No test ran." >&2; exit 1; fi
exit "$status"
