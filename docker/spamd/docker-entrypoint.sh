#!/usr/bin/env bash
# Entrypoint of Bulwark's spamd image.
#   spamd        (default) refresh the rules with sa-update, then run spamd in the foreground
#   healthcheck  exit 0 when spamd answers PING on 127.0.0.1:$SPAMD_PORT
#   anything else is executed as a command
#
# Environment:
#   SPAMD_PORT          port (default 783)
#   SPAMD_ALLOWED_IPS   --allowed-ips value (default 0.0.0.0/0, see below)
#   SPAMD_MAX_CHILDREN  --max-children (default 5)
#   SA_UPDATE           "false" skips sa-update (e.g. offline)
#   SA_UPDATE_TIMEOUT   seconds sa-update may take (default 120)
set -euo pipefail

SPAMD_PORT="${SPAMD_PORT:-783}"
# The port is not published on the host in docker-compose.yml: only containers on the compose
# network reach it, so any source address is accepted. Narrow this when publishing the port.
SPAMD_ALLOWED_IPS="${SPAMD_ALLOWED_IPS:-0.0.0.0/0}"
SPAMD_MAX_CHILDREN="${SPAMD_MAX_CHILDREN:-5}"
SA_UPDATE="${SA_UPDATE:-true}"
SA_UPDATE_TIMEOUT="${SA_UPDATE_TIMEOUT:-120}"
SA_HOME=/var/lib/spamassassin   # home of Debian's debian-spamd user

healthcheck() {
  local line
  exec 3<>"/dev/tcp/127.0.0.1/${SPAMD_PORT}"
  printf 'PING SPAMC/1.5\r\n\r\n' >&3
  IFS= read -r -t 5 line <&3
  [[ "${line%$'\r'}" == SPAMD/*" 0 PONG" ]]
}

update_rules() {
  if [ "$SA_UPDATE" = "false" ]; then
    echo "entrypoint: SA_UPDATE=false, using the rules already installed"
  else
    echo "entrypoint: sa-update (up to ${SA_UPDATE_TIMEOUT} s)"
    local rc=0
    # As Debian's own daily job does: as debian-spamd, with the keyring the package set up.
    timeout "$SA_UPDATE_TIMEOUT" runuser -u debian-spamd -- \
      sa-update --gpghomedir "${SA_HOME}/sa-update-keys" || rc=$?
    case "$rc" in
      0) echo "entrypoint: sa-update installed new rules" ;;
      1) echo "entrypoint: sa-update: rules already current" ;;
      *) echo "entrypoint: sa-update failed (exit ${rc}); starting with the rules already installed" ;;
    esac
  fi
  # A failed first sa-update leaves an empty ${SA_HOME}/<version>/ behind. SpamAssassin takes the first
  # rules directory that exists, so that empty one would hide the packaged rules in
  # /usr/share/spamassassin ("no rules were found!") and spamd would exit: drop it.
  local dir
  for dir in "${SA_HOME}"/[0-9]*.[0-9]*/; do
    [ -d "$dir" ] || continue
    if ! compgen -G "${dir}*.cf" > /dev/null; then
      echo "entrypoint: removing ${dir} (no rules in it); using /usr/share/spamassassin"
      rm -rf -- "$dir"
    fi
  done
}

run_spamd() {
  update_rules
  mkdir -p "${SA_HOME}/.spamassassin"
  chown -R debian-spamd:debian-spamd "${SA_HOME}/.spamassassin"
  echo "entrypoint: starting spamd on 0.0.0.0:${SPAMD_PORT}"
  # Foreground (no -d): the container lives as long as spamd. -x: no per-user configuration;
  # bayes data (TELL, needs --allow-tell) goes to debian-spamd's home, /var/lib/spamassassin.
  exec spamd \
    --listen 0.0.0.0 --port "$SPAMD_PORT" \
    --allowed-ips "$SPAMD_ALLOWED_IPS" \
    --min-children 1 --max-children "$SPAMD_MAX_CHILDREN" \
    -u debian-spamd -g debian-spamd \
    --helper-home-dir "$SA_HOME" \
    --cf="bayes_path ${SA_HOME}/.spamassassin/bayes" \
    --allow-tell -x --syslog=stderr
}

case "${1:-spamd}" in
  spamd) run_spamd ;;
  healthcheck) healthcheck ;;
  *) exec "$@" ;;
esac
