#!/bin/sh
# Runs Temporal's cross-SDK `features` suite (github.com/temporalio/features), its TypeScript features,
# against the baosong test server, with the npm-published @temporalio/* packages this project uses. Nothing
# of the features repository is kept here: the checkout, its node_modules and the results live in
# $FEATURES_SUITE_DIR. See README.md beside this script.
#
#   FEATURES_SRC=/path/to/features temporal-server/features-suite/run.sh [feature-dir ...]
#
# FEATURES_SRC          a checkout of github.com/temporalio/features (without it: git clone, needs internet)
# FEATURES_SUITE_DIR    work directory (default /tmp/baosong-features-suite)
# FEATURES_TIMEOUT      seconds one feature may take (default 120)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
dir=${FEATURES_SUITE_DIR:-${TMPDIR:-/tmp}/baosong-features-suite}
timeout_s=${FEATURES_TIMEOUT:-120}
version=$(node -p "require('$repo/node_modules/@temporalio/client/package.json').version")
server_bin=${FEATURES_SERVER_BIN:-$repo/temporal-server/bin/temporal-test-server}
mkdir -p "$dir/results"

# 1. The features checkout, copied into the work directory (the harness finds features beside itself).
if [ ! -d "$dir/src/harness/ts" ]; then
  if [ -z "${FEATURES_SRC:-}" ]; then
    git clone --depth 1 https://github.com/temporalio/features "$dir/src"
  else
    mkdir -p "$dir/src" && cp -r "$FEATURES_SRC/." "$dir/src/"
  fi
fi

# 2. Its npm dependencies, every @temporalio/* package at our version.
if [ ! -f "$dir/src/.installed-$version" ]; then
  node -e '
    const [file, version] = process.argv.slice(1);
    const pkg = require(file);
    for (const deps of [pkg.dependencies, pkg.devDependencies]) for (const name of Object.keys(deps ?? {})) if (name.startsWith("@temporalio/")) deps[name] = version;
    // One protobufjs for the SDK and the features (the published packages bring their own): else messages
    // built by the features are not "a Type" to the SDK converters.
    pkg.dependencies.protobufjs = process.argv[3];
    pkg.overrides = { protobufjs: process.argv[3] };
    require("fs").writeFileSync(file, JSON.stringify(pkg, null, 2));
  ' "$dir/src/package.json" "$version" "$(npm view "@temporalio/common@$version" dependencies.protobufjs)"
  (cd "$dir/src" && rm -f package-lock.json && npm install --no-audit --no-fund)
  touch "$dir/src/.installed-$version"
fi

# 3. Compiled as the features runner does (tslib/), run with @temporalio/harness mapped to the compiled harness.
(cd "$dir/src" && npx tsc -p tsconfig.json)
echo '{ "compilerOptions": { "baseUrl": ".", "paths": { "@temporalio/harness": ["./tslib/harness/ts/harness.js"] } } }' > "$dir/src/tsconfig.run.json"
# (and as a package, for the features that import it dynamically, which tsconfig-paths does not see)
mkdir -p "$dir/src/node_modules/@temporalio/harness"
echo '{ "name": "@temporalio/harness", "private": true, "main": "../../../tslib/harness/ts/harness.js" }' > "$dir/src/node_modules/@temporalio/harness/package.json"

# 4. One server for the run, as the features runner starts one dev server; each feature on its own task queue.
#    A feature with run variants (config.json: dynamic config and the namespace capabilities it expects) runs
#    once per variant, each on a server of its own started with that dynamic config.
port=${FEATURES_PORT:-17233}
servers=""
trap 'for p in $servers; do kill $p 2>/dev/null || true; done' EXIT
start_server() { # port log [dynamic config args...]
  p=$1 log=$2
  shift 2
  "$server_bin" server start-dev --port "$p" "$@" > "$log" 2>&1 &
  servers="$servers $!"
  for _ in $(seq 50); do grep -q listening "$log" && break; sleep 0.2; done
}
start_server "$port" "$dir/results/server.log"

run_feature() { # feature port label
  name=$(echo "$1$3" | tr '/' '-')
  queue="features-$name-$(date +%s%N)"
  set +e
  TS_NODE_PROJECT=tsconfig.run.json timeout -k 5 "$timeout_s" node -r tsconfig-paths/register tslib/harness/ts/main.js --server "127.0.0.1:$2" --namespace default "$1:$queue" > "$dir/results/$name.log" 2>&1
  rc=$?
  set -e
  if [ $rc = 0 ]; then result=passed; elif [ $rc = 124 ]; then result="timed out"; else result=failed; fi
  reason=$(grep -m1 -o 'Feature [^ ]* failed with .*' "$dir/results/$name.log" | cut -c1-160 || true)
  printf '%s\t%s\t%s\n' "$1$3" "$result" "$reason" | tee -a "$dir/results/summary.tsv"
}

cd "$dir/src"
if [ $# -gt 0 ]; then features="$*"; else features=$(find features -name feature.ts | sed 's|^features/||; s|/feature.ts$||' | sort); fi
: > "$dir/results/summary.tsv"
variant_port=$((port + 1))
for f in $features; do
  variants=$(node -e '
    const fs = require("fs"), file = process.argv[1];
    if (!fs.existsSync(file)) process.exit(0);
    for (const v of JSON.parse(fs.readFileSync(file, "utf8")).runVariants ?? []) {
      const args = Object.entries(v.dynamicConfig ?? {}).map(([k, x]) => `--dynamic-config-value ${k}=${JSON.stringify(x)}`).join(" ");
      console.log([v.name, JSON.stringify(v.expectNamespaceCapabilities ?? {}), args].join("\t"));
    }' "features/$f/config.json")
  if [ -z "$variants" ]; then
    run_feature "$f" "$port" ""
    continue
  fi
  echo "$variants" | while IFS="$(printf '\t')" read -r vname caps args; do
    start_server "$variant_port" "$dir/results/server-$vname.log" $args
    FEATURE_NAMESPACE_CAPABILITIES="$caps" run_feature "$f" "$variant_port" " [$vname]"
    kill $(echo $servers | awk '{print $NF}') 2>/dev/null || true
    variant_port=$((variant_port + 1))
  done
done
awk -F'\t' '{ n++; if ($2 == "passed") p++ } END { printf "total\t%d of %d feature runs passed\n", p, n }' "$dir/results/summary.tsv"
