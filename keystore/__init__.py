"""Secrets at rest: mnemonics, the encrypted vault, Web3 v3 files, passphrase sources.

Knows nothing about chains or the command line; heavy libraries load inside functions.
"""
