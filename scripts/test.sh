#!/usr/bin/env bash
# Runs Bulwark's whole test suite on a fresh Debian machine: installs what is missing, starts a real
# clamd and spamd once (free loopback ports, a private run directory), runs `mvn verify`, stops them.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

bash scripts/install-deps.sh

free_port() {
  perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0) or die $!; print $s->sockport'
}
run_dir="$(mktemp -d -t bulwark-test-scanners.XXXXXX)"
export BULWARK_RUN_DIR="$run_dir" BULWARK_CLAMD_PORT="$(free_port)" BULWARK_SPAMD_PORT="$(free_port)"
cleanup() { bash scripts/scanners.sh stop >/dev/null 2>&1 || true; rm -rf "$run_dir"; }
trap cleanup EXIT

bash scripts/scanners.sh start
eval "$(bash scripts/scanners.sh env)"
export BULWARK_TEST_CLAMD BULWARK_TEST_SPAMD

# No -q: CI reads Surefire's "Tests run:" summary.
mvn -B -ntp verify "$@"
