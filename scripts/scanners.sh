#!/usr/bin/env bash
# Starts, stops and reports on a private clamd and spamd (and, when asked, rspamd) for Bulwark's tests and
# for local development.
#
#   scripts/scanners.sh start|stop|status|env
#
# The daemons run from this script's own configuration in a run directory of their own, never as the
# system services (no systemctl), and listen on 127.0.0.1 only. Several instances can run at once with
# different run directories and ports, e.g. a test suite on free ports beside a developer's default one.
#
# Settings (environment):
#   BULWARK_RUN_DIR      run directory (default: <repo>/.run/scanners)
#   BULWARK_CLAMD_PORT   clamd TCP port (default: 3310)
#   BULWARK_SPAMD_PORT   spamd TCP port (default: 783; below 1024 needs root)
#   BULWARK_SCANNER_HOST     loopback address both daemons listen on (default: 127.0.0.1; tests run a
#                            second clamd on 127.0.0.2 behind one host name)
#   BULWARK_SCANNER_TIMEOUT  seconds to wait for each daemon to answer PING (default: 90)
#   BULWARK_SPAMD_MAX_CHILDREN  spamd --max-children (default: 2; each child checks one message at a time)
#   BULWARK_SIGNATURE_DIR    clamd signature files to load (default: scripts/signatures; tests use
#                            a folder without EICAR to get a clamd that answers but detects nothing)
#   BULWARK_ENGINES      which daemons, comma separated, of clamd, spamd, rspamd (default: clamd,spamd, plus
#                        rspamd when BULWARK_RSPAMD_PORT is set); e.g. "rspamd" starts rspamd alone
#   BULWARK_RSPAMD_PORT  rspamd's scan port, worker-normal (default: 11333)
#   BULWARK_RSPAMD_CONTROLLER_PORT  rspamd's controller port, worker-controller: learning (default: 11334)
#   BULWARK_RSPAMD_WORKERS  rspamd worker-normal processes (default: 1)
#   BULWARK_RSPAMD_HS_CACHE  rspamd's compiled Hyperscan rules, shared by every run dir (default:
#                        $TMPDIR/bulwark-rspamd-hs-cache)
#   BULWARK_REDIS_PORT   when set, a private redis-server on that port, rspamd's Bayes store (rspamd 3.4
#                        learns only into redis); without it rspamd checks but cannot learn
#   BULWARK_SPAMD_USER_PREFS_DIR  per-user SpamAssassin preferences, <dir>/<user>/user_prefs, <user> as
#                            spamc's User: (Bulwark sends the recipient's address); copied into spamd's
#                            helper home and given as --virtual-config-dir (default: none, every user alike)
#   BULWARK_SPAMD_LOCAL_CF   a file of SpamAssassin settings for every user, as in local.cf, one per line (comments
#                            and blank lines skipped), each given to spamd as --cf; tests lower the Bayes minimums
#                            with it (bayes_min_spam_num 1) to see learning change verdicts (default: none)
#
# clamd loads only the project's own test signatures (scripts/signatures/*): EICAR and a Bulwark test
# marker, so it needs no download. spamd runs with --local (no network tests). rspamd runs from Debian's
# rules with the run directory's overrides: no DNS lists, no URL maps, no fuzzy servers, no DNS at all
# (its resolver points at loopback), no proxy or fuzzy workers; GTUBE is rejected by its core.
#
# Exit codes: 0 ok; 1 a daemon failed to start or stop; 2 packages missing and not root (the command to
# install them is printed); 3 status found a daemon not answering; 64 usage.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "${SCRIPT_DIR}/.." && pwd)"
SIGNATURE_DIR="${BULWARK_SIGNATURE_DIR:-${SCRIPT_DIR}/signatures}"

HOST="${BULWARK_SCANNER_HOST:-127.0.0.1}"
RUN_DIR="${BULWARK_RUN_DIR:-${REPO_DIR}/.run/scanners}"
[[ "$RUN_DIR" == /* ]] || RUN_DIR="${PWD}/${RUN_DIR}"   # clamd.conf needs absolute paths
CLAMD_PORT="${BULWARK_CLAMD_PORT:-3310}"
SPAMD_PORT="${BULWARK_SPAMD_PORT:-783}"
WAIT_SECONDS="${BULWARK_SCANNER_TIMEOUT:-90}"
# spamd's children: each checks one message at a time, CPU-bound; more than the cores rarely helps.
SPAMD_MAX_CHILDREN="${BULWARK_SPAMD_MAX_CHILDREN:-2}"
SPAMD_USER_PREFS_DIR="${BULWARK_SPAMD_USER_PREFS_DIR:-}"
SPAMD_LOCAL_CF="${BULWARK_SPAMD_LOCAL_CF:-}"
IO_TIMEOUT=5   # seconds to wait for one reply

RSPAMD_PORT="${BULWARK_RSPAMD_PORT:-11333}"
RSPAMD_CONTROLLER_PORT="${BULWARK_RSPAMD_CONTROLLER_PORT:-11334}"
REDIS_PORT="${BULWARK_REDIS_PORT:-}"
# rspamd compiles its rules for Hyperscan at its first start (seconds, tens under load): kept between run
# directories, so that only the first rspamd on a machine pays for it.
RSPAMD_HS_CACHE="${BULWARK_RSPAMD_HS_CACHE:-${TMPDIR:-/tmp}/bulwark-rspamd-hs-cache}"
# rspamd's scanning processes (worker-normal); each checks many messages at once (asynchronous).
RSPAMD_WORKERS="${BULWARK_RSPAMD_WORKERS:-1}"
if [ -n "${BULWARK_ENGINES:-}" ]; then
  ENGINES=",${BULWARK_ENGINES// /},"
elif [ -n "${BULWARK_RSPAMD_PORT:-}" ]; then
  ENGINES=",clamd,spamd,rspamd,"
else
  ENGINES=",clamd,spamd,"
fi
wants() { [[ "$ENGINES" == *",$1,"* ]]; }

APT_PACKAGES=(clamav-daemon clamdscan spamassassin spamd)
if wants rspamd; then APT_PACKAGES+=(rspamd); fi
if wants rspamd && [ -n "$REDIS_PORT" ]; then APT_PACKAGES+=(redis-server); fi

CLAMD_CONF="${RUN_DIR}/clamd.conf"
CLAMD_DB="${RUN_DIR}/db"
CLAMD_LOG="${RUN_DIR}/clamd.log"
CLAMD_PID="${RUN_DIR}/clamd.pid"
SPAMD_LOG="${RUN_DIR}/spamd.log"
SPAMD_PID="${RUN_DIR}/spamd.pid"
SPAMD_HOME="${RUN_DIR}/spamd-home"
# When SPAMD_HOME cannot be reached by user nobody (e.g. a run dir below a private mktemp dir), the
# helper home goes to a directory of its own in /tmp, whose path is recorded here.
SPAMD_HOME_REF="${RUN_DIR}/spamd-home.path"

log() { printf 'scanners: %s\n' "$*"; }
err() { printf 'scanners: %s\n' "$*" >&2; }

RSPAMD_DIR="${RUN_DIR}/rspamd"
RSPAMD_LOG="${RSPAMD_DIR}/rspamd.log"
RSPAMD_PID="${RSPAMD_DIR}/rspamd.pid"
REDIS_PID="${RSPAMD_DIR}/redis.pid"
REDIS_LOG="${RSPAMD_DIR}/redis.log"

usage() {
  cat >&2 <<EOF
usage: $0 start|stop|status|env
  start   start ${ENGINES//,/ } on ${HOST} (ports ${CLAMD_PORT}, ${SPAMD_PORT}; rspamd ${RSPAMD_PORT}) from ${RUN_DIR}
  stop    stop the daemons this run dir started
  status  one line per daemon; exit 0 if both answer PING, 3 otherwise
  env     print BULWARK_TEST_CLAMD=... and BULWARK_TEST_SPAMD=... lines
EOF
  exit 64
}

is_root() { [ "$(id -u)" -eq 0 ]; }

validate_port() {
  local name=$1 value=$2
  if ! [[ "$value" =~ ^[0-9]+$ ]] || [ "$value" -lt 1 ] || [ "$value" -gt 65535 ]; then
    err "${name}=${value} is not a TCP port"
    exit 64
  fi
}

now() {
  # Seconds with decimals (bash 5), or whole seconds elsewhere.
  if [ -n "${EPOCHREALTIME:-}" ]; then printf '%s' "${EPOCHREALTIME/,/.}"; else date +%s; fi
}

elapsed_since() {
  awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'
}

# Finds a daemon binary; /usr/sbin is often not on a non-root user's PATH.
find_bin() {
  local name=$1 dir dirs
  IFS=: read -r -a dirs <<< "${PATH:-}"
  for dir in "${dirs[@]}" /usr/sbin /usr/local/sbin /sbin; do
    if [ -n "$dir" ] && [ -f "${dir}/${name}" ] && [ -x "${dir}/${name}" ]; then
      printf '%s\n' "${dir}/${name}"
      return 0
    fi
  done
  return 1
}

# --- tiny TCP clients (bash /dev/tcp; run in a subshell so a broken connection cannot end the script) ---

# clamd command (without the leading z and the trailing NUL) -> first NUL-terminated reply on stdout.
clamd_command() {
  local port=$1 command=$2
  (
    exec 3<>"/dev/tcp/${HOST}/${port}" || exit 1
    printf 'z%s\0' "$command" >&3
    IFS= read -r -d '' -t "$IO_TIMEOUT" reply <&3 || [ -n "${reply:-}" ] || exit 1
    printf '%s\n' "$reply"
  ) 2>/dev/null
}

clamd_ping() { [ "$(clamd_command "$1" PING)" = "PONG" ]; }

spamd_ping() {
  local port=$1
  (
    exec 3<>"/dev/tcp/${HOST}/${port}" || exit 1
    printf 'PING SPAMC/1.5\r\n\r\n' >&3
    IFS= read -r -t "$IO_TIMEOUT" line <&3 || [ -n "${line:-}" ] || exit 1
    line=${line%$'\r'}
    # e.g. "SPAMD/1.5 0 PONG"
    [[ "$line" == SPAMD/*" 0 PONG" ]]
  ) 2>/dev/null
}

# True when something accepts connections on the port.
port_open() {
  local port=$1
  ( exec 3<>"/dev/tcp/${HOST}/${port}" ) 2>/dev/null
}

describe_listener() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    ss -Hltnp "sport = :${port}" 2>/dev/null | sed 's/^/    /' || true
  fi
}

# --- PID files ---

read_pid() {
  local file=$1 pid
  [ -f "$file" ] || return 1
  pid=$(tr -dc '0-9' < "$file" 2>/dev/null || true)
  [ -n "$pid" ] || return 1
  printf '%s\n' "$pid"
}

process_args() {
  local pid=$1
  if [ -r "/proc/${pid}/cmdline" ]; then
    tr '\0' ' ' < "/proc/${pid}/cmdline" 2>/dev/null || true
  else
    ps -p "$pid" -o args= 2>/dev/null || true
  fi
}

# Prints the PID from the daemon's PID file when that process is alive and is that daemon (guards
# against a stale file whose PID was reused by something else).
live_pid() {
  local daemon=$1 file=$2 pid
  pid=$(read_pid "$file") || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ "$(process_args "$pid")" == *"$daemon"* ]] || return 1
  printf '%s\n' "$pid"
}

# --- installation ---

ensure_installed() {
  local missing=() name
  if wants clamd; then find_bin clamd >/dev/null || missing+=(clamd); fi
  if wants spamd; then find_bin spamd >/dev/null || missing+=(spamd); fi
  if wants rspamd; then find_bin rspamd >/dev/null || missing+=(rspamd); fi
  if wants rspamd && [ -n "$REDIS_PORT" ]; then find_bin redis-server >/dev/null || missing+=(redis-server); fi
  [ "${#missing[@]}" -eq 0 ] && return 0
  if is_root; then
    log "missing ${missing[*]}: installing ${APT_PACKAGES[*]} with apt-get"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${APT_PACKAGES[@]}"
    for name in "${missing[@]}"; do
      if ! find_bin "$name" >/dev/null; then
        err "${name} still missing after apt-get install"
        exit 1
      fi
    done
    return 0
  fi
  err "missing ${missing[*]}; install them with:"
  printf 'sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y %s\n' "${APT_PACKAGES[*]}"
  exit 2
}

# --- waiting ---

show_log_tail() {
  local file=$1
  if [ -s "$file" ]; then
    err "last lines of ${file}:"
    tail -n 25 "$file" | sed 's/^/    /' >&2
  else
    err "(no log in ${file})"
  fi
}

# wait_ready NAME PING_FUNCTION PORT LOG [LAUNCHER_PID]: polls until PING answers, bounded.
wait_ready() {
  local name=$1 ping=$2 port=$3 logfile=$4 launcher=${5:-} deadline
  deadline=$((SECONDS + WAIT_SECONDS))
  while ! "$ping" "$port"; do
    if [ -n "$launcher" ] && ! kill -0 "$launcher" 2>/dev/null; then
      err "${name} exited before answering PING on ${HOST}:${port}"
      show_log_tail "$logfile"
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      err "${name} did not answer PING on ${HOST}:${port} within ${WAIT_SECONDS} s"
      show_log_tail "$logfile"
      return 1
    fi
    sleep 0.2
  done
}

# Waits for a daemon this script launched in a session of its own (PID launcher) to answer; prints its PID.
# The daemon writes its PID file itself; the launcher's PID stands in until it has. Stopped when not ready.
await_launched() {
  local name=$1 ping=$2 port=$3 logfile=$4 pidfile=$5 launcher=$6
  if ! wait_ready "$name" "$ping" "$port" "$logfile" "$launcher"; then
    [ -f "$pidfile" ] || printf '%s\n' "$launcher" > "$pidfile"
    stop_daemon "$name" "$pidfile" >&2 || true
    return 1
  fi
  read_pid "$pidfile" >/dev/null || printf '%s\n' "$launcher" > "$pidfile"
  read_pid "$pidfile"
}

# Refuses to start when the port is already served by a process this run dir did not start.
check_port_free() {
  local name=$1 port=$2 hint=${3:-}
  if port_open "$port"; then
    err "${HOST}:${port} is already in use by another process, not by the ${name} of ${RUN_DIR}:"
    describe_listener "$port" >&2
    err "stop that process or choose another port (BULWARK_${name^^}_PORT)${hint:+; $hint}"
    return 1
  fi
}

# --- clamd ---

write_clamd_conf() {
  local sig
  mkdir -p "$CLAMD_DB"
  rm -f "${CLAMD_DB}"/*
  shopt -s nullglob
  local sigs=("${SIGNATURE_DIR}"/*.hdb "${SIGNATURE_DIR}"/*.ndb "${SIGNATURE_DIR}"/*.ldb "${SIGNATURE_DIR}"/*.hsb)
  shopt -u nullglob
  if [ "${#sigs[@]}" -eq 0 ]; then
    err "no signature files in ${SIGNATURE_DIR}"
    return 1
  fi
  for sig in "${sigs[@]}"; do cp "$sig" "$CLAMD_DB/"; done
  {
    echo "# Written by scripts/scanners.sh; rewritten at each start."
    echo "TCPSocket ${CLAMD_PORT}"
    echo "TCPAddr ${HOST}"
    echo "DatabaseDirectory ${CLAMD_DB}"
    echo "LogFile ${CLAMD_LOG}"
    echo "LogTime yes"
    echo "PidFile ${CLAMD_PID}"
    echo "TemporaryDirectory ${RUN_DIR}/tmp"
    if is_root; then echo "User root"; fi
    # In the foreground, in a session of its own started by this script: clamd's own daemonizing (the
    # parent waits for a signal from the child) once returned failure after a normal start under load.
    echo "Foreground yes"
    echo "StreamMaxLength 25M"
    # Archive and size limits hit while scanning are reported (Heuristics.Limits.Exceeded.*: SUSPICIOUS)
    # instead of the part passing as clean.
    echo "AlertExceedsMax yes"
    # Encrypted archives (zip, 7z, RAR) and documents (PDF) hide their content from every scanner:
    # reported as Heuristics.Encrypted.*, which Bulwark quarantines as banned. Broken executables (PE, ELF)
    # as Heuristics.Broken.Executable: SUSPICIOUS.
    echo "AlertEncrypted yes"
    echo "AlertBrokenExecutables yes"
    echo "MaxThreads 8"
    echo "SelfCheck 3600"
  } > "$CLAMD_CONF"
  mkdir -p "${RUN_DIR}/tmp"
}

start_clamd() {
  local pid clamd_bin launcher
  if pid=$(live_pid clamd "$CLAMD_PID"); then
    if clamd_ping "$CLAMD_PORT"; then
      log "clamd already running on ${HOST}:${CLAMD_PORT} (pid ${pid})"
      return 0
    fi
    # Ours but silent: still loading, or started with another port.
    log "clamd (pid ${pid}) is up but not answering on ${HOST}:${CLAMD_PORT} yet; waiting"
    if wait_ready clamd clamd_ping "$CLAMD_PORT" "$CLAMD_LOG" "$pid"; then
      log "clamd already running on ${HOST}:${CLAMD_PORT} (pid ${pid})"
      return 0
    fi
    err "clamd pid ${pid} from ${CLAMD_PID} does not answer on port ${CLAMD_PORT}; run '$0 stop' first"
    return 1
  fi
  rm -f "$CLAMD_PID"
  check_port_free clamd "$CLAMD_PORT" || return 1
  clamd_bin=$(find_bin clamd)
  write_clamd_conf || return 1
  local start
  start=$(now)
  log "starting clamd on ${HOST}:${CLAMD_PORT} (config ${CLAMD_CONF})"
  # Its own session, so it outlives this shell and a terminal's hang-up. In the foreground clamd logs to
  # LogFile and stdout alike: stdout dropped, stderr (libclamav's errors) kept in the log. Ready is when
  # it answers PING; its exit before that is a failure, shown with the log's last lines.
  setsid "$clamd_bin" --config-file="$CLAMD_CONF" > /dev/null 2>> "$CLAMD_LOG" < /dev/null &
  launcher=$!
  pid=$(await_launched clamd clamd_ping "$CLAMD_PORT" "$CLAMD_LOG" "$CLAMD_PID" "$launcher") || return 1
  log "clamd ready on ${HOST}:${CLAMD_PORT} (pid ${pid}) after $(elapsed_since "$start") s"
  CLAMD_STARTED_NOW=1
}

# --- spamd ---

# Prints the helper home directory to use; as root it must be writable by nobody, who runs the children.
prepare_spamd_home() {
  local home=$SPAMD_HOME
  mkdir -p "$home"
  if is_root; then
    chown nobody "$home" 2>/dev/null || true
    chmod 700 "$home"
    if ! runuser -u nobody -- test -w "$home" 2>/dev/null; then
      # A parent directory is not searchable by nobody: use a directory of its own in /tmp.
      home=$(mktemp -d "${TMPDIR:-/tmp}/bulwark-spamd-home.XXXXXX")
      chown nobody "$home"
      chmod 700 "$home"
      printf '%s\n' "$home" > "$SPAMD_HOME_REF"
    fi
  fi
  printf '%s\n' "$home"
}

start_spamd() {
  local pid spamd_bin home launcher start
  if pid=$(live_pid spamd "$SPAMD_PID"); then
    if spamd_ping "$SPAMD_PORT"; then
      log "spamd already running on ${HOST}:${SPAMD_PORT} (pid ${pid})"
      return 0
    fi
    log "spamd (pid ${pid}) is up but not answering on ${HOST}:${SPAMD_PORT} yet; waiting"
    if wait_ready spamd spamd_ping "$SPAMD_PORT" "$SPAMD_LOG" "$pid"; then
      log "spamd already running on ${HOST}:${SPAMD_PORT} (pid ${pid})"
      return 0
    fi
    err "spamd pid ${pid} from ${SPAMD_PID} does not answer on port ${SPAMD_PORT}; run '$0 stop' first"
    return 1
  fi
  rm -f "$SPAMD_PID"
  local hint=""
  if [ "$SPAMD_PORT" -eq 783 ]; then
    hint="installing Debian's spamd package may have started the system spamd service on port 783"
  fi
  check_port_free spamd "$SPAMD_PORT" "$hint" || return 1
  spamd_bin=$(find_bin spamd)
  home=$(prepare_spamd_home)
  local args=(--local --listen "$HOST" --port "$SPAMD_PORT" --min-children 1 --max-children "$SPAMD_MAX_CHILDREN"
              --helper-home-dir "$home" --pidfile "$SPAMD_PID" --allow-tell -x --syslog=stderr
              # Bayes data (TELL) in the helper home; otherwise it goes to the user's home, which for
              # nobody is /nonexistent, and TELL silently learns nothing.
              --cf="bayes_path ${home}/.spamassassin/bayes")
  if [ -n "$SPAMD_USER_PREFS_DIR" ]; then
    # Per-user preferences (virtual users: -x keeps real home directories out); in the helper home, which
    # user nobody can read.
    rm -rf "${home}/user-prefs"
    cp -r "$SPAMD_USER_PREFS_DIR" "${home}/user-prefs"
    if is_root; then chown -R nobody "${home}/user-prefs"; fi
    args+=(--virtual-config-dir="${home}/user-prefs/%u")
  fi
  if [ -n "$SPAMD_LOCAL_CF" ]; then
    if [ ! -r "$SPAMD_LOCAL_CF" ]; then
      err "BULWARK_SPAMD_LOCAL_CF=${SPAMD_LOCAL_CF} is not a readable file"
      return 1
    fi
    local line
    while IFS= read -r line || [ -n "$line" ]; do
      line="${line%$'\r'}"
      [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
      args+=(--cf="$line")
    done < "$SPAMD_LOCAL_CF"
  fi
  if is_root; then args+=(-u nobody); fi
  start=$(now)
  log "starting spamd on ${HOST}:${SPAMD_PORT} (log ${SPAMD_LOG})"
  {
    printf '=== %s: %s %s\n' "$(date '+%F %T')" "$spamd_bin" "${args[*]}"
  } >> "$SPAMD_LOG"
  # Its own session, so it outlives this shell and a terminal's hang-up; output to the log.
  setsid "$spamd_bin" "${args[@]}" >> "$SPAMD_LOG" 2>&1 < /dev/null &
  launcher=$!
  pid=$(await_launched spamd spamd_ping "$SPAMD_PORT" "$SPAMD_LOG" "$SPAMD_PID" "$launcher") || return 1
  log "spamd ready on ${HOST}:${SPAMD_PORT} (pid ${pid}) after $(elapsed_since "$start") s"
}

# --- rspamd (and its redis) ---

# GET /ping on rspamd's scan port (or controller port) must answer "pong".
rspamd_ping() {
  local port=$1
  (
    exec 3<>"/dev/tcp/${HOST}/${port}" || exit 1
    printf 'GET /ping HTTP/1.0\r\nHost: %s\r\n\r\n' "$HOST" >&3
    reply=$(timeout "$IO_TIMEOUT" cat <&3) || [ -n "${reply:-}" ] || exit 1
    [[ "$reply" == "HTTP/1."?" 200"* && "$reply" == *pong* ]]
  ) 2>/dev/null
}

redis_ping() {
  local port=$1
  (
    exec 3<>"/dev/tcp/${HOST}/${port}" || exit 1
    printf 'PING\r\n' >&3
    IFS= read -r -t "$IO_TIMEOUT" line <&3 || exit 1
    [ "${line%$'\r'}" = "+PONG" ]
  ) 2>/dev/null
}

# Modules that would reach the network (DNS lists, DNS checks, URL maps, fuzzy servers, updates) or need
# redis for something other than Bayes: off. What stays is rspamd's local rules (regexp, MIME, headers,
# chartable, GTUBE in its core), and Bayes when a redis is given.
RSPAMD_MODULES_OFF=(antivirus arc asn bimi clickhouse dcc dkim dkim_signing dmarc elastic emails external_relay
  external_services fuzzy_check greylist hfilter history_redis metadata_exporter mid mime_types multimap
  mx_check neural p0f phishing ratelimit rbl replies reputation rspamd_update spamtrap spf surbl
  url_redirector whitelist)

write_rspamd_conf() {
  local conf="${RSPAMD_DIR}/conf" module
  [ -n "$RSPAMD_DIR" ] || return 1
  rm -rf "$conf"
  mkdir -p "${conf}/local.d" "${conf}/override.d" "${RSPAMD_DIR}/db" "$RSPAMD_HS_CACHE"
  {
    echo "# Written by scripts/scanners.sh; rewritten at each start."
    echo "bind_socket = \"${HOST}:${RSPAMD_PORT}\";"
    echo "count = ${RSPAMD_WORKERS};"
  } > "${conf}/override.d/worker-normal.inc"
  {
    echo "# Learning (POST /learnspam, /learnham) from loopback only; no password: secure_ip admits a caller."
    echo "bind_socket = \"${HOST}:${RSPAMD_CONTROLLER_PORT}\";"
    echo "count = 1;"
    echo "secure_ip = \"127.0.0.0/8\";"
    echo "secure_ip = \"::1\";"
  } > "${conf}/override.d/worker-controller.inc"
  printf 'enabled = false;\ncount = 0;\nbind_socket = "%s:0";\n' "$HOST" > "${conf}/override.d/worker-proxy.inc"
  printf 'enabled = false;\ncount = -1;\nbind_socket = "%s:0";\n' "$HOST" > "${conf}/override.d/worker-fuzzy.inc"
  {
    echo "type = \"file\";"
    echo "filename = \"${RSPAMD_LOG}\";"
    echo "level = \"notice\";"
    echo "color = false;"
  } > "${conf}/override.d/logging.inc"
  {
    echo "# No DNS: nothing answers on this address, so a lookup fails at once instead of leaving the machine."
    echo "dns {"
    echo "  nameserver = [\"127.0.0.1:1\"];"
    echo "  timeout = 0.2s;"
    echo "  retransmits = 1;"
    echo "}"
    echo "filters = \"chartable,regexp\";"
    echo "hs_cache_dir = \"${RSPAMD_HS_CACHE}\";"
  } > "${conf}/local.d/options.inc"
  for module in "${RSPAMD_MODULES_OFF[@]}"; do
    printf 'enabled = false;\n' > "${conf}/override.d/${module}.conf"
  done
  if [ -n "$REDIS_PORT" ]; then
    printf 'servers = "%s:%s";\n' "$HOST" "$REDIS_PORT" > "${conf}/local.d/redis.conf"
    # One Bayes for all users: Bulwark sends Deliver-To, but the classes are not kept per user.
    printf 'backend = "redis";\nservers = "%s:%s";\nmin_learns = 1;\n' "$HOST" "$REDIS_PORT" \
      > "${conf}/local.d/classifier-bayes.conf"
  fi
}

start_redis() {
  local pid redis_bin start
  if pid=$(live_pid redis-server "$REDIS_PID"); then
    log "redis already running on ${HOST}:${REDIS_PORT} (pid ${pid})"
    return 0
  fi
  rm -f "$REDIS_PID"
  check_port_free redis "$REDIS_PORT" || return 1
  redis_bin=$(find_bin redis-server)
  mkdir -p "${RSPAMD_DIR}/redis"
  start=$(now)
  log "starting redis on ${HOST}:${REDIS_PORT} (rspamd's Bayes store)"
  if ! "$redis_bin" --bind "$HOST" --port "$REDIS_PORT" --daemonize yes --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" \
      --dir "${RSPAMD_DIR}/redis" --save "" --appendonly no < /dev/null; then
    err "redis failed to start"
    show_log_tail "$REDIS_LOG"
    return 1
  fi
  if ! wait_ready redis redis_ping "$REDIS_PORT" "$REDIS_LOG"; then
    stop_daemon redis-server "$REDIS_PID" >&2 || true
    return 1
  fi
  log "redis ready on ${HOST}:${REDIS_PORT} after $(elapsed_since "$start") s"
}

start_rspamd() {
  local pid rspamd_bin start args
  if pid=$(live_pid rspamd "$RSPAMD_PID"); then
    if rspamd_ping "$RSPAMD_PORT"; then
      log "rspamd already running on ${HOST}:${RSPAMD_PORT} (pid ${pid})"
      return 0
    fi
    log "rspamd (pid ${pid}) is up but not answering on ${HOST}:${RSPAMD_PORT} yet; waiting"
    if wait_ready rspamd rspamd_ping "$RSPAMD_PORT" "$RSPAMD_LOG" "$pid"; then
      log "rspamd already running on ${HOST}:${RSPAMD_PORT} (pid ${pid})"
      return 0
    fi
    err "rspamd pid ${pid} from ${RSPAMD_PID} does not answer on port ${RSPAMD_PORT}; run '$0 stop' first"
    return 1
  fi
  rm -f "$RSPAMD_PID"
  check_port_free rspamd "$RSPAMD_PORT" || return 1
  check_port_free rspamd_controller "$RSPAMD_CONTROLLER_PORT" || return 1
  mkdir -p "$RSPAMD_DIR"
  if [ -n "$REDIS_PORT" ]; then start_redis || return 1; fi
  rspamd_bin=$(find_bin rspamd)
  write_rspamd_conf
  args=(-c /etc/rspamd/rspamd.conf -p "$RSPAMD_PID"
        --var "LOCAL_CONFDIR=${RSPAMD_DIR}/conf" --var "DBDIR=${RSPAMD_DIR}/db"
        --var "RUNDIR=${RSPAMD_DIR}" --var "LOGDIR=${RSPAMD_DIR}")
  # As root the workers stay root, as clamd does here (a run dir below a private temp dir is not
  # reachable by _rspamd); rspamd refuses that unless told (-i).
  if is_root; then args+=(-i); fi
  start=$(now)
  log "starting rspamd on ${HOST}:${RSPAMD_PORT}, controller ${RSPAMD_CONTROLLER_PORT} (log ${RSPAMD_LOG})"
  # rspamd checks its configuration, daemonizes and writes its PID file; its exit status says whether that worked.
  if ! "$rspamd_bin" "${args[@]}" >> "${RSPAMD_DIR}/rspamd.out" 2>&1 < /dev/null; then
    err "rspamd failed to start"
    show_log_tail "${RSPAMD_DIR}/rspamd.out"
    show_log_tail "$RSPAMD_LOG"
    return 1
  fi
  pid=$(read_pid "$RSPAMD_PID" || true)
  if ! wait_ready rspamd rspamd_ping "$RSPAMD_PORT" "$RSPAMD_LOG" "$pid" \
      || ! wait_ready rspamd_controller rspamd_ping "$RSPAMD_CONTROLLER_PORT" "$RSPAMD_LOG" "$pid"; then
    stop_daemon rspamd "$RSPAMD_PID" >&2 || true
    return 1
  fi
  log "rspamd ready on ${HOST}:${RSPAMD_PORT} (pid ${pid}) after $(elapsed_since "$start") s"
}

# --- stop ---

stop_daemon() {
  local name=$1 file=$2 pid i
  if ! pid=$(live_pid "$name" "$file"); then
    if [ -f "$file" ]; then
      log "${name} not running (removing stale ${file})"
      rm -f "$file"
    else
      log "${name} not running (nothing started from ${RUN_DIR})"
    fi
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do            # 30 s
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    err "${name} (pid ${pid}) ignored SIGTERM for 30 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      err "${name} (pid ${pid}) is still running"
      return 1
    fi
  fi
  rm -f "$file"
  log "${name} stopped (pid ${pid})"
}

cmd_stop() {
  local rc=0
  if wants clamd; then stop_daemon clamd "$CLAMD_PID" || rc=1; fi
  if wants spamd; then stop_daemon spamd "$SPAMD_PID" || rc=1; fi
  # rspamd and its redis: whenever this run dir started them, asked for or not.
  if wants rspamd || [ -f "$RSPAMD_PID" ]; then stop_daemon rspamd "$RSPAMD_PID" || rc=1; fi
  if [ -f "$REDIS_PID" ]; then stop_daemon redis-server "$REDIS_PID" || rc=1; fi
  if [ -f "$SPAMD_HOME_REF" ]; then
    local home
    home=$(cat "$SPAMD_HOME_REF")
    case "$home" in
      */bulwark-spamd-home.*) rm -rf -- "$home" ;;
    esac
    rm -f "$SPAMD_HOME_REF"
  fi
  return "$rc"
}

# --- status ---

cmd_status() {
  local rc=0
  if wants clamd; then status_line clamd "$CLAMD_PID" "$CLAMD_PORT" clamd_ping || rc=3; fi
  if wants spamd; then status_line spamd "$SPAMD_PID" "$SPAMD_PORT" spamd_ping || rc=3; fi
  if wants rspamd; then status_line rspamd "$RSPAMD_PID" "$RSPAMD_PORT" rspamd_ping || rc=3; fi
  return "$rc"
}

# status_line NAME PIDFILE PORT PING_FUNCTION: prints one line; false when the daemon does not answer.
status_line() {
  local name=$1 file=$2 port=$3 ping=$4 pid="" details
  pid=$(live_pid "$name" "$file") || pid=""
  if "$ping" "$port"; then
    if [ -n "$pid" ]; then details="pid ${pid}"; else details="pid unknown: not started from ${RUN_DIR}"; fi
    if [ "$name" = clamd ]; then details="${details}, $(clamd_command "$port" VERSION || echo 'version unknown')"; fi
    echo "${name}: running on ${HOST}:${port} (${details})"
    return 0
  fi
  if [ -n "$pid" ]; then details="pid ${pid} alive but not answering"; else details="no process"; fi
  echo "${name}: stopped (${HOST}:${port}, ${details})"
  return 1
}

cmd_env() {
  if wants clamd; then echo "BULWARK_TEST_CLAMD=${HOST}:${CLAMD_PORT}"; fi
  if wants spamd; then echo "BULWARK_TEST_SPAMD=${HOST}:${SPAMD_PORT}"; fi
  if wants rspamd; then
    echo "BULWARK_TEST_RSPAMD=${HOST}:${RSPAMD_PORT}"
    echo "BULWARK_TEST_RSPAMD_CONTROLLER=${HOST}:${RSPAMD_CONTROLLER_PORT}"
    if [ -n "$REDIS_PORT" ]; then echo "BULWARK_TEST_REDIS=${HOST}:${REDIS_PORT}"; fi
  fi
}

cmd_start() {
  ensure_installed
  if ! is_root; then
    local name port
    for name in CLAMD SPAMD; do
      wants "${name,,}" || continue
      port="${name}_PORT"
      if [ "${!port}" -lt 1024 ]; then
        err "port ${!port} needs root; set BULWARK_${name}_PORT to a port >= 1024"
        exit 1
      fi
    done
  fi
  mkdir -p "$RUN_DIR"
  # spamd's children run as nobody when started as root: let them reach their helper home.
  if is_root; then chmod 755 "$RUN_DIR"; fi
  CLAMD_STARTED_NOW=0
  if wants clamd; then start_clamd || exit 1; fi
  if wants spamd && ! start_spamd; then
    # Leave nothing behind that this call started.
    if [ "$CLAMD_STARTED_NOW" -eq 1 ]; then stop_daemon clamd "$CLAMD_PID" || true; fi
    exit 1
  fi
  if wants rspamd && ! start_rspamd; then
    if [ -f "$REDIS_PID" ]; then stop_daemon redis-server "$REDIS_PID" || true; fi
    exit 1
  fi
}

main() {
  [ "$#" -eq 1 ] || usage
  validate_port BULWARK_CLAMD_PORT "$CLAMD_PORT"
  validate_port BULWARK_SPAMD_PORT "$SPAMD_PORT"
  validate_port BULWARK_RSPAMD_PORT "$RSPAMD_PORT"
  validate_port BULWARK_RSPAMD_CONTROLLER_PORT "$RSPAMD_CONTROLLER_PORT"
  if [ -n "$REDIS_PORT" ]; then validate_port BULWARK_REDIS_PORT "$REDIS_PORT"; fi
  local engine
  for engine in ${ENGINES//,/ }; do
    case "$engine" in
      clamd|spamd|rspamd) ;;
      *) err "BULWARK_ENGINES names '${engine}': only clamd, spamd and rspamd are known"; exit 64 ;;
    esac
  done
  if ! [[ "$RSPAMD_WORKERS" =~ ^[1-9][0-9]*$ ]]; then
    err "BULWARK_RSPAMD_WORKERS=${RSPAMD_WORKERS} is not a positive number"
    exit 64
  fi
  if ! [[ "$SPAMD_MAX_CHILDREN" =~ ^[1-9][0-9]*$ ]]; then
    err "BULWARK_SPAMD_MAX_CHILDREN=${SPAMD_MAX_CHILDREN} is not a positive number"
    exit 64
  fi
  if ! [[ "$WAIT_SECONDS" =~ ^[0-9]+$ ]]; then
    err "BULWARK_SCANNER_TIMEOUT=${WAIT_SECONDS} is not a number of seconds"
    exit 64
  fi
  case "$1" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    *) usage ;;
  esac
}

main "$@"
