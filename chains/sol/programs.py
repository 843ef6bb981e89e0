"""Solana addresses that are protocol fixtures, not accounts anyone holds a key to: the
native and SPL programs, the sysvars, the incinerator and the wrapped-SOL mint. Whatever is
sent to one of them as a payment is lost (or burned), so screening blocks them as
destinations (`SolAdapter.well_known`).

Every id is copied from, and checked against, a published source:
- native programs, sysvars and the incinerator: anza-xyz/solana-sdk, sdk-ids/src/lib.rs
  (the `declare_id!`s the validator uses; Config and Vote also in solana-labs/solana,
  sdk/program/src/lib.rs);
- SPL Token, Token-2022, Associated Token Account and Memo v1/v2: the SPL programs the
  test validator loads, solana-labs/solana program-test/src/programs.rs (Memo also in
  solana-labs/solana-program-library, memo/program/src/lib.rs);
- the native (wrapped SOL) mint: solana-labs/solana-program-library,
  token/program/src/native_mint.rs.
tests/integration/test_sol_screening.py compares the solders exports (system program,
token program, compute budget, address lookup table, sysvars) with this table.
"""

from __future__ import annotations

WELL_KNOWN: dict[str, str] = {
    # Native programs
    "11111111111111111111111111111111": "the System Program",
    "Vote111111111111111111111111111111111111111": "the Vote program",
    "Stake11111111111111111111111111111111111111": "the Stake program",
    "StakeConfig11111111111111111111111111111111": "the Stake Config account (deprecated)",
    "Config1111111111111111111111111111111111111": "the Config program",
    "ComputeBudget111111111111111111111111111111": "the Compute Budget program",
    "AddressLookupTab1e1111111111111111111111111": "the Address Lookup Table program",
    "BPFLoader1111111111111111111111111111111111": "the BPF Loader v1 (deprecated)",
    "BPFLoader2111111111111111111111111111111111": "the BPF Loader v2",
    "BPFLoaderUpgradeab1e11111111111111111111111": "the upgradeable BPF Loader (v3)",
    "LoaderV411111111111111111111111111111111111": "the Loader v4",
    "NativeLoader1111111111111111111111111111111": "the Native Loader",
    "Feature111111111111111111111111111111111111": "the Feature program",
    "Ed25519SigVerify111111111111111111111111111": "the Ed25519 signature verification program",
    "KeccakSecp256k11111111111111111111111111111": "the Secp256k1 signature verification program",
    "Secp256r1SigVerify1111111111111111111111111": "the Secp256r1 signature verification program",
    "ZkTokenProof1111111111111111111111111111111": "the ZK Token Proof program",
    "ZkE1Gama1Proof11111111111111111111111111111": "the ZK ElGamal Proof program",
    # Sysvars (and their owner)
    "Sysvar1111111111111111111111111111111111111": "the sysvar owner (Sysvar1111…)",
    "SysvarC1ock11111111111111111111111111111111": "the Clock sysvar",
    "SysvarEpochRewards1111111111111111111111111": "the EpochRewards sysvar",
    "SysvarEpochSchedu1e111111111111111111111111": "the EpochSchedule sysvar",
    "SysvarFees111111111111111111111111111111111": "the Fees sysvar",
    "Sysvar1nstructions1111111111111111111111111": "the Instructions sysvar",
    "SysvarLastRestartS1ot1111111111111111111111": "the LastRestartSlot sysvar",
    "SysvarRecentB1ockHashes11111111111111111111": "the RecentBlockhashes sysvar",
    "SysvarRent111111111111111111111111111111111": "the Rent sysvar",
    "SysvarRewards111111111111111111111111111111": "the Rewards sysvar",
    "SysvarS1otHashes111111111111111111111111111": "the SlotHashes sysvar",
    "SysvarS1otHistory11111111111111111111111111": "the SlotHistory sysvar",
    "SysvarStakeHistory1111111111111111111111111": "the StakeHistory sysvar",
    # Lamports credited here are removed from the supply at the end of the block.
    "1nc1nerator11111111111111111111111111111111": "the incinerator (it burns what it receives)",
    # SPL programs
    "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA": "the SPL Token program",
    "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb": "the SPL Token-2022 program",
    "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL": "the Associated Token Account program",
    "Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo": "the SPL Memo program (v1)",
    "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr": "the SPL Memo program (v2)",
    # A mint is not a wallet: SOL sent to it is not wrapped, it is lost.
    "So11111111111111111111111111111111111111112": "the native (wrapped SOL) mint",
}


def well_known(address: str) -> str | None:
    """What `address` (canonical base58) is, when it is one of the fixtures above."""
    return WELL_KNOWN.get(address)
