#!/bin/sh
# Runs the TypeScript SDK's own integration tests (packages/test of temporalio/sdk-typescript, ava)
# against the baosong test server, with the npm-published @temporalio/* packages this project uses.
# Nothing of the SDK is kept in this repository: the SDK checkout, its node_modules and the results
# live in $SDK_SUITE_DIR (default /tmp/baosong-sdk-suite). See README.md beside this script.
#
#   SDK_SRC=/path/to/sdk-typescript temporal-server/sdk-suite/run.sh [test-file.js ...]
#
# SDK_SRC      a checkout of github.com/temporalio/sdk-typescript (without it: git clone, needs internet)
# SDK_SUITE_DIR  work directory (packages/: the build and its node_modules; results/)
# SDK_SUITE_FILE_TIMEOUT  seconds one test file may take before it is killed (default 900)
# SDK_SUITE_NO_BUILD=1    run the files already compiled (after a first full run)
# SDK_SUITE_SERVER_BIN    the server to test (default: this checkout's bin/temporal-test-server)
# SDK_SUITE_SUMMARY_ONLY=1 count the results of earlier runs again (results/*.tap), run nothing
# SDK_SUITE_PORT_ONLY=1   the server takes only a port (servers before the dev-server options, for comparison)
# SDK_SUITE_PORT          where the per-file server listens (default 7233, the SDK tests' default address)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
dir=${SDK_SUITE_DIR:-${TMPDIR:-/tmp}/baosong-sdk-suite}
file_timeout=${SDK_SUITE_FILE_TIMEOUT:-900}
version=$(node -p "require('$repo/node_modules/@temporalio/client/package.json').version")
mkdir -p "$dir"

# Results: TAP per file, a summary line per file.
results="$dir/results"
mkdir -p "$results"

# passed / failed / not run / skipped of one file's TAP. Hook failures, crashes and ava's timeout are
# not tests: they go to the note; tests a crashed or timed-out file never ran are "not run".
count() { # name seconds rc
  tap="$results/$1.tap"
  pass=$(grep -E '^ok [0-9]+ ' "$tap" | grep -c -v -e '# SKIP' -e '# TODO' || true)
  skip=$(grep -c -E '^(not )?ok [0-9]+ .*# (SKIP|TODO)' "$tap" || true)
  problems='( hook$| hook for | exited with a non-zero exit code| Timed out while running tests|uncaught exception|unhandled rejection|^not ok [0-9]+ - Error: )'
  fail=$(grep -E '^not ok [0-9]+ ' "$tap" | grep -v '# TODO' | grep -c -v -E -e "$problems" || true)
  notrun=$(sed -n -E 's/^# ([0-9]+) tests? remaining.*/\1/p' "$tap" | head -1)
  note=$(grep -E '^not ok [0-9]+ ' "$tap" | grep -v '# TODO' | grep -E -e "$problems" | sed -E 's/^not ok [0-9]+ - //' | sort -u | tr '\n' ';' | cut -c1-120)
  [ "$3" = 124 ] && note="killed (file timeout); $note"
  printf '%s\t%s\t%s\t%s\t%s\t%ss\t%s\n' "$1" "$pass" "$fail" "${notrun:-0}" "$skip" "$2" "$note" > "$results/$1.tsv"
  cat "$results/$1.tsv"
}

summary() {
  # Every file's latest result (also those of earlier runs), and the totals.
  echo "file	passed	failed	not run	skipped	time	note" > "$results/summary.tsv"
  cat "$results"/test-*.tsv >> "$results/summary.tsv"
  awk -F'\t' 'NR > 1 { p += $2; f += $3; n += $4; s += $5 } END { printf "total\t%d passed\t%d failed\t%d not run\t%d skipped (%d files)\n", p, f, n, s, NR - 1 }' "$results/summary.tsv"
}

if [ -n "${SDK_SUITE_SUMMARY_ONLY:-}" ]; then
  for tap in "$results"/test-*.tap; do
    name=$(basename "$tap" .tap)
    count "$name" "$(cut -f6 "$results/$name.tsv" 2>/dev/null | tr -d s || echo 0)" "$(grep -q 'killed' "$results/$name.tsv" 2>/dev/null && echo 124 || echo 0)" > /dev/null
  done
  summary
  exit 0
fi

# 1. The SDK sources.
if [ -z "${SDK_SRC:-}" ]; then
  SDK_SRC="$dir/sdk"
  [ -d "$SDK_SRC/packages/test" ] || git clone --depth 1 https://github.com/temporalio/sdk-typescript "$SDK_SRC"
fi
[ -d "$SDK_SRC/packages/test/src" ] || { echo "no packages/test/src in $SDK_SRC" >&2; exit 2; }

# 2. Dependencies: the test package's own, with every @temporalio/* package at the version we use
#    (workspace-only @temporalio/test-helpers is compiled below; cloud and lambda-worker are not
#    published at every version, so their two test files are left out).
# Named "packages" like the SDK's own tree: some tests compare source paths ending in packages/test/src/….
build="$dir/packages"
mkdir -p "$build"
if [ ! -f "$build/.installed-$version" ]; then
  node -e '
    const [pkgPath, version, out] = process.argv.slice(1, 4);
    const pkg = require(pkgPath);
    const helpers = require(pkgPath.replace("/test/package.json", "/test-helpers/package.json"));
    const deps = { ...pkg.dependencies, ...pkg.devDependencies, ...helpers.dependencies, ...helpers.devDependencies };
    for (const name of Object.keys(deps)) {
      if (!deps[name].startsWith("workspace:")) continue;
      if (["@temporalio/test-helpers", "@temporalio/cloud", "@temporalio/lambda-worker"].includes(name)) delete deps[name];
      else deps[name] = version;
    }
    // OpenTelemetry 1.x at the version the SDK lockfile has: later 1.x releases touch `performance`
    // at load, which the workflow sandbox lacks (the workflow part of the interceptor is bundled).
    for (const name of Object.keys(deps)) if (name.startsWith("@opentelemetry/") && deps[name] === "^1.25.1") deps[name] = "1.25.1";
    deps["@opentelemetry/resources"] = "1.25.1";
    // The published packages bring their own protobufjs (and the CLI that matches it): one copy for all,
    // or messages built by the test protos are not "a Type" to the converters.
    deps.protobufjs = process.argv[4];
    deps["protobufjs-cli"] = process.argv[5];
    Object.assign(deps, { typescript: "^5.6.3", tsx: "^4.20.6", "@tsconfig/node20": "^20.1.4", "@types/node": "^20.19.39", "fs-extra": "^11.2.0" });
    require("fs").writeFileSync(out, JSON.stringify({ name: "sdk-suite-build", private: true, dependencies: deps }, null, 2));
  ' "$SDK_SRC/packages/test/package.json" "$version" "$build/package.json" \
    "$(npm view "@temporalio/common@$version" dependencies.protobufjs)" "$(npm view "@temporalio/proto@$version" devDependencies.protobufjs-cli)"
  # Packages moved beside the test package by an earlier install go, so npm installs them afresh.
  for pkg in "$build"/node_modules/@temporalio/*; do
    [ -L "$pkg" ] && [ "$(basename "$pkg")" != test-helpers ] && rm -rf "$build/$(basename "$pkg")"
  done
  rm -rf "$build/node_modules/@temporalio"
  (cd "$build" && npm install --no-audit --no-fund)
  # The packages beside the test package, as in the SDK's tree, so that stack traces read
  # "common/src/failure.ts" as its tests expect (node_modules/@temporalio/* link to them).
  for pkg in "$build"/node_modules/@temporalio/*; do
    name=$(basename "$pkg")
    [ -L "$pkg" ] || [ "$name" = test-helpers ] || { rm -rf "$build/$name"; mv "$pkg" "$build/$name"; ln -s "../../$name" "$pkg"; }
  done
  touch "$build/.installed-$version"
fi

# 3. Compile @temporalio/test-helpers and the test package beside each other, as in the SDK's tree
#    (the helpers make stack traces relative to the directory above them; node_modules links to them).
#    Type errors from API drift between the checkout and the published packages are reported, not fatal.
tsconfig() { # outDir
  cat <<JSON
{ "extends": "@tsconfig/node20/tsconfig.json",
  "compilerOptions": { "module": "commonjs", "moduleResolution": "node", "sourceMap": true,
    "experimentalDecorators": true, "resolveJsonModule": true, "declaration": true, "skipLibCheck": true,
    "outDir": "$1", "rootDir": "./src", "typeRoots": ["$build/node_modules/@types"] },
  "include": ["./src/**/*.ts"] }
JSON
}
if [ -z "${SDK_SUITE_NO_BUILD:-}" ]; then
rm -rf "$build/test-helpers" "$build/test" "$build/node_modules/@temporalio/test-helpers"
mkdir -p "$build/test-helpers" "$build/test"
cp -r "$SDK_SRC/packages/test-helpers/src" "$build/test-helpers/"
for d in src protos scripts history_files tls_certs; do
  [ -e "$SDK_SRC/packages/test/$d" ] && cp -r "$SDK_SRC/packages/test/$d" "$build/test/"
done
tsconfig "./lib" > "$build/test-helpers/tsconfig.json"
tsconfig "./lib" > "$build/test/tsconfig.json"
echo '{ "name": "@temporalio/test-helpers", "version": "0.0.0-local", "main": "lib/index.js", "types": "lib/index.d.ts" }' \
  > "$build/test-helpers/package.json"
ln -s "$build/test-helpers" "$build/node_modules/@temporalio/test-helpers"
echo '{ "name": "sdk-suite-test", "private": true, "ava": { "timeout": "60s", "concurrency": 1, "workerThreads": false } }' \
  > "$build/test/package.json"
(cd "$build/test-helpers" && ../node_modules/.bin/tsc -p tsconfig.json) || true
(cd "$build/test" && ../node_modules/.bin/tsx scripts/compile-proto.ts && ../node_modules/.bin/tsc -p tsconfig.json > "$build/tsc-errors.txt") || true
echo "tsc: $(grep -c 'error TS' "$build/tsc-errors.txt" || true) type errors (API drift), see $build/tsc-errors.txt"
fi


# 4. Point the SDK at our server: every ephemeral server it would download (dev server for
#    createLocal, time-skipping server for createTimeSkipping) is our bin/temporal-test-server instead.
cat > "$build/server-shim.sh" <<'SH'
#!/bin/sh
# Our server takes the dev server's command line ("server start-dev --port N ...") and the
# time-skipping server's ("N ..."). SDK_SUITE_PORT_ONLY=1: a server that takes only the port.
if [ -n "${SDK_SUITE_PORT_ONLY:-}" ]; then
  port="$1"
  if [ "$1" = "server" ]; then
    while [ $# -gt 0 ]; do [ "$1" = "--port" ] && { port="$2"; break; }; shift; done
  fi
  exec "$SDK_SUITE_SERVER_BIN" "$port"
fi
exec "$SDK_SUITE_SERVER_BIN" "$@"
SH
chmod +x "$build/server-shim.sh"
eph="$build/testing/lib/ephemeral-server.js"
grep -q SDK_SUITE_SERVER_SHIM "$eph" || sed -i \
  "s|^function toNativeEphemeralServerExecutableConfig(executable = { type: 'cached-download' }) {|&\n    if (process.env.SDK_SUITE_SERVER_SHIM) return { type: 'existing-path', path: process.env.SDK_SUITE_SERVER_SHIM };|" "$eph"
grep -q SDK_SUITE_SERVER_SHIM "$eph" || { echo "could not patch $eph" >&2; exit 2; }

# 5. Run each file on its own (one server per file), TAP per file, a summary line per file.
export SDK_SUITE_SERVER_SHIM="$build/server-shim.sh" SDK_SUITE_SERVER_BIN="${SDK_SUITE_SERVER_BIN:-$repo/temporal-server/bin/temporal-test-server}"
unset TEMPORAL_SERVICE_ADDRESS TEMPORAL_TEST_ENV_CONFIG_SERVER
port=${SDK_SUITE_PORT:-7233}
cd "$build/test"
if [ $# -gt 0 ]; then files="$*"; else files=$(ls lib/test-*.js | grep -v -e test-temporal-cloud -e test-lambda-worker); fi
for f in $files; do
  f="lib/$(basename "$f" .js).js"
  name=$(basename "$f" .js)
  start=$(date +%s)
  # Some files use a server at the default address (as the SDK's CI has a dev server there): one of ours per file.
  "$SDK_SUITE_SERVER_BIN" "$port" > "$results/$name.server.log" 2>&1 &
  server=$!
  for _ in $(seq 50); do grep -q listening "$results/$name.server.log" && break; sleep 0.2; done
  set +e
  timeout -k 10 "$file_timeout" ../node_modules/.bin/ava --tap "$f" > "$results/$name.tap" 2>&1
  rc=$?
  set -e
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  count "$name" "$(( $(date +%s) - start ))" "$rc"
done
summary
