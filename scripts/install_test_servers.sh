#!/usr/bin/env bash
# Install the real servers the resource tests start (PostgreSQL, Redis) when missing.
# MongoDB has no Debian package: its tests skip with the reason printed.
set -euo pipefail
missing=()
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install ${missing[*]} (as root: apt-get install ${missing[*]})" >&2
    exit 1
fi
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
