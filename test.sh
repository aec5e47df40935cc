#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine, then runs every test project.
# Ends with one line: "N passed, N failed", totalled over all test projects.
set -uo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
[ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v bearerbox >/dev/null 2>&1 || need_apt+=(kannel)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
# The release test builds the Debian package and checks it.
command -v dpkg-deb >/dev/null 2>&1 && command -v strip >/dev/null 2>&1 || need_apt+=(dpkg-dev)
command -v lintian >/dev/null 2>&1 || need_apt+=(lintian)
# The console's browser tests drive Debian's Chromium (no browser download).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium fonts-liberation)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null || { echo "apt-get install failed"; exit 1; }
fi

for manifest in $(find tests console -name package.json -not -path '*/node_modules/*' | sort); do
  dir=$(dirname "$manifest")
  echo "== npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed in $dir"; exit 1; }
done

echo "== building"
if ! dotnet build OpenTfa.slnx -nologo -v quiet -clp:ErrorsOnly; then
  echo "0 passed, 1 failed"
  exit 1
fi

passed=0; failed=0
for project in tests/*/*.Tests.csproj; do
  echo "== $project"
  log=$(mktemp)
  dotnet test "$project" --no-build -nologo -v quiet --logger "console;verbosity=minimal" 2>&1 | tee "$log"
  summary=$(grep -E '^(Passed|Failed)!' "$log" | tail -n 1)
  if [ -z "$summary" ]; then
    echo "!! $project produced no test summary (crashed or did not build)"
    failed=$((failed + 1))
  else
    p=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$summary")
    f=$(sed -E 's/.*Failed: *([0-9]+),.*/\1/' <<<"$summary")
    passed=$((passed + p)); failed=$((failed + f))
  fi
  rm -f "$log"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
