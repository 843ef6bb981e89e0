#!/usr/bin/env bash
# The README tour on the README's install. A fresh clone of what is committed is set up with
# `scripts/setup.sh` (no test extras, exactly as the README says), then every command of the
# tour runs in it: against a devnet it starts, and, for the Bitcoin lines, a local server
# speaking Esplora's REST format (tests/fake_esplora.py; no live Bitcoin node runs here).
# A runtime dependency missing from pyproject.toml fails here even when the tests pass.
# scripts/check.sh runs it after the tests; tests/unit/test_tour.py checks that it runs
# every command the README's tour shows.
#   scripts/tour.sh            clone, install, run the tour
#   scripts/tour.sh --here     run the tour with this checkout's .venv (quicker; not CI's)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
esplora_pid=""
cleanup() {
  [ -n "${WALLET_HOME:-}" ] && PATH="$venv/bin:$PATH" wallet devnet down >/dev/null 2>&1 || true
  [ -n "${WALLET_HOME:-}" ] && PATH="$venv/bin:$PATH" wallet devnet down --chain sol >/dev/null 2>&1 || true
  [ -n "$esplora_pid" ] && kill "$esplora_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
umask 077

if [ "${1:-}" = "--here" ]; then
  venv="$root/.venv"
else
  git clone -q "$root" "$work/repo"
  (cd "$work/repo" && ./scripts/setup.sh)
  venv="$work/repo/.venv"
  if [ -n "$(git -C "$work/repo" status --porcelain)" ]; then
    echo "tour: scripts/setup.sh left the clone changed:" >&2
    git -C "$work/repo" status --short >&2
    exit 1
  fi
  # eth_account and web3 come with safe-eth-py, whose bundled Safe contract JSON the wallet
  # reads; the packages never import them (tests/unit/test_architecture.py).
  for dev_only in pytest pexpect pbk hypothesis; do
    if "$venv/bin/python" -c "import $dev_only" 2>/dev/null; then
      echo "tour: $dev_only is installed: this is not a runtime-only environment" >&2
      exit 1
    fi
  done
fi
export PATH="$venv/bin:$PATH"
export WALLET_HOME="$work/home"
cd "$work"

step() { printf '\n$ wallet %s\n' "$*"; }
# run [--expect CODE] ARGS...: one tour command; any other exit code ends the tour.
run() {
  local expect=0
  if [ "$1" = "--expect" ]; then expect=$2; shift 2; fi
  step "$*"
  set +e
  wallet "$@"
  local code=$?
  set -e
  if [ "$code" -ne "$expect" ]; then
    echo "tour: 'wallet $*' exited $code, expected $expect" >&2
    exit 1
  fi
}
json() { wallet --json "$@"; }
field() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1], {}, {"d": d}))' "$1"; }

printf 'a tour passphrase, not for real funds\n' > pass.txt
printf 'the new tour passphrase\n' > new-pass.txt
printf 'key file passphrase\n' > key-pass.txt
export WALLET_PASSPHRASE_FILE="$work/pass.txt"
dev_mnemonic="test test test test test test test test test test test junk"
bob=0x70997970C51812dc3A010C7d01b50e0d17dc79C8
carol=0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC

# Keys and vaults. (`wallet init` on a terminal shows the words and asks 3 back:
# tests/integration/test_terminal.py drives that; here there is no terminal.)
run init --mnemonic-out words12.txt
run init --name savings --words 24 --mnemonic-out words.txt
run restore --name restored < words.txt
run --wallet restored address --count 5
run --json --wallet restored address --index 7
run list
run use main
printf '59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d\n' > key.hex
run import-key --name single < key.hex
run --wallet restored export-keystore --index 3 --out key3.json --keystore-passphrase-file key-pass.txt
run import-keystore key3.json --name from-v3 --keystore-passphrase-file key-pass.txt
run --wallet restored passwd --new-passphrase-file new-pass.txt
export WALLET_PASSPHRASE_FILE="$work/new-pass.txt"
run --wallet restored keyring status
if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  step "--wallet restored keyring enable   (in a private D-Bus session with gnome-keyring)"
  HOME="$work" dbus-run-session -- bash -c '
    printf "%s" "tour-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
    wallet --wallet restored keyring enable && wallet --wallet restored keyring status' \
    || { echo "tour: keyring enable failed" >&2; exit 1; }
else
  echo "(no gnome-keyring here: keyring enable is left out)"
fi

# The devnet and EVM.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run devnet up --port "$port"
export WALLET_NAME=dev WALLET_PASSPHRASE_FILE="$work/pass.txt"
echo "$dev_mnemonic" | wallet restore --name dev
run balance
run receive --amount 0.5
run send --to "$bob" --amount 1.5
printf 'to,amount\n%s,0.25\n%s,20gwei\n' "$bob" "$carol" > payouts.csv
run batch payouts.csv --dry-run
run --yes batch payouts.csv
tx=$(json send --to "$bob" --amount 0.1 --no-wait | field 'd["tx_hash"]')
run tx status "$tx"
# A stuck send: mining paused on the devnet, then replaced at its nonce.
rpc() { python3 -c 'import json, sys, urllib.request as u; u.urlopen(u.Request(sys.argv[1], json.dumps({"jsonrpc": "2.0", "id": 1, "method": sys.argv[2], "params": json.loads(sys.argv[3])}).encode(), {"Content-Type": "application/json"})).read()' "http://127.0.0.1:$port" "$@"; }
rpc evm_setAutomine '[false]'
stuck=$(json send --to "$bob" --amount 0.1 --no-wait | field 'd["tx_hash"]')
run --yes tx speed-up "$stuck" --no-wait
stuck=$(json send --to "$bob" --amount 0.1 --no-wait | field 'd["tx_hash"]')
run --yes tx cancel "$stuck" --no-wait
rpc evm_setAutomine '[true]'
rpc evm_mine '[]'
run history --refresh
run history
run history --verify
signature=$(json sign-message "text" | field 'd["signature"]')
run verify-message --address 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 --signature "$signature" "text"
# Solana: keys, addresses and messages from the same mnemonic.
run --network solana address --count 3
sol=$(json --network solana address --index 0 | field 'd["addresses"][0]["address"]')
solsig=$(json --network solana sign-message "text" | field 'd["signature"]')
run --network solana verify-message --address "$sol" --signature "$solsig" "text"
run --network solana export-solana-keypair --index 0 --out id.json
run import-solana-keypair id.json --name phantom
# Solana sends on the local node (LiteSVM behind Solana's JSON-RPC), on a free port.
solport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run devnet up --chain sol --port "$solport"
run --network solana-localnet balance
solbob=9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin
run --network solana-localnet send --to "$solbob" --amount 1.5
run --network solana-localnet balance "$solbob"
run --network solana-localnet receive --amount 0.5
run devnet down --chain sol
cat > permit.json <<EOF
{"types": {"EIP712Domain": [{"name": "name", "type": "string"},
  {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
  "Mail": [{"name": "to", "type": "address"}, {"name": "contents", "type": "string"}]},
 "primaryType": "Mail",
 "domain": {"name": "Tour", "chainId": 31337,
  "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
 "message": {"to": "$bob", "contents": "hello"}}
EOF
run --yes sign-typed-data permit.json
# A drainer-style Permit (the maximum, to an OFAC-listed spender): decoded, shown, refused.
cat > drainer.json <<EOF
{"types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
  {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
  "Permit": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"},
  {"name": "value", "type": "uint256"}, {"name": "nonce", "type": "uint256"},
  {"name": "deadline", "type": "uint256"}]},
 "primaryType": "Permit",
 "domain": {"name": "USD Coin", "version": "2", "chainId": 31337,
  "verifyingContract": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"},
 "message": {"owner": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  "spender": "0x8589427373D6D84E98730D7795D8f6f8731FDA16",
  "value": "115792089237316195423570985008687907853269984665640564039457584007913129639935",
  "nonce": 0, "deadline": 1893456000}}
EOF
run --expect 3 sign-typed-data drainer.json
# Contract calls and allowances, on a token deployed from anvil's unlocked account 0.
token=$(python3 - "$root/tests/data/contracts/PermitToken.json" "http://127.0.0.1:$port" <<'PY'
import json, sys, time, urllib.request as u
artifact, url = json.load(open(sys.argv[1])), sys.argv[2]
def call(method, params):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    request = u.Request(url, body, {"Content-Type": "application/json"})
    return json.loads(u.urlopen(request).read())["result"]
code = artifact["bytecode"].removeprefix("0x") + (10**24).to_bytes(32, "big").hex()
account0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
tx = call("eth_sendTransaction", [{"from": account0, "data": "0x" + code, "gas": hex(3_000_000)}])
receipt = None
while not receipt:
    receipt = call("eth_getTransactionReceipt", [tx]) or time.sleep(0.05)
print(receipt["contractAddress"])
PY
)
approve="0x095ea7b3$(printf '%064s' "${bob#0x}" | tr ' ' 0)$(printf '%064x' 1000000000000000000)"
run --yes send --to "$token" --data "$approve"
run approvals
run --yes revoke "$token" "$bob"
# A Safe of this wallet's addresses 0, 1 and 2 (threshold 2), one proposal file passed around.
owners=$(json address --count 3 | field '",".join(a["address"] for a in d["addresses"])')
safe=$(json multisig create --owners "$owners" --threshold 2 --name team | field 'd["safe"]')
run multisig info team
run --yes send --to "$safe" --amount 1
run multisig add team-copy "$safe"
run --yes multisig propose team --to "$carol" --amount 0.5 --out pay.json
run --yes multisig sign pay.json
run --yes multisig sign pay.json --index 1
run --yes multisig exec pay.json
run network add sepolia --chain evm --rpc https://rpc.sepolia.org --chain-id 11155111

# Bitcoin: addresses and descriptors need no node; balance, send and PSBTs use the server.
run --network bitcoin address --count 3
run --network bitcoin address --count 3 --script tr
run --network bitcoin descriptors
ours=$(json --network bitcoin address --index 0 | field 'd["addresses"][0]["address"]')
python3 "$root/tests/fake_esplora.py" esplora.port "$ours:500000" &
esplora_pid=$!
for _ in $(seq 50); do [ -s esplora.port ] && break; sleep 0.1; done
run network add bitcoin --chain btc --rpc "http://127.0.0.1:$(cat esplora.port)/esplora" --backend esplora
run --network bitcoin balance
foreign=bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4
run --network bitcoin send --to "$foreign" --amount 0.001
run --network bitcoin psbt create --to "$foreign" --amount 1500sat --out pay.psbt \
  --utxo "$(printf '%064d' 7):0:20000:$ours" --fee-rate 5
run --network bitcoin psbt show pay.psbt
run --network bitcoin psbt sign pay.psbt
# A 2-of-3 Bitcoin multisig of this wallet and two others of the home (their BIP-48 keys).
run --network bitcoin multisig btc-key
key_main=$(json --wallet main --network bitcoin multisig btc-key | field 'd["key"]')
key_savings=$(json --wallet savings --network bitcoin multisig btc-key | field 'd["key"]')
run --network bitcoin multisig create --chain btc --name vault --threshold 2 \
  --cosigner "$key_main" --cosigner "$key_savings"
run --network bitcoin multisig info vault

# Screening on its own.
run check "$carol"
run contacts add treasury "$bob"
run sync
run lists
# Holds, freeze and the audit trail.
run 2fa status
printf '\n[wallets.dev.policy.ETH]\nhold-above = "100"\n' >> "$WALLET_HOME/config.toml"
run --expect 7 --yes send --to "$bob" --amount 150
run holds
held=$(json holds | field 'd["holds"][0]["id"]')
run holds cancel "$held"
run freeze
run --expect 3 --yes send --to "$bob" --amount 0.1
run unfreeze
run history --verify --unlock
run history export --format csv --out history.csv
run devnet down
printf '\ntour: every command ran\n'
