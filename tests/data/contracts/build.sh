#!/usr/bin/env bash
# Regenerate the JSON artifacts from the .sol sources in this directory, using
# solc-js (npm package "solc") at a pinned version via npx.
#
# Two groups, compiled separately so each keeps its own settings:
#   - TestToken, Reverter: evmVersion paris, no imports.
#   - PermitToken, Permit2Lite, SeaportLite: evmVersion cancun (OpenZeppelin 5.x
#     needs solc >= 0.8.24 and may emit MCOPY), importing @openzeppelin/contracts
#     at a pinned version, installed with npm into the temp dir.
#
# Requirements: node + npm/npx, and access to the npm registry (first run only
# for solc, which npx caches; every run for @openzeppelin/contracts).
#
# Usage:  tests/data/contracts/build.sh          (from anywhere)
#
# The output is deterministic: same sources + same settings => byte-identical
# JSON (the bytecode's CBOR metadata hash covers the source text, so editing a
# .sol file, even whitespace or comments, changes the bytecode).
set -euo pipefail

SOLC_VERSION="0.8.28"
OZ_VERSION="5.7.0"       # @openzeppelin/contracts, for PermitToken
OPTIMIZER_RUNS=200
PLAIN_EVM_VERSION="paris"       # no PUSH0/MCOPY: deployable on any post-merge chain/hardfork
PLAIN=(TestToken Reverter)      # each <Name>.sol must define contract <Name>
PERMIT_EVM_VERSION="cancun"
PERMIT=(PermitToken Permit2Lite SeaportLite)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"   # run npx/npm outside any package.json

solc=(npx --yes "solc@${SOLC_VERSION}")

full_version="$("${solc[@]}" --version 2>/dev/null | tail -n 1)"
case "$full_version" in
  "${SOLC_VERSION}+commit."*) ;;
  *) echo "unexpected solc version output: '$full_version'" >&2; exit 1 ;;
esac

# compile EVM_VERSION NAME... : Standard-JSON in (lets us pin evmVersion, which the
# solcjs CLI cannot), one <Name>.json artifact out per contract.
compile() {
  local evm_version="$1"; shift

  node - "$here" "$evm_version" "$OPTIMIZER_RUNS" "$@" > input.json <<'JS'
const fs = require("fs"), path = require("path");
const [dir, evmVersion, runs, ...names] = process.argv.slice(2);
const sources = {};
for (const n of names) sources[`${n}.sol`] = { content: fs.readFileSync(path.join(dir, `${n}.sol`), "utf8") };
process.stdout.write(JSON.stringify({
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: Number(runs) },
    evmVersion,
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
}));
JS

  # Imports ("@openzeppelin/contracts/...") resolve under node_modules, when present.
  "${solc[@]}" --standard-json --base-path . --include-path node_modules < input.json > output.json

  node - "$here" "$full_version" "$evm_version" "$OPTIMIZER_RUNS" "$@" <<'JS'
const fs = require("fs"), path = require("path");
const [dir, fullVersion, evmVersion, runs, ...names] = process.argv.slice(2);
let raw = fs.readFileSync("output.json", "utf8");
raw = raw.slice(raw.indexOf("{"));  // tolerate any banner line before the JSON
const out = JSON.parse(raw);
let fatal = false;
for (const e of out.errors || []) {
  console.error(e.formattedMessage || e.message);
  if (e.severity === "error") fatal = true;
}
if (fatal) process.exit(1);
for (const n of names) {
  const c = out.contracts?.[`${n}.sol`]?.[n];
  if (!c || !c.evm.bytecode.object) { console.error(`no output for ${n}`); process.exit(1); }
  const artifact = {
    contract: n,
    compiler: `solc-js ${fullVersion}`,
    optimizer: true,
    optimizerRuns: Number(runs),
    evmVersion,
    source: `${n}.sol`,
    abi: c.abi,
    bytecode: "0x" + c.evm.bytecode.object,  // creation code, no constructor args
  };
  fs.writeFileSync(path.join(dir, `${n}.json`), JSON.stringify(artifact, null, 2) + "\n");
  console.log(`wrote ${n}.json (${c.evm.bytecode.object.length / 2} bytes of creation code)`);
}
JS
}

compile "$PLAIN_EVM_VERSION" "${PLAIN[@]}"

npm install --no-save --no-package-lock --ignore-scripts --no-audit --no-fund \
  "@openzeppelin/contracts@${OZ_VERSION}" > /dev/null
compile "$PERMIT_EVM_VERSION" "${PERMIT[@]}"
