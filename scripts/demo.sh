#!/usr/bin/env bash
# The demo: installs the wallet, creates a wallet in a temporary home and shows its addresses.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
wallet=.venv/bin/wallet
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export WALLET_HOME="$home/wallet-home"
umask 077
printf 'demo passphrase, never use it for real funds\n' > "$home/passphrase"

echo "== wallet init: a new 12-word wallet (words written to a 0600 file, no terminal needed)"
"$wallet" --passphrase-file "$home/passphrase" init --name demo --mnemonic-out "$home/words.txt"
echo
echo "== wallet address --count 3: read from public data, no passphrase asked"
"$wallet" address --count 3
echo
echo "== wallet --json list"
"$wallet" --json list
echo
echo "== the same words restored under another name give the same first address"
"$wallet" --passphrase-file "$home/passphrase" restore --name again < "$home/words.txt"
echo
echo "== a mistyped word is refused (exit 2) and named"
set +e
sed 's/^\([a-z]*\) /\1x /' "$home/words.txt" | "$wallet" --passphrase-file "$home/passphrase" restore --name typo
echo "exit code: $?"
set -e
