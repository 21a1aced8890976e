#!/usr/bin/env bash
# Fuzzes one TURN relay target with Jazzer for N minutes (FUZZING.md), then prints how many inputs ran, at what
# rate, and whether a crash (a broken invariant) was found.
#   scripts/fuzz.sh packet 2      # TurnPacketFuzzTest#datagrams: UDP datagrams into the request path
#   scripts/fuzz.sh stream 2      # TurnStreamFuzzTest#stream: TCP/TLS framing, then the request path
# The generated corpus grows in .cifuzz-corpus/ (git-ignored) and seeds the next run; a crashing input is written
# next to the seeds in src/test/resources/dev/switchboard/turn/Turn*FuzzTestInputs/<method>/crash-<sha1>, where
# the normal build replays it. The whole log is kept in target/fuzz/. MVN_ARGS replaces the default -o (offline);
# JAZZER_MAX_EXECUTIONS=N stops after N inputs if that comes first.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: scripts/fuzz.sh <packet|stream> <minutes>" >&2
  exit 2
}
[ $# -eq 2 ] || usage
case $1 in
  packet) test=TurnPacketFuzzTest; method=datagrams ;;
  stream) test=TurnStreamFuzzTest; method=stream ;;
  *) usage ;;
esac
[[ $2 =~ ^[1-9][0-9]*$ ]] || usage
minutes=$2

mkdir -p target/fuzz
log=target/fuzz/$1-$(date -u +%Y%m%dT%H%M%SZ).log
inputs=src/test/resources/dev/switchboard/turn/${test}Inputs/$method
before=$(ls "$inputs" 2>/dev/null | grep '^crash-' | sort || true)

# JAZZER_FUZZ selects fuzzing mode (and, in pom.xml, Jazzer's instrumentation); the duration overrides the
# @FuzzTest default. libFuzzer's final stats (stat::...) are asked for through Jazzer's libFuzzer arguments.
status=0
JAZZER_FUZZ=1 JAZZER_MAX_DURATION=${minutes}m \
  mvn -B -ntp ${MVN_ARGS--o} test -Dtest="$test#$method" \
    -Djazzer.internal.arg.0=fuzz.sh -Djazzer.internal.arg.1=-print_final_stats=1 \
    > "$log" 2>&1 || status=$?

executed=$(grep -oE '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 | tr -dc 0-9 || true)
[ -n "$executed" ] || executed=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
[ -n "$executed" ] || executed=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -dc 0-9 || true)
rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+).*/\1/p' "$log" | tail -1)
[ -n "$rate" ] || rate=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | sed -nE 's/.*exec\/s: ([0-9]+).*/\1/p' | tail -1)
corpus=.cifuzz-corpus/dev.switchboard.turn.$test/$method
after=$(ls "$inputs" 2>/dev/null | grep '^crash-' | sort || true)
crashes=$(comm -13 <(echo "$before") <(echo "$after") | sed '/^$/d')

echo "target:   $test#$method, $minutes min${JAZZER_MAX_EXECUTIONS:+ or $JAZZER_MAX_EXECUTIONS inputs}"
echo "inputs:   ${executed:-unknown} executed (${rate:-?} exec/s)"
echo "corpus:   $corpus ($(ls "$corpus" 2>/dev/null | wc -l) inputs)"
if [ -n "$crashes" ] || grep -qE '== Java Exception|FuzzTestFinding' "$log"; then
  echo "crash:    FOUND"
  for crash in $crashes; do
    echo "          $inputs/$crash"
  done
  grep -m1 -E 'Caused by: |== Java Exception' "$log" | cut -c1-400 | sed 's/^[[:space:]]*/          /' || true
  echo "log:      $log"
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "crash:    none, but Maven failed (exit $status): see $log"
  exit "$status"
fi
echo "crash:    none"
echo "log:      $log"
