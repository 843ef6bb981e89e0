#!/usr/bin/env bash
# Regenerate TestToken.json and Reverter.json from the .sol sources in this
# directory, using solc-js (npm package "solc") at a pinned version via npx.
#
# Requirements: node + npx, and access to the npm registry (first run only;
# npx caches the package afterwards).
#
# Usage:  tests/data/contracts/build.sh          (from anywhere)
#
# The output is deterministic: same sources + same settings => byte-identical
# JSON (the bytecode's CBOR metadata hash covers the source text, so editing a
# .sol file, even whitespace or comments, changes the bytecode).
set -euo pipefail

SOLC_VERSION="0.8.28"
EVM_VERSION="paris"      # no PUSH0/MCOPY: deployable on any post-merge chain/hardfork
OPTIMIZER_RUNS=200
CONTRACTS=(TestToken Reverter)   # each <Name>.sol must define contract <Name>

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"   # run npx outside any package.json

solc=(npx --yes "solc@${SOLC_VERSION}")

full_version="$("${solc[@]}" --version 2>/dev/null | tail -n 1)"
case "$full_version" in
  "${SOLC_VERSION}+commit."*) ;;
  *) echo "unexpected solc version output: '$full_version'" >&2; exit 1 ;;
esac

# Standard-JSON input (lets us pin evmVersion, which the solcjs CLI cannot).
node - "$here" "$EVM_VERSION" "$OPTIMIZER_RUNS" "${CONTRACTS[@]}" > input.json <<'JS'
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

"${solc[@]}" --standard-json < input.json > output.json

node - "$here" "$full_version" "$EVM_VERSION" "$OPTIMIZER_RUNS" "${CONTRACTS[@]}" <<'JS'
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
