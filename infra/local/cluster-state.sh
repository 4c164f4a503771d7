# Shared by start-cluster.sh, stop-cluster.sh and status.sh (sourced, not run): where the local cluster keeps its
# state, free-port selection, process checks and HTTP polling. Everything binds to 127.0.0.1.

# shellcheck disable=SC2034 # used by the scripts that source this file
MIRC_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MIRC_CLUSTER_DIR="${MIRC_CLUSTER_DIR:-${TMPDIR:-/tmp}/mirc-local-cluster}"
MIRC_STATE_FILE="$MIRC_CLUSTER_DIR/cluster.env"

# Records KEY=VALUE in the state file, shell-quoted so it can be sourced back.
state_set() {
  printf '%s=%q\n' "$1" "$2" >>"$MIRC_STATE_FILE"
}

state_load() {
  [ -f "$MIRC_STATE_FILE" ] || return 1
  # shellcheck disable=SC1090
  . "$MIRC_STATE_FILE"
}

_taken_ports=" "

# True when something accepts connections on 127.0.0.1:$1.
port_listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints a loopback port nobody listens on and this run has not handed out yet. Below the Linux ephemeral range
# (32768+) so outgoing connections do not grab it between the choice and the bind. Callers take it as
# port="$(free_port)", a subshell whose variables are lost: the ports handed out are also kept in the cluster folder
# when it exists, or two picks of one start could draw the same port (~0.5 % of starts with a dozen ports).
free_port() {
  local port tries=0 taken_file="$MIRC_CLUSTER_DIR/.ports-taken"
  [ -d "$MIRC_CLUSTER_DIR" ] || taken_file=""
  while [ $tries -lt 200 ]; do
    port=$((20000 + RANDOM % 12000))
    tries=$((tries + 1))
    case "$_taken_ports" in *" $port "*) continue ;; esac
    if [ -n "$taken_file" ] && grep -qx "$port" "$taken_file" 2>/dev/null; then
      continue
    fi
    if ! port_listening "$port"; then
      _taken_ports="$_taken_ports$port "
      [ -z "$taken_file" ] || echo "$port" >>"$taken_file"
      echo "$port"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# True when PID $1 is alive and its command line contains $2 (guards against a recycled PID).
pid_matches() {
  local pid="$1" expected="$2"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$expected"
}

# Sends SIGTERM to PID $1 if it still runs $2, waits up to $3 seconds, then SIGKILL.
stop_pid() {
  local pid="$1" expected="$2" grace="${3:-20}" waited=0
  pid_matches "$pid" "$expected" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  while pid_matches "$pid" "$expected" && [ $waited -lt $((grace * 10)) ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  if pid_matches "$pid" "$expected"; then
    echo "  pid $pid did not stop in ${grace}s: SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

# Prints the HTTP status code of GET $1 (000 when nothing answers).
http_status() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null || true
}

# Waits until GET $1 answers 200, up to $2 seconds; fails early if PID $3 exits.
wait_http_ok() {
  local url="$1" pid="${3:-}" deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(http_status "$url")" = "200" ] && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.5
  done
  return 1
}

# Waits until 127.0.0.1:$1 accepts connections, up to $2 seconds.
wait_port() {
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    port_listening "$1" && return 0
    sleep 0.2
  done
  return 1
}

# Runs a command as the postgres user when we are root (PostgreSQL refuses to run as root).
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Directory of initdb/pg_ctl: PATH first, then Debian's versioned folders (newest first).
postgres_bin_dir() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  local dir
  for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  return 1
}
