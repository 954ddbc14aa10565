#!/usr/bin/env bash
# Builds the benchmarks and runs one (method and latest figures of both in docs/PERFORMANCE.md):
#
#   scripts/bench.sh [--write-docs] [options]              the clamd pool vs raw clamd vs one connection per
#                                                          scan (dev.bulwark.bench.ScannerPoolBenchmark)
#   scripts/bench.sh --pipelines [--write-docs] [options]  whole mail pipelines in an in-process James 3.8.1:
#                                                          Bulwark with spamd and with rspamd vs stock mailets vs
#                                                          amavisd-new vs no scanning vs the raw daemons
#                                                          (dev.bulwark.bench.pipeline.PipelineBenchmark)
#   scripts/bench.sh --append [--write-docs] [options]     IMAP APPEND latency without, with (async) and with a
#                                                          synchronous store-level scanning listener
#                                                          (dev.bulwark.bench.pipeline.AppendLatencyBenchmark)
#   scripts/bench.sh --quarantine [options]                the quarantine at 10,000 / 50,000 / 100,000 entries: list,
#                                                          filter and count through the index, the console dashboard's
#                                                          store calls, heap after GC
#                                                          (dev.bulwark.bench.quarantine.QuarantineIndexBenchmark)
#   --help after either lists its options.
#
# BULWARK_TEST_CLAMD  clamd to measure (loopback only); for --pipelines also BULWARK_TEST_SPAMD and (rspamd
#                     phases) BULWARK_TEST_RSPAMD. Unset: the harness starts a private clamd+spamd(+rspamd) with
#                     scripts/scanners.sh on free ports and stops it at the end.
# amavisd-new         --pipelines' amavisd phase needs Debian's amavisd-new: installed here with apt-get when
#                     missing and root (never started as a service: the harness starts its own per run).
# BENCH_MVN_ARGS      extra Maven arguments for the build, e.g. "-o" when offline.
# JAVA_OPTS           extra JVM options for the harness.
# BENCH_MAIN          another main class of the bench module, e.g. the diagnostic
#                     dev.bulwark.bench.ScanPathProbe (arguments: host:port [size] [threads] [measureMs] [rounds]).
#
# Results go to stdout (markdown tables), progress to stderr. --write-docs also rewrites
# docs/PERFORMANCE.md (--pipelines: only its pipeline section). The pool benchmark takes about 2.5 minutes
# with the defaults, the pipeline benchmark about 6-10 (plus the build).
# Exit status: the harness's (0 valid run, 2 daemons unusable, 3 errors during the run, 64 usage),
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

main_class="${BENCH_MAIN:-dev.bulwark.bench.ScannerPoolBenchmark}"
classpath_file="$repo/bench/target/bench.classpath"
exclusions=()
java_opts="${JAVA_OPTS:-}"
if [ "${1:-}" = "--quarantine" ]; then
  shift
  main_class=dev.bulwark.bench.quarantine.QuarantineIndexBenchmark
  # A bounded heap, so that "heap after GC" as the quarantine grows means something. James's leak detector would
  # report every message the harness lets the collector take (hundreds of thousands): off for this harness only.
  java_opts="${JAVA_OPTS:--Xmx1g} -Djames.lifecycle.leak.detection.mode=none"
elif [ "${1:-}" = "--pipelines" ] || [ "${1:-}" = "--append" ]; then
  if [ "$1" = "--append" ]; then
    main_class=dev.bulwark.bench.pipeline.AppendLatencyBenchmark
  else
    main_class=dev.bulwark.bench.pipeline.PipelineBenchmark
  fi
  shift
  classpath_file="$repo/bench/target/bench-pipelines.classpath"
  # Bulwark must come only from James's extensions-jars/ (bulwark.jar), as operators install it: no
  # dev.bulwark artifact on the JVM's classpath (the harness refuses to run otherwise).
  exclusions=(-DexcludeGroupIds=dev.bulwark)
  if [ "$main_class" = dev.bulwark.bench.pipeline.PipelineBenchmark ] && [ ! -x /usr/sbin/amavisd ] \
      && { [ "$#" -eq 0 ] || [[ " $* " != *" --phases "* ]] || [[ " $* " == *amavisd* ]]; }; then
    if [ "$(id -u)" -eq 0 ]; then
      echo "bench: installing Debian's amavisd-new for the amavisd phase (its service is not started)" >&2
      # policy-rc.d 101: the package's scripts must not start the system amavis service.
      policy_rc=/usr/sbin/policy-rc.d
      own_policy=0
      if [ ! -e "$policy_rc" ]; then printf '#!/bin/sh
exit 101
' > "$policy_rc"; chmod 755 "$policy_rc"; own_policy=1; fi
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends amavisd-new >&2 \
        || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends amavisd-new >&2; } \
        || echo "bench: amavisd-new could not be installed; the amavisd phase will be refused" >&2
      if [ "$own_policy" -eq 1 ]; then rm -f "$policy_rc"; fi
    else
      echo "bench: amavisd-new is missing (apt-get install amavisd-new as root); the amavisd phase will be refused" >&2
    fi
  fi
  # A bounded heap, the same for every pipeline, so that peak heap figures mean something. 2 GiB: James's
  # memory mailbox keeps every delivered copy (one per recipient) in it, several hundred MiB per phase with
  # the multi-recipient corpus; at 1 GiB the no-scanning phase's 5 MB check ran out of it.
  java_opts="${JAVA_OPTS:--Xmx2g}"
fi

echo "bench: building the bench module and what it needs, bulwark.jar included (tests skipped)" >&2
# package, never install: one reactor build resolves the project's own modules to this checkout's target/
# jars, so the run measures this tree and leaves the shared ~/.m2 SNAPSHOTs alone. Every module of the
# reactor writes the classpath file; bench comes last, so its list is what remains.
quiet_mvn -DskipTests package org.apache.maven.plugins:maven-dependency-plugin:build-classpath -pl bench -am \
  -Dmdep.outputFile="$classpath_file" -DincludeScope=runtime "${exclusions[@]}"
classpath="$repo/bench/target/classes:$(cat "$classpath_file")"

# shellcheck disable=SC2086  # java_opts is a list of options
exec java $java_opts -cp "$classpath" "$main_class" "$@"
