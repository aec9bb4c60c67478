#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers report as undeclared (RS0016) to the project's
# PublicAPI.Unshipped.txt. Review the diff before committing: it is the public API change.
set -euo pipefail
project=${1:?usage: eng/update-public-api.sh src/<Project>}
file="$project/PublicAPI.Unshipped.txt"
[ -f "$file" ] || printf '#nullable enable\n' > "$file"
out=$(dotnet build "$project" -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= --no-incremental 2>&1 || true)
printf '%s\n' "$out" | grep -oP "RS0016: Symbol '\K.*?(?=' is not part of the declared public API)" | sort -u >> "$file.new" || true
if [ -s "$file.new" ]; then
  { head -n1 "$file"; { tail -n +2 "$file"; cat "$file.new"; } | sort -u; } > "$file.tmp" && mv "$file.tmp" "$file"
fi
rm -f "$file.new"
# Symbols that were removed from the code (RS0017) are dropped.
printf '%s\n' "$out" | grep -oP "RS0017: Symbol '\K.*?(?=' is part of the declared API)" | sort -u | while IFS= read -r sym; do
  grep -vxF -- "$sym" "$file" > "$file.tmp" || true; mv "$file.tmp" "$file"
done
echo "$(($(wc -l < "$file") - 1)) symbols in $file"
