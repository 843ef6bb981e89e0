#!/usr/bin/env bash
# The test command: installs everything tests need, then runs every check the way CI does:
# ruff (format and lint), mypy --strict on the packages, and pytest (2 workers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
.venv/bin/ruff format --check .
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest -n 2 "$@"
