#!/usr/bin/env bash
# Install the project into .venv and run the main example (seed 000's dumbseek
# search API) on http://127.0.0.1:5000 (pass --port N to change it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/python examples/dumbseek/skitaid.py "$@"
