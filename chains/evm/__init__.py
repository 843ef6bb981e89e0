"""Ethereum and EVM-compatible chains."""
