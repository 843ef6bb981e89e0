"""`wallet`: a self-custody wallet for the terminal; `wallet_cli.wallet` is the library API."""

__version__ = "0.1.0"
