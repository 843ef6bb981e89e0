"""Chain adapters, one package per chain family; they never import each other or the CLI."""
