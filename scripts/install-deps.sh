#!/usr/bin/env bash
# Installs what Bulwark's build and local run need on Debian/Ubuntu: a JDK 17+, Maven, clamd, spamd, rspamd
# with redis-server (its Bayes store),
# PostgreSQL (for the cluster tests), docker-compose (to validate the compose files), openssl and curl
# (webadmin tokens; calls as the docs show them), chromium with chromium-driver (the web console's browser
# tests), 7-Zip (test archives) and Node.js (console unit test).
# As root it installs with apt-get; otherwise it prints the exact command and exits 2.
set -euo pipefail

missing=()
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1; }
if ! command -v java >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ]; then
  missing+=(openjdk-17-jdk-headless)
fi
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v clamd >/dev/null 2>&1 || missing+=(clamav-daemon clamdscan)
# sigtool: the retroactive rescan test builds a signature update (an unsigned .cud database) with it.
command -v sigtool >/dev/null 2>&1 || missing+=(clamav)
command -v spamd >/dev/null 2>&1 || missing+=(spamassassin spamd)
# rspamd, the second spam engine, and redis, where rspamd 3.4 keeps what it learns (the tests run both).
{ command -v rspamd >/dev/null 2>&1 || [ -x /usr/bin/rspamd ]; } || missing+=(rspamd)
{ command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; } || missing+=(redis-server)
# PostgreSQL: the cluster tests share Bulwark's security store between James nodes through it.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
# docker-compose: the tests validate docker-compose*.yml with it (no Docker daemon needed).
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
# openssl: webadmin's JWT key pair and admin tokens (scripts/webadmin-keys.sh, scripts/admin-token.sh).
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# curl: the tests call webadmin as the docs do, with curl's own defaults.
command -v curl >/dev/null 2>&1 || missing+=(curl)
# chromium and its driver: the web console's browser tests (ConsoleTest) run it headless.
{ [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || missing+=(chromium chromium-driver)
# 7-Zip (7zz): the tests make encrypted zip and 7z archives with it (ContainersTest, EncryptedArchivesTest).
command -v 7zz >/dev/null 2>&1 || missing+=(7zip)
# Node.js: ConsoleTextTest runs the console's text rendering (dom.js) in it.
command -v node >/dev/null 2>&1 || missing+=(nodejs)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Bulwark needs: ${missing[*]}. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 2
fi
echo "Installing ${missing[*]} ..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
