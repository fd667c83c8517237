#!/usr/bin/env bash
# A single-node Apache Kafka (KRaft, combined broker+controller) for tests and CI, built from the
# broker's jars on Maven Central: no Docker and no tarball download are available on our machines,
# but mvn and Java 17 are.
#
#   scripts/kafka.sh start     fetch the jars once (cached), format fresh storage, start, wait until ready
#   scripts/kafka.sh stop      stop the broker and wait for it to exit
#   scripts/kafka.sh status    exit 0 and say so when it runs, exit 3 when it does not
#   scripts/kafka.sh fetch     only resolve the jars into the cache (e.g. to warm a CI machine)
#   scripts/kafka.sh acquire PID / release PID
#                              used by the jest global setup/teardown: acquire starts the broker if
#                              needed and records PID as a user; release drops PID and stops the broker
#                              only when a test run started it and no live test run still uses it.
#
# Environment:
#   KAFKA_PORT            client listener port (default 9092); the controller listens on KAFKA_PORT+1
#   KAFKA_CONTROLLER_PORT controller listener port (default KAFKA_PORT+1)
#   KAFKA_VERSION         org.apache.kafka:kafka_2.13 version (default 4.4.0, the newest 4.x on Maven Central)
#   KAFKA_CACHE           where the jars live (default $HOME/.cache/lumbung/kafka-$KAFKA_VERSION)
#   KAFKA_RUN_DIR         pid, log, config and data (default /tmp/lumbung-kafka-$KAFKA_PORT)
#   KAFKA_HEAP            JVM heap options (default "-Xms256m -Xmx512m")
#   KAFKA_JVM_OPTS        more JVM options for the broker (default none)
#   KAFKA_CDS             1 (default): keep a class-data-sharing archive of the broker's classes in the
#                         cache, written when the first broker stops and used by later starts (about 40%
#                         less CPU to start); 0: do without
#   KAFKA_START_TIMEOUT   seconds to wait for readiness (default 120)
#   KAFKA_AUTO_CREATE_TOPICS  auto.create.topics.enable (default false: producers must not invent topics)
#   KAFKA_MVN_ARGS        extra mvn arguments, e.g. "-Dmaven.repo.local=/tmp/empty-m2"
#   JAVA_HOME             Java 17+ to run the broker with (default: java on PATH)
#
# The data directory is wiped and re-formatted on every start (a new cluster id each time): tests get a
# clean broker, and nothing a test run left behind can leak into the next one.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
KAFKA_CACHE="${KAFKA_CACHE:-$HOME/.cache/lumbung/kafka-$KAFKA_VERSION}"
KAFKA_RUN_DIR="${KAFKA_RUN_DIR:-/tmp/lumbung-kafka-$KAFKA_PORT}"
KAFKA_HEAP="${KAFKA_HEAP:--Xms256m -Xmx512m}"
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:-}"
KAFKA_CDS="${KAFKA_CDS:-1}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
KAFKA_AUTO_CREATE_TOPICS="${KAFKA_AUTO_CREATE_TOPICS:-false}"
KAFKA_MVN_ARGS="${KAFKA_MVN_ARGS:-}"
# The broker's pom has no SLF4J binding (the distribution ships one in libs/), so we add log4j's own
# binding for SLF4J 1.x, pinned together with log4j-api/core so that all three always match.
LOG4J_VERSION="${LOG4J_VERSION:-2.25.5}"
DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

PID_FILE="$KAFKA_RUN_DIR/kafka.pid"
LOG_FILE="$KAFKA_RUN_DIR/kafka.log"
CONFIG_FILE="$KAFKA_RUN_DIR/server.properties"
DATA_DIR="$KAFKA_RUN_DIR/data"
LEASE_DIR="$KAFKA_RUN_DIR/leases"
AUTOSTOP_FILE="$KAFKA_RUN_DIR/autostop"
LOCK_FILE="$KAFKA_RUN_DIR/.lock"
LOG4J_CONFIG="$SCRIPT_DIR/kafka/log4j2.properties"
CDS_TMP="$KAFKA_RUN_DIR/cds.jsa.tmp"
CDS_TARGET_FILE="$KAFKA_RUN_DIR/cds.target"

say() { echo "kafka.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

java_bin() {
  if [[ -n "${JAVA_HOME:-}" ]]; then echo "$JAVA_HOME/bin/java"; else command -v java || true; fi
}

check_java() {
  local java major
  java="$(java_bin)"
  [[ -n "$java" && -x "$java" ]] || die "no java found (set JAVA_HOME or put Java 17+ on PATH)"
  # `java -version` prints e.g. openjdk version "17.0.15" 2025-04-15
  major="$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
  [[ -n "$major" && "$major" -ge 17 ]] || die "Kafka $KAFKA_VERSION needs Java 17+, $java is version '${major:-unknown}'"
  JAVA="$java"
  # A class-data archive only fits the exact JVM build that wrote it: name it after that build.
  JAVA_ID="$({ readlink -f "$java"; "$java" -version 2>&1; } | cksum | cut -d' ' -f1)"
}

# Sets CDS_OPTS (JVM options) for the next start: use the archive when there is one, else have this
# broker write it when it exits (do_stop moves it into the cache once the JVM has finished writing).
cds_options() {
  CDS_OPTS=()
  rm -f "$CDS_TMP" "$CDS_TARGET_FILE"
  [[ "$KAFKA_CDS" == 1 ]] || return 0
  local jsa="$KAFKA_CACHE/cds-$JAVA_ID.jsa"
  if [[ -s "$jsa" ]]; then
    CDS_OPTS=(-XX:SharedArchiveFile="$jsa")
  else
    # cds*=off: the dump warns once per class it cannot archive (reflection stubs); noise in our log.
    CDS_OPTS=(-XX:ArchiveClassesAtExit="$CDS_TMP" '-Xlog:cds*=off')
    echo "$jsa" >"$CDS_TARGET_FILE"
  fi
}

# After a broker that was dumping its classes has exited: keep the archive only if it was written whole.
cds_collect() {
  local how="$1" target
  [[ -f "$CDS_TARGET_FILE" ]] || return 0
  target="$(cat "$CDS_TARGET_FILE")"
  if [[ "$how" == clean && -s "$CDS_TMP" && -d "$(dirname "$target")" ]]; then
    mv -f "$CDS_TMP" "$target.$$" && mv -f "$target.$$" "$target"
    say "saved the class-data archive $target for faster starts"
  fi
  rm -f "$CDS_TMP" "$CDS_TARGET_FILE"
}

# ---------------------------------------------------------------------------------------------------
# Jars: resolved once with mvn into $KAFKA_CACHE, then reused without touching the network.

fetch() {
  if [[ -f "$KAFKA_CACHE/.complete" ]]; then return 0; fi
  command -v mvn >/dev/null || die "mvn not found: it is needed once to fetch Kafka $KAFKA_VERSION from Maven Central"
  local parent tmp started
  parent="$(dirname "$KAFKA_CACHE")"
  mkdir -p "$parent"
  tmp="$(mktemp -d "$parent/.kafka-fetch.XXXXXX")"
  started=$SECONDS
  say "resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its runtime dependencies with mvn (first run only)"
  cat >"$tmp/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.lumbung</groupId>
  <artifactId>kafka-broker-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  # shellcheck disable=SC2086 # KAFKA_MVN_ARGS is a list of words on purpose
  if ! mvn -B -q -f "$tmp/pom.xml" $KAFKA_MVN_ARGS "$DEPENDENCY_PLUGIN:copy-dependencies" \
      -DincludeScope=runtime -DoutputDirectory="$tmp/libs" >"$tmp/mvn.log" 2>&1; then
    tail -n 40 "$tmp/mvn.log" >&2
    rm -rf "$tmp"
    die "mvn could not resolve Kafka $KAFKA_VERSION (see above)"
  fi
  [[ -f "$tmp/libs/kafka_2.13-$KAFKA_VERSION.jar" ]] || { rm -rf "$tmp"; die "mvn finished but kafka_2.13-$KAFKA_VERSION.jar is missing"; }
  touch "$tmp/libs/.complete"
  # Rename into place so an interrupted fetch never leaves a half-filled cache that looks complete.
  rm -rf "$KAFKA_CACHE"
  mv "$tmp/libs" "$KAFKA_CACHE"
  rm -rf "$tmp"
  say "cached $(find "$KAFKA_CACHE" -name '*.jar' | wc -l) jars ($(du -sh "$KAFKA_CACHE" | cut -f1)) in $KAFKA_CACHE in $((SECONDS - started))s"
}

# ---------------------------------------------------------------------------------------------------
# Process bookkeeping

running_pid() {
  # Prints the broker's pid when our broker runs. The pid must still belong to a kafka.Kafka process
  # using our config: a stale pid file may name a pid the system has since given to something else.
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $CONFIG_FILE" || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

with_lock() {
  mkdir -p "$KAFKA_RUN_DIR"
  exec 9>"$LOCK_FILE"
  flock -w 300 9 || die "timed out waiting for the lock $LOCK_FILE"
}

random_cluster_id() {
  # Kafka cluster ids are 16 random bytes in URL-safe base64 without padding (22 characters), the
  # format of `kafka-storage random-uuid`; made here to save a JVM start. Like Kafka's own generator
  # we avoid a leading '-', which a command line would take for an option.
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "${id:0:1}" != "-" ]] && { echo "$id"; return; }
  done
}

write_config() {
  cat >"$CONFIG_FILE" <<EOF
# Written by scripts/kafka.sh: single-node KRaft, broker and controller in one process.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA_DIR

# One broker: every replication factor is 1 and the minimum in-sync replicas too.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Fewer internal partitions than the default 50: creating them is most of a first group join on 2 cores.
offsets.topic.num.partitions=5
transaction.state.log.num.partitions=5
num.partitions=1

# Topics are created explicitly (the relay and tests do it with the admin client).
auto.create.topics.enable=$KAFKA_AUTO_CREATE_TOPICS
# Consumers in tests join at once instead of waiting 3 s for more members.
group.initial.rebalance.delay.ms=0

num.network.threads=2
num.io.threads=4
log.retention.hours=24
EOF
}

tail_log() {
  if [[ -f "$LOG_FILE" ]]; then
    say "last lines of $LOG_FILE:"
    tail -n "${1:-40}" "$LOG_FILE" >&2
  fi
}

# ---------------------------------------------------------------------------------------------------
# Commands (callers hold the lock)

do_start() {
  local pid
  if pid="$(running_pid)"; then
    say "already running (pid $pid, 127.0.0.1:$KAFKA_PORT)"
    return 0
  fi
  if port_open "$KAFKA_PORT"; then
    die "port $KAFKA_PORT is taken by another process; stop it, or point tests at it with KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
  fi
  if port_open "$KAFKA_CONTROLLER_PORT"; then
    die "controller port $KAFKA_CONTROLLER_PORT is taken by another process (set KAFKA_CONTROLLER_PORT)"
  fi
  check_java
  fetch

  local started=$SECONDS cp="$KAFKA_CACHE/*"
  rm -rf "$DATA_DIR" "$AUTOSTOP_FILE" "$PID_FILE"
  mkdir -p "$DATA_DIR" "$KAFKA_RUN_DIR/logs"
  write_config
  local cluster_id format_cds=()
  cluster_id="$(random_cluster_id)"
  cds_options
  # The format tool may read the archive too, but must not write it (that is the broker's job).
  [[ "${CDS_OPTS[0]:-}" == -XX:SharedArchiveFile=* ]] && format_cds=("${CDS_OPTS[0]}")
  # kafka.tools.StorageTool is the class behind bin/kafka-storage.sh in the 4.x line. It runs for a
  # second: the C1 compiler alone starts it faster.
  if ! "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 "${format_cds[@]}" -cp "$cp" \
      -Dlog4j2.configurationFile="$LOG4J_CONFIG" \
      kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG_FILE" >"$LOG_FILE" 2>&1; then
    tail_log
    die "formatting the storage in $DATA_DIR failed"
  fi

  # setsid: the broker must outlive the shell (and the jest process) that started it; the inner shell
  # writes its own pid and then becomes java, so the pid file names the JVM itself. fd 9 (our lock) is
  # closed for it, or the broker would hold the lock for its whole life.
  # shellcheck disable=SC2086,SC2016 # JVM option lists split on purpose; $$ is the inner shell's
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
    "$JAVA" $KAFKA_HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    "${CDS_OPTS[@]}" $KAFKA_JVM_OPTS \
    -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dkafka.logs.dir="$KAFKA_RUN_DIR/logs" \
    -cp "$cp" kafka.Kafka "$CONFIG_FILE" >>"$LOG_FILE" 2>&1 </dev/null 9>&- &

  # Ready means: the process lives, the client port answers, and the broker logged that it finished
  # starting (KafkaRaftServer logs this only after the broker has caught up with the metadata log and
  # been unfenced, i.e. it accepts produce and admin requests).
  local deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while :; do
    pid="$(cat "$PID_FILE" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      tail_log 60
      cds_collect killed
      die "the broker exited during start-up (log: $LOG_FILE)"
    fi
    if [[ -n "$pid" ]] && port_open "$KAFKA_PORT" && grep -q 'Kafka Server started' "$LOG_FILE"; then
      break
    fi
    if ((SECONDS >= deadline)); then
      tail_log 60
      if [[ -n "$pid" ]]; then kill -9 "$pid" 2>/dev/null || true; fi
      rm -f "$PID_FILE"
      cds_collect killed
      die "the broker was not ready on 127.0.0.1:$KAFKA_PORT after ${KAFKA_START_TIMEOUT}s (log: $LOG_FILE)"
    fi
    sleep 0.25
  done
  say "started Kafka $KAFKA_VERSION (pid $pid) on 127.0.0.1:$KAFKA_PORT in $((SECONDS - started))s; log: $LOG_FILE"
}

do_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    cds_collect killed
    rm -f "$PID_FILE" "$AUTOSTOP_FILE"
    say "not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  # A controlled shutdown of a combined node takes a few seconds; give it 30 before forcing.
  local i
  for ((i = 0; i < 120; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  local how=clean
  if kill -0 "$pid" 2>/dev/null; then
    say "still running after 30s, killing pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
    how=killed
    for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  fi
  cds_collect "$how"
  rm -f "$PID_FILE" "$AUTOSTOP_FILE"
  say "stopped (pid $pid)"
}

do_status() {
  local pid
  if pid="$(running_pid)"; then
    echo "running (pid $pid) on 127.0.0.1:$KAFKA_PORT, Kafka $KAFKA_VERSION, log $LOG_FILE"
    return 0
  fi
  echo "not running"
  return 3
}

live_leases() {
  local f n=0
  for f in "$LEASE_DIR"/*; do
    [[ -e "$f" ]] || continue
    if kill -0 "$(basename "$f")" 2>/dev/null; then n=$((n + 1)); else rm -f "$f"; fi
  done
  echo "$n"
}

do_acquire() {
  local holder="$1"
  [[ "$holder" =~ ^[0-9]+$ ]] || die "acquire needs the pid of the test run"
  mkdir -p "$LEASE_DIR"
  if running_pid >/dev/null; then
    say "reusing the running broker on 127.0.0.1:$KAFKA_PORT"
  else
    do_start
    # Only a broker that a test run started is stopped by test runs; one started by hand stays up.
    touch "$AUTOSTOP_FILE"
  fi
  touch "$LEASE_DIR/$holder"
}

do_release() {
  local holder="$1"
  [[ "$holder" =~ ^[0-9]+$ ]] || die "release needs the pid of the test run"
  rm -f "$LEASE_DIR/$holder"
  local left
  left="$(live_leases)"
  if [[ ! -f "$AUTOSTOP_FILE" ]]; then
    say "leaving the broker running (it was not started by a test run)"
  elif ((left > 0)); then
    say "leaving the broker running ($left other test run(s) still use it)"
  else
    do_stop
  fi
}

cmd="${1:-}"
case "$cmd" in
  start) with_lock; do_start ;;
  stop) with_lock; do_stop ;;
  status) do_status ;;
  fetch) fetch ;;
  acquire) with_lock; do_acquire "${2:-}" ;;
  release) with_lock; do_release "${2:-}" ;;
  *)
    echo "usage: $0 start|stop|status|fetch|acquire PID|release PID" >&2
    exit 2
    ;;
esac
