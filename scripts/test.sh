#!/usr/bin/env bash
# Runs Bulwark's whole test suite on a fresh Debian machine: installs what is missing, starts a real
# clamd, spamd and rspamd once (free loopback ports, a private run directory), runs `mvn verify`, stops them.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

bash scripts/install-deps.sh

free_port() {
  perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0) or die $!; print $s->sockport'
}
run_dir="$(mktemp -d -t bulwark-test-scanners.XXXXXX)"
export BULWARK_RUN_DIR="$run_dir" BULWARK_CLAMD_PORT="$(free_port)" BULWARK_SPAMD_PORT="$(free_port)"
# rspamd (the second spam engine's tests) with a redis for its learning: given to the script only, not
# exported, so that tests starting their own private daemons do not start another rspamd on these ports.
rspamd_env=(BULWARK_RSPAMD_PORT="$(free_port)" BULWARK_RSPAMD_CONTROLLER_PORT="$(free_port)" BULWARK_REDIS_PORT="$(free_port)")
scanners() { env "${rspamd_env[@]}" bash scripts/scanners.sh "$@"; }
cleanup() { scanners stop >/dev/null 2>&1 || true; rm -rf "$run_dir"; }
trap cleanup EXIT

scanners start
eval "$(scanners env)"
export BULWARK_TEST_CLAMD BULWARK_TEST_SPAMD BULWARK_TEST_RSPAMD BULWARK_TEST_RSPAMD_CONTROLLER BULWARK_TEST_REDIS

# No -q: CI reads Surefire's "Tests run:" summary.
mvn -B -ntp verify "$@"
