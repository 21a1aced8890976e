#!/usr/bin/env bash
# Runs every Switchboard test: unit, integration, process, Node (phoenix.js) and browser specs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mvn -B -ntp clean verify "$@"
