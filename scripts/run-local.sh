#!/usr/bin/env bash
# The main job, without Docker: starts clamd and spamd (scripts/scanners.sh), builds Bulwark's jar and
# its launcher, and runs the launcher (launcher/, dev.bulwark.launcher.LocalBulwark): James 3.8.1 in one
# JVM with the Bulwark jar in extensions-jars/ and james-conf/ as its configuration; it sends a clean, a
# spam and a virus mail over SMTP and prints what happened to each. James then keeps running (SMTP 2525,
# IMAP 1143, webadmin 8000 on 127.0.0.1; BULWARK_SMTP_PORT, BULWARK_IMAP_PORT, BULWARK_WEBADMIN_PORT to
# change them) until Ctrl-C; pass --exit to stop after the report.
# Webadmin needs an admin token: scripts/admin-token.sh prints one (the report shows how to use it).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

bash scripts/install-deps.sh

scanners_were_running=true
bash scripts/scanners.sh status >/dev/null 2>&1 || scanners_were_running=false
bash scripts/scanners.sh start
if [ "$scanners_were_running" = false ]; then
  trap 'bash scripts/scanners.sh stop >/dev/null 2>&1 || true' EXIT
fi
eval "$(bash scripts/scanners.sh env)"
export BULWARK_TEST_CLAMD BULWARK_TEST_SPAMD

# Webadmin's JWT authentication is on in james-conf/: the key pair is made on the first run (owner-only,
# under .run/webadmin-jwt/), James gets its public half, scripts/admin-token.sh signs tokens with the other.
BULWARK_JWT_DIR="$(bash scripts/webadmin-keys.sh)"
export BULWARK_JWT_DIR

echo "Building Bulwark (the first build downloads James 3.8.1 from Maven Central)..."
# package, not install: the reactor builds the jar and the launcher in target/ folders; ~/.m2 only
# receives what Maven downloads.
mvn -B -ntp -q -DskipTests package -pl distribution,launcher -am

# The launcher's own classpath (James and a few client libraries, written by the build): Bulwark itself
# is loaded by James from extensions-jars/ only, as in production.
java -Djames.exit.on.startup.error=false \
  -Dbulwark.jar="$repo/distribution/target/bulwark.jar" \
  -Dbulwark.james-conf="$repo/james-conf" \
  -Dlogback.configurationFile="$repo/scripts/run-local-logback.xml" \
  -cp "launcher/target/bulwark-launcher.jar:$(cat launcher/target/launcher-classpath.txt)" \
  dev.bulwark.launcher.LocalBulwark "$@"
