"""Bitcoin: BIP-84/86 descriptors and addresses through bdkpython, keys from our vault."""
