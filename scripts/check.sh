#!/usr/bin/env bash
# The test command: installs everything tests need, then runs every check the way CI does:
# ruff (format and lint), mypy --strict on the packages, pytest (2 workers), and the README
# tour on a fresh clone installed as the README says, without test extras (scripts/tour.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
.venv/bin/ruff format --check .
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest -n 2 "$@"
bash scripts/tour.sh
