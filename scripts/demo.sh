#!/usr/bin/env bash
# The demo: installs the wallet and anvil, starts a devnet, restores the funded dev
# mnemonic into a temporary home, sends a transfer that passes screening, shows one that
# screening stops, prints the receipt, and stops the devnet.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
wallet=.venv/bin/wallet
work=$(mktemp -d)
export WALLET_HOME="$work/home"
cleanup() { "$wallet" devnet down >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
umask 077
printf 'demo passphrase, never use it for real funds\n' > "$work/passphrase"
export WALLET_PASSPHRASE_FILE="$work/passphrase"
port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mnemonic="test test test test test test test test test test test junk"

step() { printf '\n== %s\n' "$*"; }

step "wallet devnet up: anvil on 127.0.0.1:$port"
"$wallet" devnet up --port "$port"

step "wallet restore: the public dev mnemonic, read from stdin"
echo "$mnemonic" | "$wallet" restore --name demo

step "wallet address --count 3 (public data, no passphrase)"
"$wallet" address --count 3

recipient=$("$wallet" --json address --index 1 | .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["addresses"][0]["address"])')

step "wallet send --to $recipient --amount 1.5: screened, signed, sent, receipt awaited"
"$wallet" send --to "$recipient" --amount 1.5

step "the receipt, as a script sees it (wallet --json send ...)"
"$wallet" --json send --to "$recipient" --amount 20gwei | .venv/bin/python -m json.tool

# An address-poisoning look-alike of the recipient: same first 4 and last 6 characters.
lookalike=$(.venv/bin/python -c '
import hashlib, sys
from chains.evm.address import to_checksum
body = sys.argv[1][2:].lower()
middle = list(hashlib.sha256(body.encode()).hexdigest()[:30])
for i, j in ((0, 4), (29, 33)):  # the characters next to the copied ends must differ
    if middle[i] == body[j]:
        middle[i] = "f" if body[j] != "f" else "e"
print(to_checksum(body[:4] + "".join(middle) + body[34:]))' "$recipient")

step "a look-alike of $recipient, as a poisoner would plant it: wallet check $lookalike"
set +e
"$wallet" check "$lookalike" --offline
echo "exit code: $?"

step "wallet send --to $lookalike: screening stops it (exit 3, nothing signed)"
"$wallet" send --to "$lookalike" --amount 1.5
echo "exit code: $?"
set -e

step "wallet balance $recipient"
"$wallet" balance "$recipient"

step "wallet history, and its hash chain verified"
"$wallet" history
"$wallet" history --verify

step "wallet devnet down"
"$wallet" devnet down
