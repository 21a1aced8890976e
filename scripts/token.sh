#!/usr/bin/env bash
# Prints an access token for a room (and, with --url, the join link), signed with the first key of
# auth.keys from the node's configuration: conf/switchboard.yaml plus SWITCHBOARD_* variables, e.g.
#   SWITCHBOARD_AUTH_KEYS=k1:<secret of 32+ bytes> scripts/token.sh --room r1 --identity alice --url https://example.org
# Builds the jar first when it is missing or older than the sources. --help lists every option.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f target/switchboard.jar ] || [ -n "$(find src pom.xml package.json -newer target/switchboard.jar -print -quit)" ]; then
  mvn -B -ntp -q clean package -DskipTests >&2
fi
exec java -jar target/switchboard.jar token "$@"
