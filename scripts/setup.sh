#!/usr/bin/env bash
# Installs what the project needs on a fresh machine into ./.venv (idempotent).
#   scripts/setup.sh         the wallet itself
#   scripts/setup.sh --dev   plus test and lint tools, and the OS keyring used by the tests
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
# anvil (the devnet) comes from npm: the platform package ships the binary itself, so the
# wrapper's install script is not needed and is not run. `npm install` honours the lock
# file; `npm ci` is not used because its strict check wants every platform's optional
# package in the lock, and the registry these machines reach serves only linux-amd64's.
# `--no-save` keeps npm from rewriting the lock file with the other platforms' packages.
if ! ls node_modules/@foundry-rs/anvil-*/bin/anvil >/dev/null 2>&1; then
  npm install --ignore-scripts --no-audit --no-fund --loglevel=error --no-save
fi
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  # The keyring tests talk to a real Secret Service: gnome-keyring on a private D-Bus.
  if ! command -v gnome-keyring-daemon >/dev/null || ! command -v dbus-run-session >/dev/null; then
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq gnome-keyring dbus >/dev/null
  fi
else
  .venv/bin/python -m pip install --quiet -e .
fi
