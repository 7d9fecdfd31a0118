#!/usr/bin/env bash
# Embedded Neo4j Community 5.26 dev/test server (no Docker needed).
#
#   tools/neo4j/neo4j.sh start|stop|status|restart
#
# Environment:
#   NEO4J_BOLT_PORT      Bolt port on 127.0.0.1              (default 7687)
#   NEO4J_DATA_DIR       Neo4j home, relative to repo root   (default .neo4j/data)
#   NEO4J_HEAP           JVM max heap                        (default 1g)
#   NEO4J_PAGECACHE      page cache size                     (default 128m)
#   NEO4J_TX_TIMEOUT     transaction timeout, seconds        (default 120)
#   NEO4J_START_TIMEOUT  seconds to wait for Bolt on start   (default 120)
#   NEO4J_JAVA_OPTS      extra JVM options
#   NEO4J_AUTH           user/password: authentication on, that user with that password
#                        (set on every start); unset or none: off (default)
#
# Everything generated (jars, compiled launcher, data, logs, pid) lives under .neo4j/.
# Without NEO4J_AUTH auth is disabled; drivers may still send any basic-auth credentials.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE="$ROOT/.neo4j"
LIB="$STATE/lib"
CLASSES="$STATE/classes"
POM="$SCRIPT_DIR/pom.xml"
SRC="$SCRIPT_DIR/Neo4jLauncher.java"

PORT="${NEO4J_BOLT_PORT:-7687}"
DATA_DIR="${NEO4J_DATA_DIR:-.neo4j/data}"
[[ "$DATA_DIR" = /* ]] || DATA_DIR="$ROOT/$DATA_DIR"
# Default instance uses the documented names; other ports get their own files so
# several instances can run side by side.
if [[ "$PORT" == 7687 ]]; then SUFFIX=""; else SUFFIX="-$PORT"; fi
PID_FILE="$STATE/neo4j$SUFFIX.pid"
LOG_FILE="$STATE/neo4j$SUFFIX.log"

START_TIMEOUT="${NEO4J_START_TIMEOUT:-120}"
STOP_TIMEOUT=30

log() { echo "neo4j.sh: $*" >&2; }

# kill -0 alone is fooled by zombies (our own dead child during start, or an
# unreaped process in containers without a real init), so also check the state.
is_alive() {
  local state
  state="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [[ -n "$state" && "$state" != Z ]]
}

# Echo the pid if the pid file points at a live launcher (guards against pid reuse).
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  is_alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q Neo4jLauncher || return 1
  echo "$pid"
}

# Resolve jars once; the .complete marker makes a half-finished download count as missing.
fetch_deps() {
  if [[ -f "$LIB/.complete" && "$LIB/.complete" -nt "$POM" ]]; then return 0; fi
  log "resolving Neo4j jars into $LIB (first run only)"
  local tmp="$LIB.tmp"
  rm -rf "$tmp"
  # Try offline first so re-runs work without network once ~/.m2 is populated.
  if ! mvn -B -q -o -f "$POM" dependency:copy-dependencies -DoutputDirectory="$tmp" >/dev/null 2>&1; then
    rm -rf "$tmp"
    mvn -B -q -f "$POM" dependency:copy-dependencies -DoutputDirectory="$tmp"
  fi
  rm -rf "$LIB"
  mv "$tmp" "$LIB"
  touch "$LIB/.complete"
}

compile_launcher() {
  if [[ -f "$CLASSES/Neo4jLauncher.class" && "$CLASSES/Neo4jLauncher.class" -nt "$SRC" ]]; then return 0; fi
  mkdir -p "$CLASSES"
  javac -nowarn -d "$CLASSES" -cp "$LIB/*" "$SRC"
}

# Succeeds if something on the port completes a Bolt handshake (proposes 5.0-5.8, 4.4).
bolt_handshake() {
  timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "\x60\x60\xb0\x17\x00\x08\x08\x05\x00\x00\x04\x04\x00\x00\x00\x00\x00\x00\x00\x00" >&3
    reply="$(head -c 4 <&3 | od -An -tx1 | tr -d " \n")"
    [[ ${#reply} -eq 8 && "$reply" != 00000000 ]]
  ' _ "$PORT" 2>/dev/null
}

cmd_start() {
  local pid
  if pid="$(running_pid)"; then
    log "already running (pid $pid, bolt://127.0.0.1:$PORT)"
    return 0
  fi
  rm -f "$PID_FILE"
  if bolt_handshake; then
    log "port $PORT already serves Bolt but not from this launcher's pid file; refusing to start"
    return 1
  fi

  mkdir -p "$DATA_DIR"
  # Shared by all instances, so serialise it across concurrent starts.
  (
    flock 8
    fetch_deps
    compile_launcher
  ) 8>"$STATE/build.lock"

  local started=$SECONDS
  # JVM flags mirror the official neo4j.conf defaults that matter on Java 17+.
  # shellcheck disable=SC2086
  nohup java \
    -Xms256m -Xmx"${NEO4J_HEAP:-1g}" \
    -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow \
    --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
    -Dio.netty.tryReflectionSetAccessible=true \
    -Dlog4j2.disable.jmx=true \
    ${NEO4J_JAVA_OPTS:-} \
    -cp "$CLASSES:$LIB/*" Neo4jLauncher \
    --home="$DATA_DIR" --port="$PORT" \
    --pagecache="${NEO4J_PAGECACHE:-128m}" --tx-timeout="${NEO4J_TX_TIMEOUT:-120}" \
    >"$LOG_FILE" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$PID_FILE"

  # Ready = launcher reported the default database available AND Bolt answers a handshake.
  while ((SECONDS - started < START_TIMEOUT)); do
    if ! is_alive "$pid"; then
      log "Neo4j exited during startup; last log lines ($LOG_FILE):"
      tail -n 40 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      return 1
    fi
    if grep -q '^NEO4J_READY' "$LOG_FILE" 2>/dev/null && bolt_handshake; then
      log "started (pid $pid, bolt://127.0.0.1:$PORT, data $DATA_DIR) in ~$((SECONDS - started))s"
      return 0
    fi
    sleep 0.5
  done
  log "Neo4j not ready after ${START_TIMEOUT}s; last log lines ($LOG_FILE):"
  tail -n 40 "$LOG_FILE" >&2 || true
  cmd_stop || true
  return 1
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    log "not running (port $PORT)"
    rm -f "$PID_FILE"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while is_alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
  if is_alive "$pid"; then
    log "pid $pid still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  log "stopped (pid $pid)"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    echo "running (pid $pid, bolt://127.0.0.1:$PORT)"
    return 0
  fi
  echo "not running (port $PORT)"
  return 1
}

# Serialise start/stop of the same instance (e.g. parallel test workers); fd 9 is
# closed for the JVM so the lock is not held for the server's lifetime.
mkdir -p "$STATE"
exec 9>"$STATE/neo4j$SUFFIX.lock"
flock 9

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_stop && cmd_start ;;
  *)
    echo "usage: $0 {start|stop|status|restart}" >&2
    exit 2
    ;;
esac
