#!/usr/bin/env bash
# Checks a running Switchboard deployment end to end and prints PASS/FAIL/SKIP per step:
# health and readiness, the web app, two phoenix.js sockets joining a room and relaying an offer,
# the ICE servers handed out, and a TURN allocation with them.
#   scripts/smoke.sh http://localhost:4000
#   scripts/smoke.sh https://localhost:8443        # through Caddy
# SMOKE_CA_FILE=<pem>: trust this CA (e.g. Caddy's local root for tls internal);
# SMOKE_INSECURE=1: accept any certificate; SMOKE_REQUIRE_TURN=1: no TURN server is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: scripts/smoke.sh <base-url>" >&2; exit 2; }
[ -d node_modules/phoenix ] && [ -d node_modules/ws ] || npm ci --no-audit --no-fund --loglevel=error >/dev/null
[ -n "${SMOKE_CA_FILE:-}" ] && export NODE_EXTRA_CA_CERTS="$SMOKE_CA_FILE"
[ "${SMOKE_INSECURE:-0}" = 1 ] && export NODE_TLS_REJECT_UNAUTHORIZED=0
exec node --no-warnings scripts/smoke.mjs "$1"
