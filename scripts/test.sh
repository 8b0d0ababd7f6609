#!/usr/bin/env bash
# The one check command: install everything into .venv, lint and format-check (ruff), type-check
# (mypy --strict, config in pyproject.toml) and run the whole test suite.
# Extra arguments go to pytest (e.g. scripts/test.sh -k static, scripts/test.sh -m unit).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
scripts/install_test_servers.sh
.venv/bin/python -m ruff check .
.venv/bin/python -m ruff format --check .
.venv/bin/python -m mypy
exec .venv/bin/python -m pytest "$@"
