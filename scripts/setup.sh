#!/usr/bin/env bash
# Installs what building and testing Switchboard needs on a fresh Debian 12 machine (idempotent).
# Java 17, Maven, Node.js and npm are expected; the rest comes from Debian packages.
set -euo pipefail

need=()
command -v java >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
command -v caddy >/dev/null || need+=(caddy)
command -v turnutils_uclient >/dev/null || need+=(coturn)
command -v redis-server >/dev/null || need+=(redis-server)
# rules inside the tests' own network namespaces (UDP blocked to force TURN over TLS)
command -v iptables >/dev/null || need+=(iptables)
# network namespaces with veth pairs and tc netem loss for the media node's browser specs
command -v ip >/dev/null || need+=(iproute2)
# the second browser engine of the SFU call (driven over WebDriver BiDi) and the SFU measured against
command -v firefox-esr >/dev/null || need+=(firefox-esr)
command -v janus >/dev/null || need+=(janus)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${need[*]} (run as root, or install them with apt-get)" >&2
    exit 1
  fi
  echo "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian's coturn package starts a system turnserver on 3478; Switchboard's relay needs that port.
if command -v systemctl >/dev/null && systemctl is-active --quiet coturn 2>/dev/null; then
  systemctl stop coturn || true
fi
# Debian's janus package may start a system Janus; the media benchmark starts its own inside a namespace.
if command -v systemctl >/dev/null && systemctl is-active --quiet janus 2>/dev/null; then
  systemctl stop janus || true
fi
