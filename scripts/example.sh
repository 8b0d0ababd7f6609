#!/usr/bin/env bash
# Install the project into .venv (only when pyproject.toml changed since the last install) and
# run the main example, the tutorial's dumbseek search API, on http://127.0.0.1:5000
# (pass --port N to change it).
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.installed-example
if [ ! -x .venv/bin/python ] || [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    scripts/bootstrap.sh
    touch "$stamp"
fi
exec .venv/bin/python examples/dumbseek/skitaid.py "$@"
