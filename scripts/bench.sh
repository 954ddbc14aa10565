#!/usr/bin/env bash
# Builds the benchmark and runs it: the clamd pool vs raw clamd vs one connection per scan
# (dev.bulwark.bench.ScannerPoolBenchmark; method and latest figures in docs/PERFORMANCE.md).
#
#   [BULWARK_TEST_CLAMD=127.0.0.1:3310] scripts/bench.sh [--write-docs] [harness options; --help lists them]
#
# BULWARK_TEST_CLAMD  clamd to measure (loopback only). Unset: the harness starts a private clamd+spamd
#                     with scripts/scanners.sh on free ports and stops it at the end.
# BENCH_MVN_ARGS      extra Maven arguments for the build, e.g. "-o" when offline.
# JAVA_OPTS           extra JVM options for the harness.
# BENCH_MAIN          another main class of the bench module, e.g. the diagnostic
#                     dev.bulwark.bench.ScanPathProbe (arguments: host:port [size] [threads] [measureMs] [rounds]).
#
# Results go to stdout (markdown tables), progress to stderr. --write-docs also rewrites
# docs/PERFORMANCE.md. The whole run takes about 2.5 minutes with the defaults (plus the build).
# Exit status: the harness's (0 valid run, 2 clamd unusable, 3 errors during the run, 64 usage),
# or Maven's when the build fails. Never part of `mvn verify`: the bench module has no tests.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# shellcheck disable=SC2206  # word splitting of the extra arguments is intended
mvn_args=(-B -ntp -q ${BENCH_MVN_ARGS:-})

# Maven's output goes to stderr, without colour codes: stdout carries only the results.
quiet_mvn() {
  mvn "${mvn_args[@]}" "$@" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
}

echo "bench: building scanner-pool and bench (tests skipped)" >&2
quiet_mvn -DskipTests install -pl bench -am

classpath_file="$repo/bench/target/bench.classpath"
quiet_mvn -pl bench dependency:build-classpath -Dmdep.outputFile="$classpath_file" -Dmdep.includeScope=runtime
classpath="$repo/bench/target/classes:$(cat "$classpath_file")"

# shellcheck disable=SC2086  # JAVA_OPTS is a list of options
exec java ${JAVA_OPTS:-} -cp "$classpath" "${BENCH_MAIN:-dev.bulwark.bench.ScannerPoolBenchmark}" "$@"
