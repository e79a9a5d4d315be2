#!/usr/bin/env bash
# A local Neo4j Community server (with Graph Data Science) for ecograph's tests, no Docker.
#
#   .ci/neo4j/neo4j.sh up      build through Maven (once, cached), start on 127.0.0.1 with a
#                              random Bolt port and password, wait until Bolt answers
#   .ci/neo4j/neo4j.sh down    stop the server this script started (by its pid)
#   .ci/neo4j/neo4j.sh status  say whether it runs (exit 0) or not (exit 1)
#   .ci/neo4j/neo4j.sh admin ARGS...
#                              neo4j-admin ARGS on this DBMS, offline (`ecograph load --bulk`
#                              runs `admin database import full …` in the folder of its CSV
#                              files): stop the server keeping its data, run the admin tool in
#                              the current folder, start the server again on the same port with
#                              the same password (also when the tool failed); its exit code
#   .ci/neo4j/neo4j.sh with CMD...
#                              run CMD with the server up: reuse a running one, else start
#                              it when Java and Maven are here and stop it afterwards; without
#                              them CMD runs anyway (the Neo4j tests skip), except with CI=true
#
# Everything lives in $ECOGRAPH_NEO4J_CACHE (default: .cache/neo4j in the repo, gitignored):
# lib/ and plugins/ (the jars), run/ (the DBMS home: data, logs; fresh on every `up`, kept by `admin`),
# connection.json (uri, user, password, pid, database id; mode 600, read by the tests),
# launcher.log (the JVM's output). The password is never printed.
# Memory: ECOGRAPH_NEO4J_HEAP (default 2g) and ECOGRAPH_NEO4J_PAGECACHE (default 256m; 2g
# for the 1M benchmark, benchmarks/neo4j_pushdown.py).
# Java 17+ and Maven are needed (JAVA_HOME is honoured); Maven downloads go to ~/.m2.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${ECOGRAPH_NEO4J_CACHE:-$REPO/.cache/neo4j}"
RUN="$CACHE/run"
CONN="$CACHE/connection.json"
PIDFILE="$CACHE/neo4j.pid"
LOG="$CACHE/launcher.log"
JAR="$CACHE/target/ecograph-neo4j-launcher-1.jar"
CDS="$CACHE/target/classes.jsa"  # class-data sharing archive: written when the first server exits
MAIN=ecograph.ci.Neo4jLauncher
START_TIMEOUT="${ECOGRAPH_NEO4J_START_TIMEOUT:-180}"
HEAP="${ECOGRAPH_NEO4J_HEAP:-2g}"
PAGECACHE="${ECOGRAPH_NEO4J_PAGECACHE:-256m}"  # the store files cached in memory (1M relationships: ~1.5g)

say() { echo "neo4j: $*"; }
die() { echo "neo4j: error: $*" >&2; exit 1; }

java_bin() {
  local java
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then java="$JAVA_HOME/bin/java"
  else java="$(command -v java || true)"; fi
  [[ -n "$java" ]] || die "no Java found (install a JDK 17+ or set JAVA_HOME); Neo4j runs on the JVM"
  local major
  major="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  [[ "${major%%.*}" =~ ^[0-9]+$ && "${major%%.*}" -ge 17 ]] \
    || die "Java $major at $java is too old: Neo4j 5 needs Java 17+ (set JAVA_HOME)"
  echo "$java"
}

# The pid of our running launcher, or nothing: a pid counts only if /proc says it is a java
# process running this launcher on this cache's run directory (never signal a stranger).
our_pid() {
  [[ -f "$PIDFILE" ]] || return 0
  local pid
  pid="$(tr -dc 0-9 < "$PIDFILE")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 0
  local cmd
  cmd="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)"
  if [[ "$cmd" == *java* && "$cmd" == *" $MAIN $RUN "* ]]; then echo "$pid"; fi
}

# Whether Bolt answers with the recorded credentials (the Python driver when the venv has
# it, else a TCP connect to the recorded port).
bolt_answers() {
  [[ -f "$CONN" ]] || return 1
  local py="$REPO/.venv/bin/python"
  if [[ -x "$py" ]] && "$py" -c "import neo4j" 2>/dev/null; then
    "$py" - "$CONN" <<'PY' 2>/dev/null
import json, sys
from neo4j import GraphDatabase
c = json.load(open(sys.argv[1]))
with GraphDatabase.driver(c["uri"], auth=(c["user"], c["password"]), connection_timeout=5) as d:
    d.verify_connectivity()
    with d.session(database=c["database"]) as s:
        assert s.run("RETURN 1 AS one").single()["one"] == 1
PY
  else
    local port
    port="$(sed -n 's/.*"uri": *"bolt:\/\/127\.0\.0\.1:\([0-9]*\)".*/\1/p' "$CONN")"
    [[ -n "$port" ]] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

build() {
  local java; java="$(java_bin)"
  if [[ -f "$JAR" && -d "$CACHE/lib" && -d "$CACHE/plugins" \
        && "$JAR" -nt "$HERE/pom.xml" && "$JAR" -nt "$HERE/src/main/java/ecograph/ci/Neo4jLauncher.java" ]]; then
    return 0
  fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Neo4j and GDS from Maven Central"
  say "building the launcher and fetching Neo4j + GDS through Maven (first time only) ..."
  rm -rf "$CACHE/lib" "$CACHE/plugins" "$CDS"
  mkdir -p "$CACHE"
  if ! JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$java")")")" \
       mvn -q -B -Dstyle.color=never -f "$HERE/pom.xml" -Dcache.dir="$CACHE" package > "$CACHE/build.log" 2>&1; then
    tail -n 20 "$CACHE/build.log" >&2
    die "the Maven build failed (mvn -B -f $HERE/pom.xml -Dcache.dir=$CACHE package; log $CACHE/build.log)"
  fi
}

up() {
  mkdir -p "$CACHE"
  local pid; pid="$(our_pid)"
  if [[ -n "$pid" ]]; then
    if wait_ready "$pid"; then say "already running (pid $pid), $(uri)"; return 0; fi
    die "a launcher (pid $pid) runs but Bolt does not answer; see $LOG and $RUN/logs/debug.log, or run \`make neo4j-down\`"
  fi
  build
  rm -rf "$RUN" "$CONN" "$CONN.partial"
  mkdir -p "$RUN"
  start 0
}

uri() { sed -n 's/.*"uri": *"\([^"]*\)".*/\1/p' "$CONN"; }

# Start the launcher on the DBMS home $RUN as it is (its data kept) with Bolt on port $1 (0: a
# free one); the password is ECOGRAPH_NEO4J_KEEP_PASSWORD when set (a restart), else a fresh one.
start() {
  local port=$1 java; java="$(java_bin)"
  cat > "$RUN/neo4j.conf" <<CONF
# heap $HEAP (neo4j.sh restarts it with the same memory)
server.bolt.enabled=true
server.bolt.listen_address=127.0.0.1:$port
server.http.enabled=false
server.https.enabled=false
dbms.security.auth_enabled=true
server.directories.plugins=$CACHE/plugins
dbms.security.procedures.unrestricted=gds.*
server.memory.pagecache.size=$PAGECACHE
db.tx_log.rotation.retention_policy=2 files
dbms.usage_report.enabled=false
internal.dbms.bolt.netty_server_shutdown_quiet_period=0
internal.server.bolt.connection_shutdown_wait_time=0s
CONF
  local t0=$SECONDS cds pid
  # Class-data sharing: the first run records the classes it loaded (at exit), later runs
  # map them instead of parsing ~340 jars again (a stale archive is ignored by the JVM).
  if [[ -f "$CDS" ]]; then cds="-XX:SharedArchiveFile=$CDS"; else cds="-XX:ArchiveClassesAtExit=$CDS"; fi
  # Its own session (setsid), so an interrupted `make` does not take the server down half-way.
  setsid "$java" -Xms256m -Xmx"$HEAP" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError "$cds" -Xlog:cds=off \
    --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
    --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
    --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED \
    --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED \
    -Dio.netty.tryReflectionSetAccessible=true \
    -cp "$JAR:$CACHE/lib/*" "$MAIN" "$RUN" "$RUN/neo4j.conf" "$CONN" \
    > "$LOG" 2>&1 < /dev/null &
  pid=$!
  echo "$pid" > "$PIDFILE"
  say "starting (pid $pid; log $LOG) ..."
  if ! wait_ready "$pid"; then
    tail -n 20 "$LOG" >&2 || true
    if [[ -n "$(our_pid)" ]]; then
      stop >/dev/null 2>&1 || true
      die "Neo4j did not answer on Bolt within ${START_TIMEOUT}s (ECOGRAPH_NEO4J_START_TIMEOUT); see $LOG and $RUN/logs/debug.log"
    fi
    die "Neo4j exited while starting; see $LOG and $RUN/logs/debug.log"
  fi
  say "$(grep -m1 'listening on' "$LOG" | sed 's/^neo4j: //') (up in $((SECONDS - t0)) s)"
  say "connection for the tests: $CONN"
}

# Wait until the launcher wrote the connection file and Bolt answers; fail early if it died.
wait_ready() {
  local pid=$1 deadline=$((SECONDS + START_TIMEOUT))
  while (( SECONDS < deadline )); do
    if ! kill -0 "$pid" 2>/dev/null; then echo "neo4j: the launcher (pid $pid) exited" >&2; return 1; fi
    if [[ -f "$CONN" ]] && bolt_answers; then return 0; fi
    sleep 0.25
  done
  return 1
}

down() {
  stop
  rm -rf "$RUN/data"
}

# Stop our launcher (by its pid), keeping its data.
stop() {
  local pid; pid="$(our_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$PIDFILE" "$CONN"
    say "not running"
    return 0
  fi
  kill -TERM "$pid"
  local deadline=$((SECONDS + 180))  # the first exit also writes the class-data archive
  while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    say "pid $pid did not stop within 180 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE" "$CONN"
  say "stopped (pid $pid)"
}

# neo4j-admin on this DBMS with the server stopped, then the server started again as it was.
admin() {
  [[ -f "$RUN/neo4j.conf" ]] || die "no local Neo4j here ($RUN): run \`make neo4j-up\` first"
  build
  local java; java="$(java_bin)"
  local pid port="" password="" rc=0 t0=$SECONDS
  pid="$(our_pid)"
  if [[ -n "$pid" ]]; then
    port="$(uri | sed 's/.*://')"
    password="$(sed -n 's/.*"password": *"\([^"]*\)".*/\1/p' "$CONN")"
    stop >/dev/null
    HEAP="$(sed -n 's/^# heap \([^ ]*\) .*/\1/p' "$RUN/neo4j.conf")"
    PAGECACHE="$(sed -n 's/^server.memory.pagecache.size=//p' "$RUN/neo4j.conf")"
    say "stopped (pid $pid) in $((SECONDS - t0)) s"
  fi
  t0=$SECONDS
  NEO4J_HOME="$RUN" NEO4J_CONF="$RUN" "$java" -Xlog:cds=off -cp "$CACHE/lib/*" org.neo4j.cli.AdminTool "$@" || rc=$?
  say "neo4j-admin exited $rc after $((SECONDS - t0)) s"
  if [[ -n "$pid" ]]; then
    t0=$SECONDS
    ECOGRAPH_NEO4J_KEEP_PASSWORD="$password" start "$port" >/dev/null || rc=$?
    say "running again on $(uri) (started in $((SECONDS - t0)) s)"
  fi
  return "$rc"
}

status() {
  local pid; pid="$(our_pid)"
  if [[ -n "$pid" ]] && bolt_answers; then
    say "running (pid $pid), $(uri)"; return 0
  fi
  say "not running"; return 1
}

in_ci() { [[ "$(echo "${CI:-}" | tr '[:upper:]' '[:lower:]')" =~ ^(1|true|yes)$ ]]; }

with_neo4j() {
  if [[ -n "$(our_pid)" ]]; then
    ( up ) || { in_ci && exit 1; say "WARNING: the running server does not answer; the Neo4j tests will skip"; }
    "$@"; return
  fi
  local why=""
  if ! ( java_bin >/dev/null 2>&1 ); then why="no Java 17+ here"
  elif ! command -v mvn >/dev/null && [[ ! -f "$JAR" ]]; then why="no Maven here"; fi
  if [[ -n "$why" ]]; then
    in_ci && die "CI=true but $why: the Neo4j tests cannot run"
    say "$why: the Neo4j tests will skip (see README, Neo4j)"
    "$@"; return
  fi
  if ( up ); then
    trap 'down' EXIT
  else
    in_ci && die "CI=true and the local Neo4j did not start"
    say "WARNING: the local Neo4j did not start; the Neo4j tests will skip"
  fi
  "$@"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  build) build ;;
  admin) shift; admin "$@" ;;
  with) shift; [[ $# -gt 0 ]] || die "usage: $0 with CMD..."; with_neo4j "$@" ;;
  *) echo "usage: $0 up|down|status|build|admin ARGS...|with CMD..." >&2; exit 2 ;;
esac
