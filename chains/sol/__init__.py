"""Solana: ed25519 keys (SLIP-10), base58 addresses."""
