#!/usr/bin/env bash
# Install everything into .venv, lint (ruff, config in pyproject.toml), and run the whole test suite.
# Extra arguments go to pytest (e.g. scripts/test.sh -k static).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
scripts/install_test_servers.sh
.venv/bin/python -m ruff check .
exec .venv/bin/python -m pytest "$@"
